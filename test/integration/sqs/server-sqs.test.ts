import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { loadConfig } from '../../../src/config.js';
import type { JobHandler } from '../../../src/jobs/handler.js';
import { getJob } from '../../../src/jobs/store/index.js';
import { silentLogger } from '../../../src/logger.js';
import { type RunningServer, startServer } from '../../../src/server.js';
import { type LocalSqs, queueDepth, sendBodies, startLocalSqs } from '../../helpers/fauxqs.js';
import { waitFor } from '../../helpers/wait.js';

describe('server with SQS ingestion (LOCALSTACK=true against fauxqs)', function () {
  this.timeout(30_000);
  let sqs: LocalSqs;
  let server: RunningServer | undefined;

  interface HealthBody {
    status: string;
    sqs: Record<string, unknown> & { lastError: { kind: string } | null; lastReceiveAt: string | null };
  }
  const health = async () => (await fetch(`${server?.url}/health`)).json() as Promise<HealthBody>;

  beforeEach(async () => {
    sqs = await startLocalSqs('video-pipeline-jobs');
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    await sqs.stop();
  });

  it('creates the default local queue, runs what arrives, and shows the poller in /health, degraded while SQS is down', async () => {
    const ran: string[] = [];
    const download: JobHandler = {
      run: async ({ job }) => {
        ran.push(job.id);
        return { ok: true };
      },
    };
    const config = loadConfig({
      LOCALSTACK: 'true',
      LOCALSTACK_ENDPOINT: sqs.endpoint,
      DATABASE_PATH: ':memory:',
      PORT: '0',
      HOST: '127.0.0.1',
      SQS_WAIT_TIME_SECONDS: '1',
      POLLING_INTERVAL_MS: '400',
      LOG_LEVEL: 'silent',
    });
    server = await startServer({ config, logger: silentLogger(), handlers: new Map([['download', download]]) });
    await sendBodies(sqs, [JSON.stringify({ jobId: 'e2e-1', url: 'https://media.example/e2e.mp4' })]);
    await waitFor(async () => (await getJob((server as RunningServer).db, 'e2e-1'))?.status === 'succeeded', {
      message: 'job ran',
    });
    expect(ran).to.deep.equal(['e2e-1']);
    expect(await queueDepth(sqs)).to.deep.equal({ visible: 0, inFlight: 0 });
    const ok = await health();
    expect(ok.status).to.equal('ok');
    expect(ok.sqs).to.include({ enabled: true, ingested: 1, consecutiveErrors: 0, degraded: false });
    expect(ok.sqs.lastReceiveAt).to.be.a('string');

    const port = sqs.server.port;
    await sqs.server.stop();
    await waitFor(async () => (await health()).status === 'degraded', {
      message: '/health degraded',
      timeoutMs: 15_000,
    });
    expect((await health()).sqs.lastError?.kind).to.equal('network');

    const back = await startLocalSqs('video-pipeline-jobs', { VisibilityTimeout: '30' }, port);
    sqs.server = back.server;
    await back.client.send(new CreateQueueCommand({ QueueName: 'video-pipeline-jobs' }));
    await waitFor(async () => (await health()).status === 'ok', { message: '/health ok again', timeoutMs: 15_000 });
    back.client.destroy();
  });
});

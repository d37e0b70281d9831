import { CreateQueueCommand, DeleteMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import sinon from 'sinon';
import type { OpenedDatabase } from '../../../src/db/connection.js';
import type { JobHandler } from '../../../src/jobs/handler.js';
import type { Scheduler } from '../../../src/jobs/scheduler.js';
import { countByStatus, getJob, listJobs } from '../../../src/jobs/store/index.js';
import { silentLogger } from '../../../src/logger.js';
import { MAX_BODY_BYTES } from '../../../src/sqs/parse-message.js';
import { SqsPoller } from '../../../src/sqs/poller.js';
import { schedulerCapacity } from '../../../src/sqs/scheduler-capacity.js';
import { createTestDb } from '../../helpers/db.js';
import { type LocalSqs, queueDepth, sendBodies, sqsClient, startLocalSqs } from '../../helpers/fauxqs.js';
import { deferred, testScheduler, untilAborted } from '../../helpers/scheduler.js';
import { waitFor } from '../../helpers/wait.js';

const body = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ jobId: id, url: `https://media.example/${id}.mp4`, ...extra });

describe('SQS poller (fauxqs)', function () {
  this.timeout(30_000);
  let sqs: LocalSqs;
  let database: OpenedDatabase;
  let scheduler: Scheduler;
  let poller: SqsPoller | undefined;
  let release: Array<() => void>;
  const db = () => database.db;

  /** A download stand-in that holds its slot until the test releases it. */
  const holding: JobHandler = {
    run: ({ signal }) => {
      const gate = deferred<undefined>();
      release.push(() => gate.resolve(undefined));
      return Promise.race([gate.promise, untilAborted(signal)]);
    },
  };

  async function start(
    options: { concurrency?: number; prefetch?: number; waitTimeSeconds?: number; client?: SQSClient } = {},
  ) {
    scheduler = testScheduler(db(), { download: holding }, { concurrency: options.concurrency ?? 2 });
    await scheduler.start();
    poller = new SqsPoller({
      client: options.client ?? sqs.client,
      queueUrl: sqs.queueUrl,
      db: db(),
      capacity: schedulerCapacity(scheduler, db(), { now: () => Date.now() }),
      waitTimeSeconds: options.waitTimeSeconds ?? 1,
      pollingIntervalMs: 1000,
      prefetch: options.prefetch ?? 0,
      maxAttempts: 5,
      logger: silentLogger(),
      errorBackoff: { baseMs: 50, maxMs: 400 },
    });
    poller.start();
    return poller;
  }

  beforeEach(async () => {
    release = [];
    sqs = await startLocalSqs('jobs', { VisibilityTimeout: '1' });
    database = await createTestDb();
  });
  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
    for (const r of release) r();
    await scheduler?.stop(1000);
    await sqs.stop();
    await database.close();
  });

  it('copies a message into a job row, then deletes it: nothing visible, nothing in flight', async () => {
    const [messageId] = await sendBodies(sqs, [body('clip-1', { campaign: 'spring' })]);
    const p = await start();
    await waitFor(() => p.status().ingested === 1, { message: 'one message ingested' });
    const job = await getJob(db(), 'clip-1');
    expect(job).to.deep.include({
      source: 'sqs',
      sourceMessageId: messageId,
      url: 'https://media.example/clip-1.mp4',
      metadata: { campaign: 'spring' },
    });
    await waitFor(
      async () => {
        const depth = await queueDepth(sqs);
        return depth.visible === 0 && depth.inFlight === 0;
      },
      { message: 'queue empty' },
    );
  });

  it('yields exactly one job when the delete fails after the commit and the message comes back', async () => {
    const client = sqsClient(sqs.endpoint);
    const send = client.send.bind(client);
    let failedDeletes = 0;
    // The first three DeleteMessageBatch calls (one ingest's retries) fail: the message stays in flight.
    sinon.stub(client, 'send').callsFake(((command: unknown, options?: unknown) => {
      if (command instanceof DeleteMessageBatchCommand && failedDeletes < 3) {
        failedDeletes++;
        return Promise.reject(Object.assign(new Error('injected delete failure'), { name: 'InternalError' }));
      }
      return send(command as never, options as never);
    }) as SQSClient['send']);
    await sendBodies(sqs, [body('once')]);
    const p = await start({ client });
    await waitFor(() => p.status().deduplicated >= 1, {
      message: 'the redelivered message recognised',
      timeoutMs: 15_000,
    });
    expect(failedDeletes).to.equal(3);
    expect((await listJobs(db(), { limit: 10 })).items.map((j) => j.id)).to.deep.equal(['once']);
    expect(p.status()).to.include({ ingested: 1, deduplicated: 1, deleteFailures: 1 });
    await waitFor(async () => (await queueDepth(sqs)).inFlight === 0 && (await queueDepth(sqs)).visible === 0, {
      message: 'queue empty',
    });
  });

  it('records every malformed body as rejected with a reason, deletes it, and keeps going', async () => {
    const corpus = [
      'not json at all',
      '[1,2,3]',
      '"https://media.example/a.mp4"',
      'null',
      '{"jobId":"no-url"}',
      '{"url":"ftp://media.example/a.mp4"}',
      '{"url":"https://media.example/a.mp4","jobId":"../escape"}',
      '{"url":"https://media.example/a.mp4","jobId":"has space"}',
      JSON.stringify({ url: 'https://media.example/a.mp4', pad: 'x'.repeat(MAX_BODY_BYTES) }),
    ];
    const ids = await sendBodies(sqs, [...corpus, body('good-after-bad')]);
    const p = await start();
    await waitFor(() => p.status().rejected === corpus.length && p.status().ingested === 1, {
      message: 'all ingested',
    });
    const rejected = await listJobs(db(), { limit: 50, statuses: ['rejected'] });
    expect(rejected.items.map((j) => j.id).sort()).to.deep.equal(ids.slice(0, corpus.length).sort());
    for (const job of rejected.items) {
      expect(job.error?.code).to.equal('invalid_message');
      expect(job.error?.message).to.be.a('string').and.not.equal('');
    }
    expect((await getJob(db(), 'good-after-bad'))?.source).to.equal('sqs');
    await waitFor(
      async () => {
        const depth = await queueDepth(sqs);
        return depth.visible === 0 && depth.inFlight === 0;
      },
      { message: 'queue empty' },
    );
  });

  it('holds no more than its free slots (plus prefetch); the rest stay in SQS until capacity frees', async () => {
    await sendBodies(
      sqs,
      Array.from({ length: 50 }, (_, i) => body(`j-${i}`)),
    );
    const p = await start({ concurrency: 2, prefetch: 1 });
    let full = 0;
    p.on('full', () => full++);
    const local = async () => {
      const c = await countByStatus(db());
      return c.queued + c.running + c.succeeded;
    };
    // `full`: the poller found no room and waits for capacity instead of receiving.
    await waitFor(() => full > 0, { message: 'the poller full' });
    expect(scheduler.runningCount).to.equal(2);
    expect(await local(), '2 slots + 1 prefetched').to.equal(3);
    expect(await queueDepth(sqs)).to.deep.equal({ visible: 47, inFlight: 0 });

    // One job finishes: its slot takes the prefetched job, and exactly one more message comes in.
    const fullBefore = full;
    release.shift()?.();
    await waitFor(async () => full > fullBefore && (await local()) === 4, {
      message: 'one more taken',
      timeoutMs: 3000,
    });
    expect((await countByStatus(db())).succeeded).to.equal(1);
    expect((await queueDepth(sqs)).visible).to.equal(46);
  });

  it('backs off while SQS is down, reports it, and resumes by itself when it is back', async () => {
    const client = sqsClient(sqs.endpoint);
    const receives = sinon.spy(client, 'send');
    const p = await start({ client });
    await sendBodies(sqs, [body('before')]);
    await waitFor(() => p.status().ingested === 1, { message: 'first message' });

    const port = sqs.server.port;
    await sqs.server.stop();
    const callsAtOutage = receives.callCount;
    await waitFor(() => p.status().degraded, { message: 'degraded', timeoutMs: 10_000 });
    const outageStart = Date.now();
    await waitFor(() => Date.now() - outageStart > 2000, { message: '2 s of outage' });
    const attempts = receives.callCount - callsAtOutage;
    // A tight loop would make hundreds of calls in 2 s; backoff (50 ms doubling to 400 ms) makes a handful.
    expect(attempts).to.be.within(3, 25);
    expect(p.status().lastError?.kind).to.equal('network');

    const back = await startLocalSqs('jobs', { VisibilityTimeout: '1' }, port);
    sqs.server = back.server;
    await back.client.send(new CreateQueueCommand({ QueueName: 'jobs' }));
    await sendBodies(back, [body('after')]);
    await waitFor(() => p.status().ingested === 2, { message: 'message after the outage', timeoutMs: 10_000 });
    expect(p.status()).to.include({ degraded: false, consecutiveErrors: 0 });
    back.client.destroy();
  });

  it('returns promptly from stop() during a long poll', async () => {
    const client = sqsClient(sqs.endpoint);
    const calls = sinon.spy(client, 'send');
    const p = await start({ client, waitTimeSeconds: 20 });
    await waitFor(() => calls.callCount >= 1, { message: 'a long poll in flight' });
    const t0 = Date.now();
    await p.stop();
    poller = undefined;
    expect(Date.now() - t0).to.be.below(1000);
  });

  it('works with a FIFO queue', async () => {
    const fifo = await sqs.client.send(
      new CreateQueueCommand({
        QueueName: 'jobs.fifo',
        Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' },
      }),
    );
    sqs.queueUrl = fifo.QueueUrl as string;
    await sendBodies(sqs, [body('f-1'), body('f-2'), body('f-3')], { MessageGroupId: 'videos' });
    const p = await start({ concurrency: 3 });
    await waitFor(() => p.status().ingested === 3, { message: 'three FIFO messages' });
    expect((await listJobs(db(), { limit: 10 })).items.map((j) => j.id).sort()).to.deep.equal(['f-1', 'f-2', 'f-3']);
  });
});

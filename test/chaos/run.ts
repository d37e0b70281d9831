/**
 * `npm run test:chaos`: the whole server, everything going wrong at once, nothing lost.
 *
 *   fauxqs ◄── tcp proxy (cut for a while) ◄── server child process (killed 10× with SIGKILL,
 *     ▲                                          once with SIGTERM, restarted each time)
 *     └── this harness sends 342 messages          │ downloads from
 *         (300 jobs, duplicates, same ids,         ▼
 *          12 malformed)                    media server (drops, stalls, 500s, 429s)
 *                                           + API load on GET /jobs and /health throughout
 *
 * Then it checks every promise (verify.ts) and prints a summary. The seed is printed; set
 * CHAOS_SEED to replay a run exactly (the same plan, faults and kill times).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { GetQueueAttributesCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { freePort } from '../../bench/lib/free-port.js';
import { printTable } from '../../bench/lib/stats.js';
import { type Child, spawnChild } from '../helpers/child-process.js';
import { sqsClient } from '../helpers/fauxqs.js';
import { startMediaServer } from '../helpers/media-server.js';
import { startLoad } from './load.js';
import { makePlan } from './plan.js';
import { seededRandom } from './random.js';
import { TcpProxy } from './tcp-proxy.js';
import { verify } from './verify.js';

const SERVER_ENTRY = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const CONCURRENCY = 4;
const KILLS = 10;
const SETTLE_DEADLINE_MS = 180_000;

const seed = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
process.stdout.write(`chaos seed: ${seed} (replay with CHAOS_SEED=${seed} npm run test:chaos)\n`);
const random = seededRandom(seed);
const plan = makePlan(random);
const started = Date.now();
const log = (message: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);

const dir = mkdtempSync(join(tmpdir(), 'chaos-'));
const media = await startMediaServer();
for (const job of plan.jobs) media.file(job.path, { size: job.size, contentType: 'video/mp4' });
for (let k = 0; k < 10; k++) media.file(`/media/other-${k}.mp4`, { size: 100_000 + k, contentType: 'video/mp4' });

const fauxqs = await startFauxqs({ port: 0, logger: false });
// A short visibility timeout: messages a killed server received but never deleted come back soon.
const { queueUrl } = fauxqs.createQueue('chaos-jobs', { attributes: { VisibilityTimeout: '5' } });
const sqs = sqsClient(`http://127.0.0.1:${fauxqs.port}`);
const proxy = new TcpProxy(await freePort(), { host: '127.0.0.1', port: fauxqs.port });
await proxy.start();

const serverPort = await freePort();
const serverUrl = `http://127.0.0.1:${serverPort}`;
const env = {
  DATABASE_PATH: join(dir, 'jobs.db'),
  DOWNLOAD_DIR: join(dir, 'downloads'),
  PORT: String(serverPort),
  HOST: '127.0.0.1',
  ENABLE_SQS_POLLING: 'true',
  LOCALSTACK: 'true',
  LOCALSTACK_ENDPOINT: proxy.url,
  SQS_QUEUE_URL: queueUrl,
  SQS_WAIT_TIME_SECONDS: '1',
  POLLING_INTERVAL_MS: '1000',
  MAX_CONCURRENT_JOBS: String(CONCURRENCY),
  MAX_ATTEMPTS: '25',
  RETRY_BASE_MS: '100',
  RETRY_MAX_MS: '1500',
  LEASE_TIMEOUT_MS: '6000',
  SHUTDOWN_GRACE_MS: '2000',
  DOWNLOAD_STALL_TIMEOUT_MS: '1500',
  DOWNLOAD_ALLOW_PRIVATE_NETWORKS: 'true',
  LOG_LEVEL: 'warn',
};

let server: Child = spawnChild(env, SERVER_ENTRY);
const restarts = { sigkill: 0, sigterm: 0, sigtermExitCodes: [] as Array<number | null> };

/** Messages in bursts, straight to fauxqs (the producer is not part of the outage). */
const messageIds: Array<{ id: string; kind: string; job?: number }> = [];
async function sendAll(): Promise<void> {
  const media_ = media.url.replace(/\/$/, '');
  for (let i = 0; i < plan.messages.length; ) {
    const burst = plan.messages.slice(i, i + random.int(20, 45));
    for (let b = 0; b < burst.length; b += 10) {
      const batch = burst.slice(b, b + 10);
      const out = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((m, k) => ({ Id: String(k), MessageBody: m.body.replace('{MEDIA}', media_) })),
        }),
      );
      for (const [k, m] of batch.entries()) {
        const sent = out.Successful?.find((s) => s.Id === String(k));
        if (!sent?.MessageId) throw new Error(`could not send message ${i + b + k}`);
        messageIds.push({ id: sent.MessageId, kind: m.kind, job: m.job });
      }
    }
    i += burst.length;
    await sleep(random.int(1000, 3000));
  }
  log(`sent ${messageIds.length} messages`);
}

/** Kills at random moments, one of them a graceful SIGTERM; an SQS outage in the middle. */
async function chaos(): Promise<void> {
  const sigtermAt = random.int(3, KILLS - 2);
  const outageAt = random.int(2, KILLS - 2);
  for (let k = 0; k < KILLS + 1; k++) {
    await sleep(random.int(2500, 5500));
    if (k === outageAt) {
      log('SQS outage begins (proxy cut)');
      await proxy.cut();
      void sleep(6000).then(async () => {
        await proxy.start();
        log('SQS is back');
      });
    }
    const graceful = k === sigtermAt;
    const { code } = await server.kill(graceful ? 'SIGTERM' : 'SIGKILL');
    if (graceful) {
      restarts.sigterm++;
      restarts.sigtermExitCodes.push(code);
    } else restarts.sigkill++;
    log(`${graceful ? 'SIGTERM' : 'SIGKILL'} #${k + 1} (exit ${code ?? 'signal'}); restarting`);
    server = spawnChild(env, SERVER_ENTRY);
  }
}

async function stats(): Promise<{ counts: Record<string, number> } | undefined> {
  try {
    return (await (await fetch(`${serverUrl}/jobs/stats`)).json()) as { counts: Record<string, number> };
  } catch {
    return undefined;
  }
}

async function queueDepth() {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible)
  );
}

const load = startLoad(serverUrl);
let exitCode = 1;
try {
  await Promise.all([sendAll(), chaos()]);
  const validIds = new Set(
    messageIds.filter((m) => m.kind === 'job').map((m) => plan.jobs[m.job as number]?.jobId ?? m.id),
  );
  log(`chaos over; waiting for ${validIds.size} jobs to finish`);
  const deadline = Date.now() + SETTLE_DEADLINE_MS;
  for (;;) {
    const s = await stats();
    const done = s && s.counts.succeeded === validIds.size && s.counts.queued === 0 && s.counts.running === 0;
    if (done && (await queueDepth()) === 0) break;
    if (Date.now() > deadline) {
      log(`deadline passed: ${JSON.stringify(s?.counts)}, queue depth ${await queueDepth()}`);
      break;
    }
    await sleep(500);
  }
  const report = await load.stop();
  const finalStop = await server.kill('SIGTERM');

  const depth = await queueDepth();
  const verdict = await verify({
    databasePath: env.DATABASE_PATH,
    downloadDir: env.DOWNLOAD_DIR,
    jobIds: [...validIds],
    malformedMessageIds: messageIds.filter((m) => m.kind === 'malformed').map((m) => m.id),
    sha256Of: (path) => media.sha256(path),
    sigkills: restarts.sigkill,
    sigterms: restarts.sigterm + 1,
    concurrency: CONCURRENCY,
  });
  const problems = [...verdict.problems];
  if (depth !== 0) problems.push(`SQS queue not empty at the end: ${depth} message(s) visible or in flight`);
  for (const e of report.serverErrors.slice(0, 10)) problems.push(`HTTP ${e.status} from ${e.path}`);
  if (restarts.sigtermExitCodes.some((c) => c !== 0) || finalStop.code !== 0) {
    problems.push(`a SIGTERM did not exit cleanly: ${JSON.stringify([...restarts.sigtermExitCodes, finalStop.code])}`);
  }

  const resumed = media.requests.filter((r) => r.range && !/^bytes=0-/.test(r.range)).length;
  const attemptsTotal = Object.values(verdict.attempts).reduce((a, b) => a + b, 0);
  printTable(
    `chaos run (seed ${seed}, ${((Date.now() - started) / 1000).toFixed(0)} s)`,
    ['measure', 'value'],
    [
      [
        'messages sent (jobs / duplicates / same id / malformed)',
        `${messageIds.length} (${['job', 'duplicate', 'same-id', 'malformed'].map((k) => messageIds.filter((m) => m.kind === k).length).join(' / ')})`,
      ],
      ['job rows (valid + rejected)', String(verdict.jobs)],
      ['duplicates absorbed (messages − rows)', String(messageIds.length - verdict.jobs)],
      ['kills: SIGKILL / SIGTERM', `${restarts.sigkill} / ${restarts.sigterm + 1}`],
      ['attempts (by outcome)', `${attemptsTotal} ${JSON.stringify(verdict.attempts)}`],
      ['resumed downloads (Range from a non-zero offset)', String(resumed)],
      [
        'API requests ok / refused while restarting / 5xx',
        `${report.ok} / ${report.unavailable} / ${report.serverErrors.length}`,
      ],
      ['API latency under load p50 / p99 (ms)', `${report.p50.toFixed(1)} / ${report.p99.toFixed(1)}`],
    ],
  );
  if (problems.length > 0) {
    process.stdout.write(
      `\nCHAOS FAILED: ${problems.length} broken promise(s) (seed ${seed}):\n  - ${problems.join('\n  - ')}\n`,
    );
  } else {
    process.stdout.write('\nall promises kept\n');
    exitCode = 0;
  }
} catch (error) {
  process.stdout.write(`\nCHAOS FAILED with an error (seed ${seed}): ${(error as Error).stack}\n`);
  process.stdout.write(`server stderr (last lines):\n${server.stderr.slice(-20).join('\n')}\n`);
} finally {
  await load.stop().catch(() => {});
  await server.kill('SIGKILL');
  await proxy.cut();
  sqs.destroy();
  await fauxqs.stop();
  await media.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);

/**
 * A real app (createApp, a real scheduler, an in-memory database) with jobs in every status,
 * for the dashboard's browser test and its screenshots.
 *
 * History (succeeded, failed with several attempts, cancelled, rejected, a retry waiting for
 * its backoff) is written through the store with past timestamps. Then `runningCount` download
 * jobs are started by the scheduler with a handler that reports progress and holds its slot
 * until aborted, so every slot stays busy and the jobs enqueued after them stay `queued`:
 * nothing moves unless the test moves it.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { Db, OpenedDatabase } from '../../src/db/connection.js';
import { createApp } from '../../src/http/app.js';
import type { JobHandler } from '../../src/jobs/handler.js';
import type { JobErrorInfo, JsonObject } from '../../src/jobs/job.js';
import type { Scheduler } from '../../src/jobs/scheduler.js';
import {
  cancelJob,
  enqueueJobs,
  leaseJobs,
  type NewJob,
  type Settlement,
  settleJobs,
} from '../../src/jobs/store/index.js';
import { silentLogger } from '../../src/logger.js';
import type { PollerStatus } from '../../src/sqs/poller.js';
import { createTestDb } from '../helpers/db.js';
import { testScheduler } from '../helpers/scheduler.js';
import { waitFor } from '../helpers/wait.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const MIB = 1024 * 1024;
const OWNER = 'demo-history';
const MAX_ATTEMPTS = 3;

export interface DemoOptions {
  apiToken?: string;
  host?: string;
  /** Extra succeeded jobs, to have several pages of history. */
  history?: number;
  /** Jobs waiting for a free slot. */
  queued?: number;
  running?: number;
  /** A rejected job whose id, URL, error and metadata are hostile HTML. */
  hostile?: boolean;
  /** Running downloads keep moving (for screenshots); otherwise their progress stays put. */
  moving?: boolean;
  /** Run the scheduler's clock this far behind, so the downloads look started a while ago. */
  runningForMs?: number;
}

export interface DemoServer {
  url: string;
  database: OpenedDatabase;
  scheduler: Scheduler;
  /** Ids by the status they were given. */
  ids: Record<'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'rejected' | 'waiting', string[]>;
  close(): Promise<void>;
}

type Outcome =
  | { kind: 'succeeded'; result: JsonObject }
  | { kind: 'failed'; error: JobErrorInfo; retryAt: number }
  | { kind: 'cancelled'; error: JobErrorInfo };

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const download = (id: string, url: string, metadata: JsonObject = {}, source: 'api' | 'sqs' = 'sqs'): NewJob => ({
  id,
  type: 'download',
  source,
  sourceMessageId: source === 'sqs' ? `msg-${sha256(id).slice(0, 12)}` : null,
  url,
  metadata,
  maxAttempts: MAX_ATTEMPTS,
});

/** One attempt of the only due job, from `startedAt` to `endedAt`. */
async function attempt(db: Db, id: string, startedAt: number, endedAt: number, outcome: Outcome): Promise<void> {
  const [leased] = await leaseJobs(db, { owner: OWNER, limit: 1, now: startedAt, leaseMs: HOUR });
  if (leased?.id !== id) throw new Error(`seeding leased ${leased?.id} instead of ${id}`);
  const settlement: Settlement = { ...outcome, id, token: leased.leaseToken };
  const [settled] = await settleJobs(db, [settlement], endedAt, OWNER);
  if (!settled?.applied) throw new Error(`seeding could not settle ${id}`);
}

const result = (id: string, file: string, bytes: number): JsonObject => ({
  file: `${id}/${file}`,
  bytes,
  sha256: sha256(`${id}/${file}`),
  contentType: 'video/mp4',
});

const httpError = (status: number, retryable: boolean): JobErrorInfo => ({
  code: 'http_status',
  message: `the server answered HTTP ${status}`,
  retryable,
});

/** Finished jobs, oldest first, each run to its end before the next is written. */
async function seedHistory(db: Db, now: number, options: DemoOptions, ids: DemoServer['ids']): Promise<void> {
  let at = now - 6 * HOUR;
  const step = (ms: number) => {
    at += ms;
    return at;
  };

  for (let i = 0; i < (options.history ?? 0); i++) {
    const id = `archive-${String(i + 1).padStart(3, '0')}`;
    await enqueueJobs(db, [download(id, `https://cdn.example.net/archive/2024/${id}.mp4`)], step(2 * MIN));
    await attempt(db, id, step(1000), step(20_000 + i * 700), {
      kind: 'succeeded',
      result: result(id, `${id}.mp4`, (20 + i) * MIB),
    });
    ids.succeeded.push(id);
  }

  const succeeded: [string, string, number][] = [
    ['clip-2041', 'https://media.example.com/campaigns/spring/intro-1080p.mp4', 48_234_112],
    ['clip-2042', 'https://media.example.com/campaigns/spring/outro-1080p.mp4', 31_457_280],
    [
      'webinar-2025-05',
      'https://video.example.org/recordings/2025/05/webinar-full-session-hd.mp4?sig=abc123',
      1_288_490_188,
    ],
  ];
  for (const [id, url, bytes] of succeeded) {
    await enqueueJobs(db, [download(id, url, { campaign: 'spring' })], step(7 * MIN));
    await attempt(db, id, step(1500), step(Math.round(bytes / (12 * MIB)) * 1000 + 4000), {
      kind: 'succeeded',
      result: result(id, url.split('/').at(-1)?.split('?')[0] ?? 'video.mp4', bytes),
    });
    ids.succeeded.push(id);
  }

  // Failed after a retry: a 503, then a 404 that no retry can fix.
  const failed = 'clip-2037';
  await enqueueJobs(
    db,
    [download(failed, 'https://media.example.com/campaigns/spring/missing-cut.mp4')],
    step(9 * MIN),
  );
  await attempt(db, failed, step(1000), step(2500), {
    kind: 'failed',
    error: httpError(503, true),
    retryAt: at + 30_000,
  });
  await attempt(db, failed, step(31_000), step(1200), { kind: 'failed', error: httpError(404, false), retryAt: 0 });
  ids.failed.push(failed);

  // Failed with every attempt spent.
  const stalled = 'trailer-88';
  await enqueueJobs(
    db,
    [download(stalled, 'https://slow.example.net/trailers/88/trailer-4k.mp4', {}, 'api')],
    step(14 * MIN),
  );
  for (let n = 1; n <= MAX_ATTEMPTS; n++) {
    const error = { code: 'stalled', message: 'no data received for 30000 ms', retryable: true };
    await attempt(db, stalled, step(n === 1 ? 1000 : 60_000 * n), step(95_000), { kind: 'failed', error, retryAt: at });
  }
  ids.failed.push(stalled);

  const cancelled = 'promo-teaser-7';
  await enqueueJobs(
    db,
    [download(cancelled, 'https://media.example.com/promo/teaser-7-vertical.mp4', {}, 'api')],
    step(11 * MIN),
  );
  await cancelJob(db, cancelled, step(3 * MIN));
  ids.cancelled.push(cancelled);

  const reason = 'url must use http or https, not ftp';
  const rejected: NewJob = {
    id: '5f0c2a9e-8d1b-4e6f-9a3c-1b2d3e4f5a6b',
    type: 'download',
    source: 'sqs',
    sourceMessageId: '5f0c2a9e-8d1b-4e6f-9a3c-1b2d3e4f5a6b',
    url: null,
    metadata: { jobId: 'legacy-77', url: 'ftp://files.example.com/legacy/77.mov' },
    maxAttempts: MAX_ATTEMPTS,
    rejected: { code: 'invalid_message', message: reason, retryable: false },
  };
  await enqueueJobs(db, [rejected], step(6 * MIN));
  ids.rejected.push(rejected.id);

  if (options.hostile) {
    const evil: NewJob = {
      id: 'evil"><img src=x onerror=window.__xss=1>',
      type: 'download',
      source: 'sqs',
      sourceMessageId: 'evil-message',
      url: 'javascript:window.__xss=2//<b>bold</b>',
      metadata: { note: '<script>window.__xss=3</script>' },
      maxAttempts: MAX_ATTEMPTS,
      rejected: { code: 'invalid_message', message: '<img src=x onerror="window.__xss=4">', retryable: false },
    };
    await enqueueJobs(db, [evil], step(MIN));
    ids.rejected.push(evil.id);
  }

  // A retry waiting for its backoff: queued, attempts 1, due in a few minutes.
  const waiting = 'clip-2050';
  await enqueueJobs(
    db,
    [download(waiting, 'https://media.example.com/campaigns/summer/hero-1080p.mp4')],
    step(2 * MIN),
  );
  await attempt(db, waiting, step(1000), step(3000), {
    kind: 'failed',
    error: httpError(503, true),
    retryAt: now + 4 * MIN,
  });
  ids.waiting.push(waiting);
}

/** Reports progress and keeps its slot until the scheduler aborts it. */
function holdingDownload(moving: boolean): JobHandler {
  return {
    async run({ job, signal, progress }) {
      const total = Number(job.metadata.totalBytes ?? 200 * MIB);
      let bytes = Number(job.metadata.doneBytes ?? total / 3);
      progress(bytes, total);
      while (!signal.aborted) {
        await delay(400, undefined, { signal }).catch(() => {});
        if (moving) bytes = Math.min(total - 1, bytes + total / 400);
        progress(bytes, total);
      }
      throw signal.reason;
    },
  };
}

/** The poller's part of /health as a live poller reports it. */
const pollerStatus = (): PollerStatus => ({
  enabled: true,
  queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/video-pipeline-jobs',
  running: true,
  lastReceiveAt: new Date(Date.now() - 4000).toISOString(),
  consecutiveErrors: 0,
  lastError: {
    kind: 'throttled',
    message: 'Rate exceeded',
    at: new Date(Date.now() - 47 * MIN).toISOString(),
  },
  ingested: 1284,
  rejected: 3,
  deduplicated: 7,
  deleteFailures: 0,
  degraded: false,
});

export async function startDemoServer(options: DemoOptions = {}): Promise<DemoServer> {
  const now = Date.now();
  const ids: DemoServer['ids'] = {
    queued: [],
    running: [],
    succeeded: [],
    failed: [],
    cancelled: [],
    rejected: [],
    waiting: [],
  };
  const database = await createTestDb();
  const { db } = database;
  await seedHistory(db, now, options, ids);

  const running = options.running ?? 2;
  const scheduler = testScheduler(
    db,
    { download: holdingDownload(options.moving ?? false) },
    {
      concurrency: running,
      progressIntervalMs: 100,
      clock: { now: () => Date.now() - (options.runningForMs ?? 0) },
    },
  );
  await scheduler.start();
  const downloads = [
    download('clip-2051', 'https://media.example.com/campaigns/summer/beach-4k.mp4', {
      totalBytes: 734_003_200,
      doneBytes: 478_150_656,
    }),
    download('clip-2052', 'https://media.example.com/campaigns/summer/city-night-1080p.mp4', {
      totalBytes: 262_144_000,
      doneBytes: 31_457_280,
    }),
    download('clip-2053', 'https://media.example.com/campaigns/summer/drone-1080p.mp4'),
  ].slice(0, running);
  await enqueueJobs(db, downloads, now - 2 * MIN);
  scheduler.wake();
  ids.running.push(...downloads.map((job) => job.id));
  await waitFor(
    async () => {
      const rows = await db.selectFrom('jobs').select('progress_bytes').where('status', '=', 'running').execute();
      return rows.length === running && rows.every((row) => row.progress_bytes !== null);
    },
    { message: 'the demo downloads to run and report progress' },
  );

  const queued = Array.from({ length: options.queued ?? 3 }, (_, i) =>
    download(`clip-${2060 + i}`, `https://media.example.com/campaigns/summer/cut-${i + 1}-1080p.mp4`),
  );
  await enqueueJobs(db, queued, now - MIN);
  ids.queued.push(...queued.map((job) => job.id));

  const app = createApp({
    db,
    runner: scheduler,
    clock: { now: () => Date.now() },
    logger: silentLogger(),
    version: '0.1.0',
    maxAttempts: MAX_ATTEMPTS,
    apiToken: options.apiToken,
    health: { sqs: () => ({ ...pollerStatus() }) },
  });
  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  return {
    url: `http://${host}:${port}`,
    database,
    scheduler,
    ids,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await scheduler.stop(0);
      await database.close();
    },
  };
}

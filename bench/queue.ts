/**
 * `npm run bench:queue`: no-op jobs through enqueue → lease → complete on a file database with
 * the shipped pragmas (WAL, synchronous=FULL), side by side with plainjob in the same run.
 *
 *  1. throughput: N jobs enqueued in batches, then drained; jobs/s from first enqueue to last completion.
 *  2. latency: jobs offered at a steady rate on an idle queue; enqueue → handler start, p50/p99.
 *
 * plainjob runs with the same pragmas (it sets synchronous=NORMAL itself; we put FULL back so both
 * promise the same durability) and, for reference, with its own NORMAL setting.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { better, defineQueue, defineWorker } from 'plainjob';
import { applyPragmas, openDatabase } from '../src/db/connection.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { Scheduler } from '../src/jobs/scheduler.js';
import { countByStatus, enqueueJobs, type NewJob } from '../src/jobs/store/index.js';
import { silentLogger } from '../src/logger.js';
import { commitLatencyMs } from './lib/fsync-probe.js';
import { printTable, summarize } from './lib/stats.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 20_000);
const PLAINJOB_JOBS = Number(process.env.BENCH_PLAINJOB_JOBS ?? 3_000);
const BATCH = 500;
const LATENCY_JOBS = 2_000;
const LATENCY_RATE_PER_S = 1_000;
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '2,256').split(',').map(Number);

const dir = mkdtempSync(join(tmpdir(), 'bench-queue-'));
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function jobs(count: number, prefix: string): NewJob[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i}`,
    type: 'noop',
    source: 'api',
    url: null,
    maxAttempts: 3,
  }));
}

async function ours(name: string, concurrency: number, mode: 'throughput' | 'latency') {
  const database = openDatabase(join(dir, `${name}.db`));
  const { error } = await migrateToLatest(database.db);
  if (error) throw error;
  const enqueuedAt = new Map<string, number>();
  const latencies: number[] = [];
  let done = 0;
  let allDone: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const total = mode === 'throughput' ? JOBS : LATENCY_JOBS;
  const scheduler = new Scheduler({
    db: database.db,
    handlers: new Map([
      ['noop', { run: async ({ job }) => void latencies.push(performance.now() - (enqueuedAt.get(job.id) ?? 0)) }],
    ]),
    concurrency,
    leaseMs: 30_000,
    jobTimeoutMs: 60_000,
    backoff: { baseMs: 1000, maxMs: 60_000 },
    logger: silentLogger(),
  });
  scheduler.on('settled', () => {
    if (++done === total) allDone();
  });
  await scheduler.start();
  const started = performance.now();
  const all = jobs(total, name);
  const batch = mode === 'throughput' ? BATCH : LATENCY_RATE_PER_S / 100;
  for (let i = 0; i < all.length; i += batch) {
    const slice = all.slice(i, i + batch);
    const now = performance.now();
    for (const job of slice) enqueuedAt.set(job.id, now);
    await enqueueJobs(database.db, slice, Date.now());
    scheduler.wake();
    if (mode === 'latency') await delay(10);
  }
  await finished;
  const elapsedS = (performance.now() - started) / 1000;
  await scheduler.stop(1000);
  const counts = await countByStatus(database.db);
  if (counts.succeeded !== total) throw new Error(`${name}: ${counts.succeeded}/${total} succeeded`);
  await database.close();
  return { jobsPerS: total / elapsedS, latency: summarize(latencies) };
}

async function plainjob(name: string, workers: number, synchronous: 'FULL' | 'NORMAL', mode: 'throughput' | 'latency') {
  const raw = new SqliteDatabase(join(dir, `${name}.db`));
  applyPragmas(raw);
  const queue = defineQueue({ connection: better(raw), logger: quietLogger });
  raw.pragma(`synchronous = ${synchronous}`);
  const total = mode === 'throughput' ? PLAINJOB_JOBS : Math.min(LATENCY_JOBS, 1000);
  const latencies: number[] = [];
  let done = 0;
  let allDone: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const pool = Array.from({ length: workers }, () =>
    defineWorker(
      'noop',
      async (job) => {
        latencies.push(performance.now() - (JSON.parse(job.data) as { t: number }).t);
      },
      {
        queue,
        logger: quietLogger,
        onCompleted: () => {
          if (++done === total) allDone();
        },
      },
    ),
  );
  for (const worker of pool) void worker.start();
  const started = performance.now();
  if (mode === 'throughput') {
    for (let i = 0; i < total; i += BATCH) {
      const t = performance.now();
      queue.addMany(
        'noop',
        Array.from({ length: Math.min(BATCH, total - i) }, () => ({ t })),
      );
    }
  } else {
    for (let i = 0; i < total; i += LATENCY_RATE_PER_S / 100) {
      const t = performance.now();
      queue.addMany(
        'noop',
        Array.from({ length: LATENCY_RATE_PER_S / 100 }, () => ({ t })),
      );
      await delay(10);
    }
  }
  await finished;
  const elapsedS = (performance.now() - started) / 1000;
  await Promise.all(pool.map((worker) => worker.stop()));
  queue.close();
  return { jobsPerS: total / elapsedS, latency: summarize(latencies) };
}

const quietLogger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };

try {
  const fsyncMs = commitLatencyMs(dir);
  process.stdout.write(
    `one synchronous=FULL commit on this disk: ${fsyncMs.toFixed(2)} ms (${Math.round(1000 / fsyncMs)} commits/s)\n`,
  );
  const rows: (string | number)[][] = [];
  const peers: Record<string, number> = {};
  for (const c of CONCURRENCIES) {
    const t = await ours(`ours-c${c}`, c, 'throughput');
    const l = await ours(`ours-lat-c${c}`, c, 'latency');
    rows.push([`this server, MAX_CONCURRENT_JOBS=${c}`, 'FULL', t.jobsPerS, l.latency.p50, l.latency.p99]);
    peers[`ours-${c}`] = t.jobsPerS;
  }
  for (const [workers, sync] of [
    [2, 'FULL'],
    [2, 'NORMAL'],
  ] as const) {
    const t = await plainjob(`plainjob-${workers}-${sync}`, workers, sync, 'throughput');
    const l = await plainjob(`plainjob-lat-${workers}-${sync}`, workers, sync, 'latency');
    rows.push([`plainjob 0.0.14, ${workers} workers`, sync, t.jobsPerS, l.latency.p50, l.latency.p99]);
    peers[`plainjob-${sync}`] = t.jobsPerS;
  }
  printTable(
    'no-op jobs, enqueue → lease → complete (file database, WAL)',
    ['queue', 'synchronous', 'jobs/s', 'start p50 ms', 'start p99 ms'],
    rows,
  );
  const best = Math.max(...CONCURRENCIES.map((c) => peers[`ours-${c}`] ?? 0));
  const plainFull = peers['plainjob-FULL'] ?? Number.NaN;
  process.stdout.write(
    `\nratio (this server, best concurrency) / plainjob at equal durability (FULL): ${(best / plainFull).toFixed(1)}x\n` +
      `ratio (this server, MAX_CONCURRENT_JOBS=${CONCURRENCIES[0]}) / plainjob FULL: ${((peers[`ours-${CONCURRENCIES[0]}`] ?? 0) / plainFull).toFixed(1)}x\n` +
      `ratio (this server, best, FULL) / plainjob NORMAL: ${(best / (peers['plainjob-NORMAL'] ?? Number.NaN)).toFixed(1)}x\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

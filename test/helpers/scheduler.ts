/** A scheduler on a test database with test handlers, and helpers to drive it with fake timers. */
import type { SinonFakeTimers } from 'sinon';
import type { Db } from '../../src/db/connection.js';
import type { JobHandler } from '../../src/jobs/handler.js';
import { Scheduler, type SchedulerOptions } from '../../src/jobs/scheduler.js';
import { enqueueJobs, type NewJob } from '../../src/jobs/store/index.js';
import { silentLogger } from '../../src/logger.js';

export function testScheduler(db: Db, handlers: Record<string, JobHandler>, options: Partial<SchedulerOptions> = {}) {
  return new Scheduler({
    db,
    handlers: new Map(Object.entries(handlers)),
    concurrency: 2,
    leaseMs: 30_000,
    jobTimeoutMs: 60_000,
    backoff: { baseMs: 1000, maxMs: 10_000 },
    logger: silentLogger(),
    random: () => 0.5,
    owner: 'test-owner',
    ...options,
  });
}

export function testJobs(count: number, extra: Partial<NewJob> = {}, prefix = 'job'): NewJob[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${String(i).padStart(3, '0')}`,
    type: 'test',
    source: 'api',
    url: null,
    maxAttempts: 3,
    ...extra,
  }));
}

export async function enqueue(db: Db, jobs: NewJob[], now = Date.now()): Promise<void> {
  await enqueueJobs(db, jobs, now);
}

/** Advance fake time in steps until `done()` holds; fails after `maxMs` of fake time. */
export async function runUntil(
  clock: SinonFakeTimers,
  done: () => boolean | Promise<boolean>,
  maxMs = 600_000,
  stepMs = 50,
) {
  for (let elapsed = 0; elapsed <= maxMs; elapsed += stepMs) {
    if (await done()) return;
    await clock.tickAsync(stepMs);
  }
  throw new Error(`condition not reached within ${maxMs} ms of fake time`);
}

/** A promise with its resolve/reject exposed. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves when `signal` aborts, rejecting with its reason: what a well-behaved handler does. */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

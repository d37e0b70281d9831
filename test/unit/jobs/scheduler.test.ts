import { expect } from 'chai';
import sinon, { type SinonFakeTimers } from 'sinon';
import type { OpenedDatabase } from '../../../src/db/connection.js';
import type { JobHandler } from '../../../src/jobs/handler.js';
import { JobError } from '../../../src/jobs/job-error.js';
import type { Scheduler } from '../../../src/jobs/scheduler.js';
import {
  cancelJob,
  countByStatus,
  getAttempts,
  getJob,
  leaseJobs,
  recoverExpiredLeases,
} from '../../../src/jobs/store/index.js';
import { createTestDb } from '../../helpers/db.js';
import { enqueue, runUntil, testJobs, testScheduler, untilAborted } from '../../helpers/scheduler.js';

const T0 = Date.UTC(2026, 0, 1);

describe('scheduler', () => {
  let database: OpenedDatabase;
  let clock: SinonFakeTimers;
  let scheduler: Scheduler | undefined;
  const db = () => database.db;

  beforeEach(async () => {
    database = await createTestDb();
    clock = sinon.useFakeTimers({ now: T0, shouldClearNativeTimers: true });
  });
  afterEach(async () => {
    if (scheduler) {
      const stopping = scheduler.stop(0);
      await clock.runAllAsync();
      await stopping;
    }
    scheduler = undefined;
    clock.restore();
    await database.close();
  });

  const counts = () => countByStatus(db());

  it('keeps exactly min(slots, ready jobs) running: never more, never fewer while work waits', async () => {
    // Durations vary so jobs finish out of order and sometimes together.
    const durations = [700, 300, 1100, 300, 50, 900, 400];
    let maxSeen = 0;
    const handler: JobHandler = {
      run: ({ job }) => new Promise((resolve) => setTimeout(() => resolve({ ok: job.id }), durations[job.seq % 7])),
    };
    await enqueue(db(), testJobs(50), T0);
    scheduler = testScheduler(db(), { test: handler });
    const s = scheduler;
    const violations: string[] = [];
    let settled = 0;
    s.on('started', () => {
      maxSeen = Math.max(maxSeen, s.runningCount);
      if (s.runningCount > 2) violations.push(`start with ${s.runningCount} running`);
    });
    s.on('settled', () => {
      settled++;
      // The pump that settled this job leased its successor in the same transaction.
      const waiting = 50 - settled - s.runningCount;
      const expected = Math.min(2, 50 - settled);
      if (s.runningCount !== expected)
        violations.push(`after ${settled} settled: ${s.runningCount} running, ${waiting} waiting`);
    });
    await s.start();
    await runUntil(clock, async () => (await counts()).succeeded === 50);
    expect(violations).to.deep.equal([]);
    expect(maxSeen).to.equal(2);
    expect((await getJob(db(), 'job-007'))?.result).to.deep.equal({ ok: 'job-007' });
  });

  it('retries a retryable failure after its backoff, then succeeds', async () => {
    let calls = 0;
    const handler: JobHandler = {
      run: async () => {
        calls++;
        if (calls === 1) throw new JobError('http_503', 'unavailable', { retryable: true });
        return { calls };
      },
    };
    await enqueue(db(), testJobs(1), T0);
    scheduler = testScheduler(db(), { test: handler });
    await scheduler.start();
    await runUntil(clock, async () => (await getJob(db(), 'job-000'))?.error?.code === 'http_503');
    const queued = await getJob(db(), 'job-000');
    // random() = 0.5 → 3/4 of the 1000 ms ceiling for the first retry.
    expect(queued?.status).to.equal('queued');
    expect(queued?.runAt).to.be.within(T0 + 750, T0 + 760);
    await clock.tickAsync((queued?.runAt ?? 0) - clock.now - 5);
    expect(calls, 'not before its run_at').to.equal(1);
    await runUntil(clock, async () => (await getJob(db(), 'job-000'))?.status === 'succeeded', 2000);
    expect(await getJob(db(), 'job-000')).to.deep.include({ attempts: 2, result: { calls: 2 } });
    expect((await getAttempts(db(), 'job-000')).map((a) => a.outcome)).to.deep.equal(['retry', 'succeeded']);
  });

  it('fails a job of an unknown type without retrying', async () => {
    await enqueue(db(), testJobs(1, { type: 'mystery' }), T0);
    scheduler = testScheduler(db(), {});
    await scheduler.start();
    await runUntil(clock, async () => (await getJob(db(), 'job-000'))?.status === 'failed');
    expect((await getJob(db(), 'job-000'))?.error).to.deep.include({ code: 'unknown_type', retryable: false });
  });

  it('aborts the work at JOB_TIMEOUT_MS and records a retryable timeout', async () => {
    let aborted: unknown;
    const handler: JobHandler = {
      run: ({ signal }) =>
        untilAborted(signal).catch((reason) => {
          aborted = reason;
          throw reason;
        }),
    };
    await enqueue(db(), testJobs(1), T0);
    scheduler = testScheduler(db(), { test: handler }, { jobTimeoutMs: 5000 });
    await scheduler.start();
    await runUntil(clock, async () => (await getJob(db(), 'job-000'))?.error?.code === 'timeout', 10_000);
    expect(aborted, 'the handler saw its signal abort').to.be.instanceOf(Error);
    expect(clock.now - T0).to.be.within(5000, 5200);
    expect((await getJob(db(), 'job-000'))?.status).to.equal('queued');
  });

  it('settles a handler that ignores its abort signal after a grace, freeing the slot', async () => {
    const handler: JobHandler = { run: () => new Promise(() => {}) };
    await enqueue(db(), testJobs(1), T0);
    scheduler = testScheduler(db(), { test: handler }, { jobTimeoutMs: 1000 });
    await scheduler.start();
    await runUntil(clock, async () => (await getJob(db(), 'job-000'))?.error?.code === 'timeout', 20_000);
    expect(scheduler.runningCount).to.equal(0);
  });

  it('cancels a running job through its signal, and discards its partial work', async () => {
    const discarded: string[] = [];
    const handler: JobHandler = {
      run: ({ signal }) => untilAborted(signal),
      discard: async (job) => {
        discarded.push(job.id);
      },
    };
    await enqueue(db(), testJobs(1), T0);
    scheduler = testScheduler(db(), { test: handler });
    await scheduler.start();
    await runUntil(clock, () => scheduler?.runningCount === 1);
    const result = await scheduler.cancel('job-000');
    expect(result.outcome).to.equal('requested');
    await runUntil(clock, async () => (await getJob(db(), 'job-000'))?.status === 'cancelled', 1000);
    expect(discarded).to.deep.equal(['job-000']);
    expect((await getAttempts(db(), 'job-000'))[0]?.outcome).to.equal('cancelled');
  });

  it('aborts a job whose cancel was requested elsewhere, at the next heartbeat', async () => {
    const handler: JobHandler = { run: ({ signal }) => untilAborted(signal) };
    await enqueue(db(), testJobs(1), T0);
    scheduler = testScheduler(db(), { test: handler });
    await scheduler.start();
    await runUntil(clock, () => scheduler?.runningCount === 1);
    await cancelJob(db(), 'job-000', clock.now); // e.g. another tool wrote the request
    await runUntil(clock, async () => (await getJob(db(), 'job-000'))?.status === 'cancelled', 15_000);
  });

  it('stops work whose lease was lost and discards its outcome', async () => {
    let finish: ((v: undefined) => void) | undefined;
    let signalSeen: AbortSignal | undefined;
    const handler: JobHandler = {
      run: ({ signal }) => {
        signalSeen = signal;
        return new Promise((resolve) => {
          finish = resolve;
        });
      },
    };
    await enqueue(db(), testJobs(1), T0);
    scheduler = testScheduler(db(), { test: handler }, { leaseMs: 3000 });
    const lost: string[] = [];
    scheduler.on('leaseLost', (job) => lost.push(job.id));
    await scheduler.start();
    await runUntil(clock, () => scheduler?.runningCount === 1);
    // Someone else reclaims the lease (as if this process had stalled past it).
    await recoverExpiredLeases(db(), clock.now + 10_000);
    await leaseJobs(db(), { owner: 'other', limit: 1, now: clock.now + 10_000, leaseMs: 3000 });
    await runUntil(clock, () => signalSeen?.aborted === true, 5000);
    finish?.(undefined);
    await runUntil(clock, () => lost.length === 1, 10_000);
    const job = await getJob(db(), 'job-000');
    expect(job).to.include({ status: 'running', leaseOwner: 'other' });
  });

  it('starts a job as soon as it is enqueued and woken', async () => {
    const started: number[] = [];
    const handler: JobHandler = { run: async () => void started.push(Date.now()) };
    scheduler = testScheduler(db(), { test: handler }, { idleTickMs: 60_000 });
    await scheduler.start();
    await clock.tickAsync(1000);
    await enqueue(db(), testJobs(1), clock.now);
    scheduler.wake();
    await clock.tickAsync(1);
    expect(started).to.deep.equal([T0 + 1000]);
  });

  it('emits capacity when slots free up and nothing is waiting', async () => {
    const handler: JobHandler = { run: () => new Promise((resolve) => setTimeout(() => resolve(undefined), 100)) };
    await enqueue(db(), testJobs(3), T0);
    scheduler = testScheduler(db(), { test: handler });
    const capacity: number[] = [];
    scheduler.on('capacity', (free) => capacity.push(free));
    await scheduler.start();
    await runUntil(clock, async () => (await counts()).succeeded === 3);
    expect(capacity.at(-1)).to.equal(2);
    expect(capacity).to.include(1);
  });

  describe('graceful stop', () => {
    it('lets running jobs finish within the grace', async () => {
      const handler: JobHandler = {
        run: () => new Promise((resolve) => setTimeout(() => resolve({ done: true }), 1000)),
      };
      await enqueue(db(), testJobs(3), T0);
      scheduler = testScheduler(db(), { test: handler });
      await scheduler.start();
      await runUntil(clock, () => scheduler?.runningCount === 2);
      const stopping = scheduler.stop(10_000);
      await clock.tickAsync(1500);
      await stopping;
      expect(await counts()).to.include({ succeeded: 2, queued: 1, running: 0 });
    });

    it('after the grace, aborts the rest and requeues them without spending an attempt', async () => {
      const handler: JobHandler = { run: ({ signal }) => untilAborted(signal) };
      await enqueue(db(), testJobs(2), T0);
      scheduler = testScheduler(db(), { test: handler });
      await scheduler.start();
      await runUntil(clock, () => scheduler?.runningCount === 2);
      const stopping = scheduler.stop(4000);
      let stopped = false;
      void stopping.then(() => {
        stopped = true;
      });
      await clock.tickAsync(1000);
      expect(stopped, 'still within the grace').to.equal(false);
      await clock.tickAsync(3500);
      await stopping;
      expect(clock.now - T0).to.be.below(4600);
      const job = await getJob(db(), 'job-000');
      expect(job).to.include({ status: 'queued', attempts: 0 });
      expect((await getAttempts(db(), 'job-000'))[0]?.outcome).to.equal('released');
    });
  });

  it('discards the partial work of a job that recovery ends as failed (attempts spent)', async () => {
    await enqueue(db(), testJobs(1, { maxAttempts: 1 }), T0);
    await leaseJobs(db(), { owner: 'dead-process', limit: 1, now: T0, leaseMs: 30_000 });
    const discarded: string[] = [];
    const handler: JobHandler = { run: async () => undefined, discard: async (job) => void discarded.push(job.id) };
    scheduler = testScheduler(db(), { test: handler });
    expect(await scheduler.start()).to.deep.equal([{ id: 'job-000', type: 'test', status: 'failed' }]);
    await clock.tickAsync(1);
    expect(discarded).to.deep.equal(['job-000']);
  });

  it('requeues at start what an earlier process left running and runs it at once', async () => {
    await enqueue(db(), testJobs(1), T0);
    await leaseJobs(db(), { owner: 'dead-process', limit: 1, now: T0, leaseMs: 30_000 });
    const handler: JobHandler = { run: async () => ({ ran: true }) };
    scheduler = testScheduler(db(), { test: handler });
    const recovered = await scheduler.start();
    expect(recovered).to.deep.equal([{ id: 'job-000', type: 'test', status: 'queued' }]);
    await clock.tickAsync(10);
    expect(await getJob(db(), 'job-000')).to.deep.include({ status: 'succeeded', attempts: 2 });
  });
});

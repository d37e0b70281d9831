/**
 * Keeps exactly min(concurrency, due jobs) running.
 *
 *   wake (enqueue, retry, a job finished, the next run_at, idle tick)
 *     → pump: one transaction settles every finished attempt and leases into the free slots
 *     → launch leased jobs; when slots stay free, emit `capacity` and sleep until the next run_at
 *
 * Settling and leasing share one transaction (group commit): under load, one fsync serves
 * many jobs. A heartbeat (at most once a second) extends leases and stores progress; a lost
 * lease or a cancel request aborts the job's signal. Memory holds only handles (abort
 * controllers, timers); every fact lives in the database.
 */

import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../clock.js';
import type { Db } from '../db/connection.js';
import { abortFor } from './abort-reasons.js';
import { type BackoffPolicy, fullJitterDelayMs } from './backoff.js';
import { drainAttempts } from './drain.js';
import type { HandlerRegistry } from './handler.js';
import type { Job, JsonObject, LeasedJob } from './job.js';
import { LeaseHeartbeat, type TrackedAttempt } from './lease-heartbeat.js';
import { type RunningAttempt, runAttempt } from './run-attempt.js';
import {
  type CancelResult,
  cancelJob,
  leaseJobs,
  nextRunAt,
  type RecoveredJob,
  recoverExpiredLeases,
  recoverInterrupted,
  type Settlement,
  type SettleResult,
  settleJobs,
} from './store/index.js';

export interface SchedulerOptions {
  db: Db;
  handlers: HandlerRegistry;
  concurrency: number;
  leaseMs: number;
  jobTimeoutMs: number;
  backoff: BackoffPolicy;
  logger: Logger;
  clock?: Clock;
  random?: () => number;
  owner?: string;
  /** Longest sleep with nothing due: sweeps expired leases, sees rows other tools wrote. */
  idleTickMs?: number;
  /** Progress is stored at most this often (it rides on the heartbeat). */
  progressIntervalMs?: number;
}

export interface SettledEvent {
  job: LeasedJob;
  result: SettleResult;
  durationMs: number;
  /** What the handler returned, when it succeeded. */
  output: JsonObject | null;
}

export interface SchedulerEvents {
  started: [job: LeasedJob];
  settled: [event: SettledEvent];
  capacity: [free: number];
  recovered: [jobs: RecoveredJob[], reason: 'restart' | 'lease_expired'];
  leaseLost: [job: LeasedJob];
}

type Active = TrackedAttempt;

interface Finished {
  active: Active;
  settlement: Settlement | null;
}

type State = 'new' | 'running' | 'stopping' | 'stopped';

const DB_RETRY: BackoffPolicy = { baseMs: 100, maxMs: 30_000 };

export function newOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export class Scheduler extends EventEmitter<SchedulerEvents> {
  readonly owner: string;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly idleTickMs: number;
  private readonly active = new Map<string, Active>();
  private readonly finished: Finished[] = [];
  private state: State = 'new';
  private pumping: Promise<void> | undefined;
  private again = false;
  private pumpQueued = false;
  private dbFailures = 0;
  private wakeTimer: NodeJS.Timeout | undefined;
  private readonly heartbeat: LeaseHeartbeat;

  constructor(private readonly options: SchedulerOptions) {
    super();
    this.owner = options.owner ?? newOwnerId();
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.idleTickMs = options.idleTickMs ?? 5000;
    this.heartbeat = new LeaseHeartbeat({
      db: options.db,
      clock: this.clock,
      logger: options.logger,
      leaseMs: options.leaseMs,
      everyMs: Math.min(options.progressIntervalMs ?? 1000, options.leaseMs / 3),
      attempts: this.active,
    });
  }

  get concurrency(): number {
    return this.options.concurrency;
  }

  /** Jobs whose attempt this process is running now. */
  get runningCount(): number {
    return this.active.size;
  }

  get isRunning(): boolean {
    return this.state === 'running';
  }

  /** Requeues what a dead process left running, then starts leasing. */
  async start(): Promise<RecoveredJob[]> {
    if (this.state !== 'new') throw new Error('scheduler already started');
    const now = this.clock.now();
    const recovered = await this.options.db.transaction().execute((trx) => recoverInterrupted(trx, this.owner, now));
    if (recovered.length > 0) {
      this.options.logger.warn({ jobs: recovered.length }, 'requeued jobs interrupted by an earlier stop or crash');
      this.emit('recovered', recovered, 'restart');
      this.discardEnded(recovered);
    }
    this.state = 'running';
    this.heartbeat.start();
    this.wake();
    return recovered;
  }

  /** Look for work soon (coalesced: many wakes in one tick make one pump). */
  wake(): void {
    if (this.state !== 'running' && this.finished.length === 0) return;
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      void this.pump();
    });
  }

  /** Cancel a job: queued ones at once, running ones through their abort signal. */
  async cancel(id: string): Promise<CancelResult> {
    const result = await cancelJob(this.options.db, id, this.clock.now());
    if (result.outcome === 'requested') this.active.get(id)?.attempt.abort(abortFor.cancelled());
    if (result.outcome === 'done') void this.discard(result.job);
    return result;
  }

  /**
   * Stop leasing, let running jobs finish for up to `graceMs`, then abort the rest and put them
   * back to `queued` without spending their attempt. Resolves when every outcome is written.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    clearTimeout(this.wakeTimer);
    await drainAttempts(this.active, graceMs, this.clock, this.options.logger);
    for (let tries = 0; this.finished.length > 0 && tries < 5; tries++) await this.pump();
    this.heartbeat.stop();
    this.state = 'stopped';
  }

  private pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return this.pumping;
    }
    this.pumping = (async () => {
      do {
        this.again = false;
        await this.cycle();
      } while (this.again);
    })().finally(() => {
      this.pumping = undefined;
    });
    return this.pumping;
  }

  private async cycle(): Promise<void> {
    const finished = this.finished.splice(0);
    const settlements = finished.flatMap((f) =>
      f.settlement ? [{ ...f.settlement, progress: f.active.progress }] : [],
    );
    const free = this.state === 'running' ? this.options.concurrency - this.active.size : 0;
    if (finished.length === 0 && free <= 0) return;

    const now = this.clock.now();
    let results: SettleResult[] = [];
    let leased: LeasedJob[] = [];
    try {
      await this.options.db.transaction().execute(async (trx) => {
        results = await settleJobs(trx, settlements, now, this.owner);
        leased =
          free > 0 ? await leaseJobs(trx, { owner: this.owner, limit: free, now, leaseMs: this.options.leaseMs }) : [];
      });
      this.dbFailures = 0;
    } catch (error) {
      // Keep the outcomes and try again later: a locked or full database must not lose them.
      this.finished.unshift(...finished);
      this.dbFailures++;
      const delay = fullJitterDelayMs(this.dbFailures, DB_RETRY, this.random);
      this.options.logger.error({ err: error, retryInMs: delay }, 'scheduler could not write to the database');
      this.armWakeTimer(delay);
      return;
    }

    for (const job of leased) this.launch(job, now);
    const byId = new Map(results.map((r) => [r.id, r]));
    for (const { active, settlement } of finished) this.reportSettled(active, settlement, byId, now);

    if (this.state !== 'running') return;
    const freeAfter = this.options.concurrency - this.active.size;
    // Also after a finish refilled its slot from local work: that local work is gone, so the
    // poller may top its prefetch up again.
    if (freeAfter > 0 || finished.length > 0) this.emit('capacity', freeAfter);
    if (freeAfter > 0) {
      await this.sleepUntilDue();
    } else {
      this.armWakeTimer(this.idleTickMs);
    }
  }

  private launch(job: LeasedJob, now: number): void {
    let child: Logger | undefined;
    const logger = () => {
      child ??= this.options.logger.child({ jobId: job.id, attempt: job.attempts });
      return child;
    };
    const entry: Active = {
      logger,
      startedAt: now,
      lastBeatAt: now,
      progress: undefined,
      progressDirty: false,
      attempt: undefined as unknown as RunningAttempt,
    };
    entry.attempt = runAttempt(job, {
      handler: this.options.handlers.get(job.type),
      clock: this.clock,
      backoff: this.options.backoff,
      random: this.random,
      jobTimeoutMs: this.options.jobTimeoutMs,
      logger,
      onProgress: (bytes, totalBytes) => {
        entry.progress = { bytes, totalBytes };
        entry.progressDirty = true;
      },
    });
    this.active.set(job.id, entry);
    if (this.options.logger.isLevelEnabled('debug')) logger().debug({ type: job.type }, 'job started');
    this.emit('started', job);
    void entry.attempt.done.then((settlement) => {
      this.active.delete(job.id);
      this.finished.push({ active: entry, settlement });
      this.wake();
    });
  }

  private reportSettled(
    active: Active,
    settlement: Settlement | null,
    results: Map<string, SettleResult>,
    now: number,
  ): void {
    const { job } = active.attempt;
    const result = (settlement && results.get(job.id)) || {
      id: job.id,
      kind: settlement?.kind ?? 'released',
      applied: false,
      status: null,
    };
    const durationMs = now - active.startedAt;
    if (!result.applied) {
      active.logger().warn('job outcome discarded: its lease was lost (expired or recovered elsewhere)');
      this.emit('leaseLost', job);
    } else {
      const error = settlement && 'error' in settlement ? settlement.error : undefined;
      const level = result.status === 'failed' ? 'warn' : 'info';
      if (this.options.logger.isLevelEnabled(level)) {
        const retryAt = settlement?.kind === 'failed' && result.status === 'queued' ? settlement.retryAt : undefined;
        const message = retryAt !== undefined ? 'job attempt failed; retrying later' : `job ${result.status}`;
        const fields = {
          status: result.status,
          durationMs,
          error,
          retryAt: retryAt && new Date(retryAt).toISOString(),
        };
        active.logger()[level](fields, message);
      }
      if (result.status === 'failed' || result.status === 'cancelled') void this.discard(job);
    }
    const output = settlement?.kind === 'succeeded' ? settlement.result : null;
    this.emit('settled', { job, result, durationMs, output });
  }

  /** Recovered jobs that ended failed or cancelled leave no partial work behind either. */
  private discardEnded(recovered: RecoveredJob[]): void {
    for (const job of recovered) if (job.status !== 'queued') void this.discard(job);
  }

  private async discard(job: Pick<Job, 'id' | 'type'>): Promise<void> {
    try {
      await this.options.handlers.get(job.type)?.discard?.(job);
    } catch (error) {
      this.options.logger.error({ err: error, jobId: job.id }, 'could not remove the partial work of a finished job');
    }
  }

  private async sleepUntilDue(): Promise<void> {
    try {
      const due = await nextRunAt(this.options.db);
      const delay =
        due === undefined ? this.idleTickMs : Math.min(Math.max(0, due - this.clock.now()), this.idleTickMs);
      this.armWakeTimer(delay);
    } catch (error) {
      this.options.logger.error({ err: error }, 'scheduler could not read the next due time');
      this.armWakeTimer(this.idleTickMs);
    }
  }

  private armWakeTimer(delayMs: number): void {
    clearTimeout(this.wakeTimer);
    this.wakeTimer = setTimeout(() => void this.onTimer(), delayMs).unref();
  }

  private async onTimer(): Promise<void> {
    if (this.state !== 'running') return;
    try {
      const now = this.clock.now();
      const recovered = await this.options.db.transaction().execute((trx) => recoverExpiredLeases(trx, now));
      if (recovered.length > 0) {
        this.options.logger.warn({ jobs: recovered.map((r) => r.id) }, 'requeued jobs whose lease expired');
        this.emit('recovered', recovered, 'lease_expired');
        this.discardEnded(recovered);
      }
    } catch (error) {
      this.options.logger.error({ err: error }, 'expired-lease sweep failed');
    }
    await this.pump();
  }
}

/**
 * The heartbeat of the attempts a scheduler runs: at most once per tick (a second by default,
 * and never less often than a third of the lease), one statement extends the leases that need
 * it and stores the progress that changed. A lease found lost, or a cancel requested by someone
 * else, aborts that attempt's signal.
 */
import type { Clock } from '../clock.js';
import type { Db } from '../db/connection.js';
import type { Logger } from '../logger.js';
import { abortFor } from './abort-reasons.js';
import type { RunningAttempt } from './run-attempt.js';
import { heartbeatJobs } from './store/index.js';

/** What the scheduler tracks for an attempt in progress. */
export interface TrackedAttempt {
  attempt: RunningAttempt;
  /** The job's child logger (jobId, attempt), made on first use: most jobs never need one. */
  logger: () => Logger;
  startedAt: number;
  lastBeatAt: number;
  progress: { bytes: number; totalBytes: number | null } | undefined;
  progressDirty: boolean;
}

export interface HeartbeatOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  leaseMs: number;
  everyMs: number;
  attempts: ReadonlyMap<string, TrackedAttempt>;
}

export class LeaseHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private beating = false;

  constructor(private readonly options: HeartbeatOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.beat(), this.options.everyMs).unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async beat(): Promise<void> {
    const { attempts, leaseMs } = this.options;
    if (this.beating || attempts.size === 0) return;
    const now = this.options.clock.now();
    // A lease is extended a third of the way in, so two heartbeats can be late before it expires.
    const due = [...attempts.values()].filter((a) => a.progressDirty || now - a.lastBeatAt >= leaseMs / 3);
    if (due.length === 0) return;
    this.beating = true;
    try {
      const beats = due.map(({ attempt: { job }, progress }) => ({ id: job.id, token: job.leaseToken, progress }));
      for (const a of due) a.progressDirty = false;
      const { lost, cancelRequested } = await heartbeatJobs(this.options.db, beats, now, leaseMs);
      for (const a of due) a.lastBeatAt = now;
      for (const id of lost) attempts.get(id)?.attempt.abort(abortFor.leaseLost());
      for (const id of cancelRequested) attempts.get(id)?.attempt.abort(abortFor.cancelled());
    } catch (error) {
      for (const a of due) a.progressDirty = a.progress !== undefined;
      this.options.logger.error({ err: error }, 'heartbeat failed; leases not extended');
    } finally {
      this.beating = false;
    }
  }
}

/**
 * Periodic upkeep, scheduled with node-cron (in-process; overlapping runs are skipped):
 *
 *  - every MAINTENANCE_CRON (default every 10 min): requeue jobs whose lease expired, remove
 *    orphaned `.part` files (and expired download folders), a passive WAL checkpoint;
 *  - every PRUNE_CRON (default hourly): delete finished jobs past their retention in chunks
 *    (failed jobs are kept longer), then PRAGMA optimize, an incremental vacuum and a
 *    truncating WAL checkpoint.
 *
 * Every task takes its time from the injected clock, so tests run them with a fake one.
 */

import { sql } from 'kysely';
import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../clock.js';
import type { Db } from '../db/connection.js';
import { type FinishedStatus, pruneChunk, recoverExpiredLeases } from '../jobs/store/index.js';
import type { Logger } from '../logger.js';
import { sweepDownloads } from './download-files.js';

const DAY = 86_400_000;
/** Rows per prune transaction: a few milliseconds of write lock each. */
export const PRUNE_CHUNK = 500;
/** Pages given back to the file system per maintenance run. */
const VACUUM_PAGES = 2000;

export interface MaintenanceOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  downloadDir: string;
  jobRetentionDays: number;
  failedJobRetentionDays: number;
  downloadRetentionDays: number | undefined;
  pruneChunk?: number;
}

export interface PruneResult {
  deleted: Record<FinishedStatus, number>;
  chunks: number;
}

const yieldToOthers = () => new Promise((resolve) => setImmediate(resolve));

export class Maintenance {
  private tasks: ScheduledTask[] = [];
  private readonly runs = new Set<Promise<unknown>>();

  constructor(private readonly options: MaintenanceOptions) {}

  /** Deletes finished jobs past their retention, a chunk per transaction. */
  async prune(): Promise<PruneResult> {
    const { db, clock, jobRetentionDays, failedJobRetentionDays } = this.options;
    const limit = this.options.pruneChunk ?? PRUNE_CHUNK;
    const now = clock.now();
    const cutoffs: Record<FinishedStatus, number> = {
      succeeded: now - jobRetentionDays * DAY,
      cancelled: now - jobRetentionDays * DAY,
      rejected: now - jobRetentionDays * DAY,
      failed: now - failedJobRetentionDays * DAY,
    };
    const result: PruneResult = { deleted: { succeeded: 0, cancelled: 0, rejected: 0, failed: 0 }, chunks: 0 };
    for (const [status, before] of Object.entries(cutoffs) as [FinishedStatus, number][]) {
      for (;;) {
        const ids = await pruneChunk(db, status, before, limit);
        result.deleted[status] += ids.length;
        if (ids.length > 0) result.chunks++;
        if (ids.length < limit) break;
        await yieldToOthers();
      }
    }
    return result;
  }

  /** The frequent, cheap tasks. */
  async light() {
    const { db, clock, downloadDir, downloadRetentionDays } = this.options;
    const now = clock.now();
    const recovered = await db.transaction().execute((trx) => recoverExpiredLeases(trx, now));
    const files = await sweepDownloads(db, downloadDir, {
      now,
      retentionMs: downloadRetentionDays === undefined ? undefined : downloadRetentionDays * DAY,
    });
    await db.connection().execute((conn) => sql`PRAGMA wal_checkpoint(PASSIVE)`.execute(conn));
    return { leasesRecovered: recovered.length, ...files };
  }

  /** Retention, then giving space back and keeping the query planner's statistics fresh. */
  async heavy() {
    const pruned = await this.prune();
    await this.options.db.connection().execute(async (conn) => {
      await sql`PRAGMA optimize`.execute(conn);
      await sql.raw(`PRAGMA incremental_vacuum(${VACUUM_PAGES})`).execute(conn);
      await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(conn);
    });
    return pruned;
  }

  schedule(lightCron: string, heavyCron: string): void {
    this.tasks = [
      this.cronTask('maintenance', lightCron, () => this.light()),
      this.cronTask('prune', heavyCron, () => this.heavy()),
    ];
  }

  /** Stops the schedule and waits for a run in progress (a prune ends after its current chunk). */
  async stop(): Promise<void> {
    await Promise.all(this.tasks.map((task) => task.destroy()));
    this.tasks = [];
    await Promise.allSettled(this.runs);
  }

  private cronTask(name: string, expression: string, run: () => Promise<unknown>): ScheduledTask {
    const { logger } = this.options;
    return cron.schedule(
      expression,
      async () => {
        const started = this.options.clock.now();
        const running = run();
        this.runs.add(running);
        try {
          const outcome = await running;
          logger.info({ task: name, durationMs: this.options.clock.now() - started, outcome }, 'maintenance done');
        } catch (error) {
          // A failed run is logged and tried again at the next tick; it never stops the server.
          logger.error({ err: error, task: name }, 'maintenance failed');
        } finally {
          this.runs.delete(running);
        }
      },
      { name, noOverlap: true, unref: true, logger: cronLogger(logger) },
    );
  }
}

function cronLogger(logger: Logger) {
  return {
    info: (message: string) => logger.debug({ source: 'node-cron' }, message),
    warn: (message: string) => logger.warn({ source: 'node-cron' }, message),
    error: (message: string | Error, err?: Error) =>
      logger.error({ source: 'node-cron', err: err ?? message }, String(message)),
    debug: (message: string | Error) => logger.debug({ source: 'node-cron' }, String(message)),
  };
}

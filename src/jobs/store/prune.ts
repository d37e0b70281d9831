/**
 * Retention: delete finished jobs (and, by cascade, their attempt history) older than a cutoff,
 * in small chunks, each its own short transaction, so pruning a large backlog never holds the
 * write lock for long: the scheduler and the poller commit between chunks.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/connection.js';
import type { JobStatus } from '../job.js';

export type FinishedStatus = Extract<JobStatus, 'succeeded' | 'failed' | 'cancelled' | 'rejected'>;

/**
 * Deletes up to `limit` jobs of `status` created and finished before `before`, oldest first.
 * Walks jobs_status_history (status, created_at): an index seek however large the table.
 */
export async function pruneChunk(db: Db, status: FinishedStatus, before: number, limit: number): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    DELETE FROM jobs WHERE seq IN (
      SELECT seq FROM jobs INDEXED BY jobs_status_history
      WHERE status = ${status} AND created_at < ${before} AND finished_at < ${before}
      ORDER BY created_at
      LIMIT ${limit}
    )
    RETURNING id
  `.execute(db);
  return rows.map((row) => row.id);
}

/** Finished jobs of these ids (the rest are queued, running, or gone). */
export async function finishedAtOf(db: Db, ids: readonly string[]): Promise<Map<string, number | null>> {
  const { rows } = await sql<{ id: string; finished_at: number | null }>`
    SELECT id, finished_at FROM jobs WHERE id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))
  `.execute(db);
  return new Map(rows.map((row) => [row.id, row.finished_at]));
}

/**
 * Operator commands: cancel and retry. Each is one guarded statement; when the guard refuses,
 * the caller learns the job's current status (for a 409) or that it does not exist (404).
 */
import { sql } from 'kysely';
import type { Db } from '../../db/connection.js';
import { type Job, type JobRow, type JobStatus, rowToJob } from '../job.js';

export type CommandResult =
  | { outcome: 'done'; job: Job }
  | { outcome: 'conflict'; status: JobStatus }
  | { outcome: 'not_found' };

export type CancelResult =
  | CommandResult
  /** The job is running: the request is recorded; the worker holding it aborts and settles it. */
  | { outcome: 'requested'; job: Job };

async function currentStatus(db: Db, id: string): Promise<CommandResult> {
  const row = await db.selectFrom('jobs').select('status').where('id', '=', id).executeTakeFirst();
  return row ? { outcome: 'conflict', status: row.status as JobStatus } : { outcome: 'not_found' };
}

/** failed/cancelled → queued: attempts reset, error and result cleared, attempt history kept. */
export async function retryJob(db: Db, id: string, now: number): Promise<CommandResult> {
  const { rows } = await sql<JobRow>`
    UPDATE jobs
    SET status = 'queued', attempts = 0, run_at = ${now}, updated_at = ${now},
        started_at = NULL, finished_at = NULL, cancel_requested = 0,
        error = NULL, result = NULL, progress_bytes = NULL, progress_total = NULL
    WHERE id = ${id} AND status IN ('failed', 'cancelled')
    RETURNING *
  `.execute(db);
  const row = rows[0];
  return row ? { outcome: 'done', job: rowToJob(row) } : currentStatus(db, id);
}

/** queued → cancelled at once; running → cancel requested (durable, survives a crash). */
export async function cancelJob(db: Db, id: string, now: number): Promise<CancelResult> {
  const cancelled = await sql<JobRow>`
    UPDATE jobs
    SET status = 'cancelled', finished_at = ${now}, updated_at = ${now},
        error = ${JSON.stringify({ code: 'cancelled', message: 'cancelled by request', retryable: false })}
    WHERE id = ${id} AND status = 'queued'
    RETURNING *
  `.execute(db);
  const row = cancelled.rows[0];
  if (row) return { outcome: 'done', job: rowToJob(row) };

  const requested = await sql<JobRow>`
    UPDATE jobs SET cancel_requested = 1, updated_at = ${now}
    WHERE id = ${id} AND status = 'running'
    RETURNING *
  `.execute(db);
  const running = requested.rows[0];
  if (running) return { outcome: 'requested', job: rowToJob(running) };
  return currentStatus(db, id);
}

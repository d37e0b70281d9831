/**
 * Reads: one job, its attempts, history pages (keyset, newest first), counts and timings.
 * Every query here is an index seek; none grows with the size of the history.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/connection.js';
import { JOB_STATUSES, type Job, type JobErrorInfo, type JobStatus, rowToJob } from '../job.js';

export async function getJob(db: Db, id: string): Promise<Job | undefined> {
  const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  return row && rowToJob(row);
}

export interface JobAttempt {
  attempt: number;
  owner: string;
  startedAt: number;
  finishedAt: number | null;
  outcome: string | null;
  error: JobErrorInfo | null;
}

export async function getAttempts(db: Db, jobId: string): Promise<JobAttempt[]> {
  const rows = await db
    .selectFrom('job_attempts')
    .select(['attempt', 'owner', 'started_at', 'finished_at', 'outcome', 'error'])
    .where('job_id', '=', jobId)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    attempt: row.attempt,
    owner: row.owner,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    outcome: row.outcome,
    error: row.error === null ? null : (JSON.parse(row.error) as JobErrorInfo),
  }));
}

export type StatusCounts = Record<JobStatus, number>;

/** Kept by triggers: O(1) however long the history. */
export async function countByStatus(db: Db): Promise<StatusCounts> {
  const rows = await db.selectFrom('job_status_counts').select(['status', 'count']).execute();
  const counts = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as StatusCounts;
  for (const row of rows) counts[row.status as JobStatus] = row.count;
  return counts;
}

/** When the next queued job falls due (undefined when none is queued). */
export async function nextRunAt(db: Db): Promise<number | undefined> {
  const { rows } = await sql<{ run_at: number }>`
    SELECT run_at FROM jobs INDEXED BY jobs_ready WHERE status = 'queued' ORDER BY run_at, seq LIMIT 1
  `.execute(db);
  return rows[0]?.run_at;
}

export async function oldestQueuedAt(db: Db): Promise<number | undefined> {
  const row = await db
    .selectFrom('jobs')
    .select('created_at')
    .where('status', '=', 'queued')
    .orderBy('created_at')
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
  return row?.created_at;
}

export async function countFinishedSince(db: Db, since: number): Promise<number> {
  const row = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('finished_at', '>=', since)
    .executeTakeFirstOrThrow();
  return row.n;
}

/** Queued jobs due by `now`, counted up to `limit` (enough to know whether a node has room). */
export async function countReady(db: Db, now: number, limit: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*) AS n FROM (
      SELECT 1 FROM jobs INDEXED BY jobs_ready WHERE status = 'queued' AND run_at <= ${now} LIMIT ${limit}
    )
  `.execute(db);
  return rows[0]?.n ?? 0;
}

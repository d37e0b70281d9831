/**
 * Lease up to `limit` due jobs in one statement, oldest due first, and open an attempt row for
 * each. The attempt counter is spent here, at the start of the work, so a crash mid-attempt
 * still counts it and a job that kills the process every time ends `failed`, never loops.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/connection.js';
import { type JobRow, type LeasedJob, rowToJob } from '../job.js';

export interface LeaseRequest {
  owner: string;
  limit: number;
  now: number;
  leaseMs: number;
}

export async function leaseJobs(db: Db, { owner, limit, now, leaseMs }: LeaseRequest): Promise<LeasedJob[]> {
  if (limit <= 0) return [];
  // randomblob() is evaluated per row, so every lease gets its own token.
  const leased = await sql<JobRow>`
    UPDATE jobs
    SET status = 'running',
        attempts = attempts + 1,
        lease_owner = ${owner},
        lease_token = lower(hex(randomblob(16))),
        lease_expires_at = ${now + leaseMs},
        started_at = ${now},
        updated_at = ${now},
        progress_bytes = NULL,
        progress_total = NULL
    WHERE seq IN (
      SELECT seq FROM jobs
      WHERE status = 'queued' AND run_at <= ${now}
      ORDER BY run_at, seq
      LIMIT ${limit}
    )
    RETURNING *
  `.execute(db);
  if (leased.rows.length === 0) return [];

  const attempts = leased.rows.map((row) => ({ job: row.id, attempt: row.attempts, token: row.lease_token }));
  await sql`
    INSERT INTO job_attempts (job_id, attempt, lease_token, owner, started_at)
    SELECT j.value ->> 'job', j.value ->> 'attempt', j.value ->> 'token', ${owner}, ${now}
    FROM json_each(${JSON.stringify(attempts)}) AS j
  `.execute(db);

  // RETURNING order is unspecified; run in due order.
  return leased.rows.sort((a, b) => a.run_at - b.run_at || a.seq - b.seq).map((row) => rowToJob(row) as LeasedJob);
}

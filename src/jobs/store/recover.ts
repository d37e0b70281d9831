/**
 * Give back jobs whose worker is gone: at start-up, every `running` row left by an earlier
 * process (it is dead: one process owns a database file); on a timer, every lease that expired.
 * run_at is kept, so a recovered job is first in line again. The interrupted attempt stays
 * counted and is written to the history; a job whose attempts are spent ends `failed` (so a job
 * that crashes the process cannot loop), and a job whose cancel was requested ends `cancelled`.
 * Call inside a transaction: history and state change together.
 */
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../db/connection.js';
import type { JobErrorInfo } from '../job.js';

export interface RecoveredJob {
  id: string;
  type: string;
  status: 'queued' | 'failed' | 'cancelled';
}

const INTERRUPTED: JobErrorInfo = {
  code: 'interrupted',
  message: 'the process running this job stopped before it finished',
  retryable: true,
};
const CANCELLED: JobErrorInfo = { code: 'cancelled', message: 'cancelled by request', retryable: false };
const LEASE_EXPIRED: JobErrorInfo = {
  code: 'lease_expired',
  message: 'the lease expired before the job finished (no heartbeat)',
  retryable: true,
};

async function recover(
  db: Db,
  which: RawBuilder<unknown>,
  now: number,
  reason: JobErrorInfo,
  outcome: 'interrupted' | 'lease_expired',
): Promise<RecoveredJob[]> {
  const spentError = JSON.stringify({ ...reason, message: `${reason.message}; no attempts left`, retryable: false });
  // History first: the update below clears the lease owner it records.
  await sql`
    INSERT INTO job_attempts (job_id, attempt, owner, started_at, finished_at, outcome, error)
    SELECT id, attempts, lease_owner, started_at, ${now}, ${outcome}, ${JSON.stringify(reason)}
    FROM jobs
    WHERE status = 'running' AND ${which}
  `.execute(db);
  const { rows } = await sql<RecoveredJob>`
    UPDATE jobs
    SET status = CASE WHEN cancel_requested THEN 'cancelled'
                      WHEN attempts >= max_attempts THEN 'failed'
                      ELSE 'queued' END,
        error = CASE WHEN cancel_requested THEN ${JSON.stringify(CANCELLED)}
                     WHEN attempts >= max_attempts THEN ${spentError}
                     ELSE ${JSON.stringify(reason)} END,
        finished_at = CASE WHEN cancel_requested OR attempts >= max_attempts THEN ${now} ELSE NULL END,
        updated_at = ${now},
        lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
    WHERE status = 'running' AND ${which}
    RETURNING id, type, status
  `.execute(db);
  return rows.map(({ id, type, status }) => ({ id, type, status }));
}

/** At start-up: every running row not owned by `owner` belongs to a process that is gone. */
export function recoverInterrupted(db: Db, owner: string, now: number): Promise<RecoveredJob[]> {
  return recover(db, sql`lease_owner IS NOT ${owner}`, now, INTERRUPTED, 'interrupted');
}

export function recoverExpiredLeases(db: Db, now: number): Promise<RecoveredJob[]> {
  return recover(db, sql`lease_expires_at < ${now}`, now, LEASE_EXPIRED, 'lease_expired');
}

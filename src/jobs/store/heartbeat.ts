/**
 * Extend the leases this process holds and store download progress, in one statement for all
 * of them. A lease that is gone (expired and recovered, or the job was settled elsewhere) is
 * reported as lost so the scheduler stops that work; a cancel request is reported too.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/connection.js';

export interface Heartbeat {
  id: string;
  token: string;
  progress?: { bytes: number; totalBytes: number | null };
}

export interface HeartbeatOutcome {
  /** Jobs whose lease this process no longer holds: their work must stop, their results are void. */
  lost: string[];
  /** Jobs an operator asked to cancel while they ran. */
  cancelRequested: string[];
}

export async function heartbeatJobs(
  db: Db,
  beats: readonly Heartbeat[],
  now: number,
  leaseMs: number,
): Promise<HeartbeatOutcome> {
  if (beats.length === 0) return { lost: [], cancelRequested: [] };
  const batch = beats.map((beat) => ({
    id: beat.id,
    token: beat.token,
    bytes: beat.progress?.bytes ?? null,
    total: beat.progress?.totalBytes ?? null,
    hasProgress: beat.progress ? 1 : 0,
  }));
  const held = await sql<{ id: string; cancel_requested: number }>`
    UPDATE jobs
    SET lease_expires_at = ${now + leaseMs},
        progress_bytes = CASE WHEN j.value ->> 'hasProgress' THEN j.value ->> 'bytes' ELSE progress_bytes END,
        progress_total = CASE WHEN j.value ->> 'hasProgress' THEN j.value ->> 'total' ELSE progress_total END
    FROM json_each(${JSON.stringify(batch)}) AS j
    WHERE jobs.id = j.value ->> 'id' AND jobs.lease_token = j.value ->> 'token' AND +jobs.status = 'running'
    RETURNING jobs.id, jobs.cancel_requested
  `.execute(db);
  const kept = new Set(held.rows.map((row) => row.id));
  return {
    lost: beats.filter((beat) => !kept.has(beat.id)).map((beat) => beat.id),
    cancelRequested: held.rows.filter((row) => row.cancel_requested === 1).map((row) => row.id),
  };
}

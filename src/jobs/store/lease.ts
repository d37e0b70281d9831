/**
 * Lease up to `limit` due jobs in one statement, oldest due first. The attempt counter is spent
 * here, at the start of the work, so a crash mid-attempt still counts it and a job that kills
 * the process every time ends `failed`, never loops.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/connection.js';
import type { JobSource, LeasedJob } from '../job.js';

interface LeasedRow {
  seq: number;
  id: string;
  type: string;
  source: string;
  url: string | null;
  metadata: string;
  attempts: number;
  max_attempts: number;
  run_at: number;
  created_at: number;
  lease_token: string;
}

export interface LeaseRequest {
  owner: string;
  limit: number;
  now: number;
  leaseMs: number;
}

export async function leaseJobs(db: Db, { owner, limit, now, leaseMs }: LeaseRequest): Promise<LeasedJob[]> {
  if (limit <= 0) return [];
  // randomblob() is evaluated per row, so every lease gets its own token.
  // Only the columns a handler needs come back: materialising whole rows doubles the cost.
  const leased = await sql<LeasedRow>`
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
      -- Without statistics SQLite may pick jobs_status_history and sort every queued row.
      SELECT seq FROM jobs INDEXED BY jobs_ready
      WHERE status = 'queued' AND run_at <= ${now}
      ORDER BY run_at, seq
      LIMIT ${limit}
    )
    RETURNING seq, id, type, source, url, metadata, attempts, max_attempts, run_at, created_at, lease_token
  `.execute(db);
  // RETURNING order is unspecified; run in due order.
  return leased.rows
    .sort((a, b) => a.run_at - b.run_at || a.seq - b.seq)
    .map((row) => ({
      seq: row.seq,
      id: row.id,
      type: row.type,
      source: row.source as JobSource,
      url: row.url,
      metadata: JSON.parse(row.metadata) as LeasedJob['metadata'],
      attempts: row.attempts,
      maxAttempts: row.max_attempts,
      runAt: row.run_at,
      createdAt: row.created_at,
      status: 'running',
      leaseToken: row.lease_token,
      leaseOwner: owner,
      leaseExpiresAt: now + leaseMs,
      startedAt: now,
    }));
}

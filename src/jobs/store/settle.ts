/**
 * End attempts: success, failure (retry or give up), cancellation, or release at shutdown.
 * Every change is guarded by `status = 'running'` and the lease token, so the outcome of a
 * lease that was lost (expired and recovered, settled twice) changes nothing and is reported
 * as not applied. Batched: one statement per kind for any number of jobs (group commit).
 *
 * Each applied settlement appends the attempt to `job_attempts`. Call inside a transaction: the
 * job row and its history change together.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/connection.js';
import type { JobErrorInfo, JobStatus, JsonObject } from '../job.js';

interface LeaseRef {
  id: string;
  token: string;
  /** The last progress the attempt reported: stored so a job that ended between heartbeats shows it. */
  progress?: { bytes: number; totalBytes: number | null } | undefined;
}

export type Settlement =
  | (LeaseRef & { kind: 'succeeded'; result: JsonObject | null })
  /** Goes back to `queued` at `retryAt` when retryable and attempts remain, else `failed`. */
  | (LeaseRef & { kind: 'failed'; error: JobErrorInfo; retryAt: number })
  | (LeaseRef & { kind: 'cancelled'; error: JobErrorInfo })
  /** Shutdown: back to `queued` at once, the attempt not spent. */
  | (LeaseRef & { kind: 'released' });

export type SettlementKind = Settlement['kind'];

export interface SettleResult {
  id: string;
  kind: SettlementKind;
  /** False when the lease was no longer held: nothing changed. */
  applied: boolean;
  /** The job's status after the change (when applied). */
  status: JobStatus | null;
}

type Row = { id: string; status: JobStatus; attempts: number; started_at: number };
type AttemptOutcome = 'succeeded' | 'retry' | 'failed' | 'cancelled' | 'released';

const CLEAR_LEASE = sql`lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL,
  progress_bytes = coalesce(j.value ->> 5, jobs.progress_bytes),
  progress_total = CASE WHEN j.value ->> 5 IS NULL THEN jobs.progress_total ELSE j.value ->> 6 END`;
// `+jobs.status` keeps SQLite from scanning every running row per batch entry: look up by id instead.
// Batch entries are positional arrays (they parse fastest):
// [id, token, payload, retryable, retryAt, progressBytes, progressTotal].
const MATCH_LEASE = sql`jobs.id = j.value ->> 0 AND jobs.lease_token = j.value ->> 1 AND +jobs.status = 'running'`;

async function succeed(db: Db, batch: string, now: number): Promise<Row[]> {
  const { rows } = await sql<Row>`
    UPDATE jobs
    SET status = 'succeeded', result = j.value ->> 2, error = NULL,
        finished_at = ${now}, updated_at = ${now}, ${CLEAR_LEASE}
    FROM json_each(${batch}) AS j
    WHERE ${MATCH_LEASE}
    RETURNING jobs.id, jobs.status, jobs.attempts, jobs.started_at
  `.execute(db);
  return rows;
}

async function fail(db: Db, batch: string, now: number): Promise<Row[]> {
  // SET expressions all read the row as it was before the update.
  const requeue = sql`(j.value ->> 3 AND jobs.attempts < jobs.max_attempts AND NOT jobs.cancel_requested)`;
  const { rows } = await sql<Row>`
    UPDATE jobs
    SET status = CASE WHEN jobs.cancel_requested THEN 'cancelled' WHEN ${requeue} THEN 'queued' ELSE 'failed' END,
        run_at = CASE WHEN ${requeue} THEN j.value ->> 4 ELSE jobs.run_at END,
        finished_at = CASE WHEN ${requeue} THEN NULL ELSE ${now} END,
        error = j.value ->> 2, updated_at = ${now}, ${CLEAR_LEASE}
    FROM json_each(${batch}) AS j
    WHERE ${MATCH_LEASE}
    RETURNING jobs.id, jobs.status, jobs.attempts, jobs.started_at
  `.execute(db);
  return rows;
}

async function cancel(db: Db, batch: string, now: number): Promise<Row[]> {
  const { rows } = await sql<Row>`
    UPDATE jobs
    SET status = 'cancelled', error = j.value ->> 2,
        finished_at = ${now}, updated_at = ${now}, ${CLEAR_LEASE}
    FROM json_each(${batch}) AS j
    WHERE ${MATCH_LEASE}
    RETURNING jobs.id, jobs.status, jobs.attempts, jobs.started_at
  `.execute(db);
  return rows;
}

async function release(db: Db, batch: string, now: number): Promise<Row[]> {
  const { rows } = await sql<Row>`
    UPDATE jobs
    SET status = CASE WHEN jobs.cancel_requested THEN 'cancelled' ELSE 'queued' END,
        attempts = jobs.attempts - 1,
        run_at = ${now},
        finished_at = CASE WHEN jobs.cancel_requested THEN ${now} ELSE NULL END,
        updated_at = ${now}, ${CLEAR_LEASE}
    FROM json_each(${batch}) AS j
    WHERE ${MATCH_LEASE}
    RETURNING jobs.id, jobs.status, jobs.attempts, jobs.started_at
  `.execute(db);
  return rows;
}

const STATEMENTS: Record<SettlementKind, (db: Db, batch: string, now: number) => Promise<Row[]>> = {
  succeeded: succeed,
  failed: fail,
  cancelled: cancel,
  released: release,
};

function attemptOutcome(kind: SettlementKind, status: JobStatus): AttemptOutcome {
  if (kind === 'released') return status === 'cancelled' ? 'cancelled' : 'released';
  if (kind === 'failed') return status === 'queued' ? 'retry' : status === 'cancelled' ? 'cancelled' : 'failed';
  return kind;
}

function serialise(settlement: Settlement): unknown[] {
  const { id, token, progress } = settlement;
  const tail = progress ? [progress.bytes, progress.totalBytes] : [null, null];
  switch (settlement.kind) {
    case 'succeeded':
      return [id, token, settlement.result === null ? null : JSON.stringify(settlement.result), null, null, ...tail];
    case 'failed':
      return [
        id,
        token,
        JSON.stringify(settlement.error),
        settlement.error.retryable ? 1 : 0,
        Math.round(settlement.retryAt),
        ...tail,
      ];
    case 'cancelled':
      return [id, token, JSON.stringify(settlement.error), null, null, ...tail];
    case 'released':
      return [id, token, null, null, null, ...tail];
  }
}

export async function settleJobs(
  db: Db,
  settlements: readonly Settlement[],
  now: number,
  owner: string,
): Promise<SettleResult[]> {
  const applied = new Map<string, Row>();
  for (const kind of Object.keys(STATEMENTS) as SettlementKind[]) {
    const group = settlements.filter((s) => s.kind === kind);
    if (group.length === 0) continue;
    for (const row of await STATEMENTS[kind](db, JSON.stringify(group.map(serialise)), now)) {
      applied.set(row.id, row);
    }
  }

  const attempts = settlements.flatMap((s) => {
    const row = applied.get(s.id);
    if (row === undefined) return [];
    return [
      [
        s.id,
        // A release gave its attempt back; the history still numbers it.
        s.kind === 'released' ? row.attempts + 1 : row.attempts,
        row.started_at,
        attemptOutcome(s.kind, row.status),
        s.kind === 'failed' || s.kind === 'cancelled' ? JSON.stringify(s.error) : null,
      ],
    ];
  });
  if (attempts.length > 0) {
    await sql`
      INSERT INTO job_attempts (job_id, attempt, owner, started_at, finished_at, outcome, error)
      SELECT j.value ->> 0, j.value ->> 1, ${owner}, j.value ->> 2, ${now}, j.value ->> 3, j.value ->> 4
      FROM json_each(${JSON.stringify(attempts)}) AS j
    `.execute(db);
  }

  return settlements.map((s) => {
    const status = applied.get(s.id)?.status ?? null;
    return { id: s.id, kind: s.kind, applied: status !== null, status };
  });
}

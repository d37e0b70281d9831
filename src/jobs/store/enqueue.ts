/**
 * Enqueue one or many jobs in one statement (one transaction), idempotent on job id and on the
 * SQS message id: a second enqueue returns the row that exists and says it was not created.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/connection.js';
import { type Job, type JobErrorInfo, type JobRow, type JobSource, type JsonObject, rowToJob } from '../job.js';

export interface NewJob {
  id: string;
  type: string;
  source: JobSource;
  sourceMessageId?: string | null;
  url: string | null;
  metadata?: JsonObject;
  maxAttempts: number;
  /** Defaults to now. */
  runAt?: number;
  /** A rejected job is stored finished, with the reason, and never runs. */
  rejected?: JobErrorInfo;
}

export interface EnqueueResult {
  job: Job;
  created: boolean;
}

export async function enqueueJobs(db: Db, jobs: readonly NewJob[], now: number): Promise<EnqueueResult[]> {
  if (jobs.length === 0) return [];
  const created = jobs.map((job) => newJobRecord(job, now));
  // One JSON parameter carries the whole batch (positional arrays parse fastest): no limit on
  // bound variables, one cached statement. `WHERE true` keeps SQLite's parser from reading
  // ON CONFLICT as part of the SELECT.
  const batch = created.map((job) => [
    job.id,
    job.type,
    job.source,
    job.sourceMessageId,
    job.status,
    job.url,
    JSON.stringify(job.metadata),
    job.maxAttempts,
    job.runAt,
    job.finishedAt,
    job.error === null ? null : JSON.stringify(job.error),
  ]);
  const inserted = await sql<{ seq: number; id: string }>`
    INSERT INTO jobs (id, type, source, source_message_id, status, url, metadata, max_attempts,
                      run_at, finished_at, error, created_at, updated_at)
    SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5,
           j.value ->> 6, j.value ->> 7, j.value ->> 8, j.value ->> 9, j.value ->> 10, ${now}, ${now}
    FROM json_each(${JSON.stringify(batch)}) AS j
    WHERE true
    ON CONFLICT DO NOTHING
    RETURNING seq, id
  `.execute(db);

  const seqs = new Map(inserted.rows.map((row) => [row.id, row.seq]));
  const missing = jobs.filter((job) => !seqs.has(job.id));
  const existing = missing.length === 0 ? [] : await findExisting(db, missing);
  const byId = new Map(existing.map((row) => [row.id, row]));
  const byMessage = new Map(existing.map((row) => [row.source_message_id, row]));

  const seen = new Set<string>();
  return created.map((job) => {
    const seq = seqs.get(job.id);
    // The same id twice in one batch: the first is created, the second finds it.
    if (seq !== undefined && !seen.has(job.id)) {
      seen.add(job.id);
      return { job: { ...job, seq }, created: true };
    }
    if (seq !== undefined) return { job: { ...job, seq }, created: false };
    const found = byId.get(job.id) ?? (job.sourceMessageId ? byMessage.get(job.sourceMessageId) : undefined);
    if (!found) throw new Error(`enqueue of ${job.id} neither inserted nor found a row`);
    return { job: rowToJob(found), created: false };
  });
}

/** The row an insert writes, as a Job (its seq is filled in from RETURNING). */
function newJobRecord(job: NewJob, now: number): Job {
  return {
    seq: 0,
    id: job.id,
    type: job.type,
    source: job.source,
    sourceMessageId: job.sourceMessageId ?? null,
    status: job.rejected ? 'rejected' : 'queued',
    url: job.url,
    metadata: job.metadata ?? {},
    attempts: 0,
    maxAttempts: job.maxAttempts,
    runAt: Math.round(job.runAt ?? now),
    createdAt: now,
    updatedAt: now,
    startedAt: null,
    finishedAt: job.rejected ? now : null,
    leaseOwner: null,
    leaseToken: null,
    leaseExpiresAt: null,
    cancelRequested: false,
    progress: null,
    result: null,
    error: job.rejected ?? null,
  };
}

async function findExisting(db: Db, jobs: readonly NewJob[]): Promise<JobRow[]> {
  const ids = JSON.stringify(jobs.map((job) => job.id));
  const messageIds = JSON.stringify(jobs.flatMap((job) => (job.sourceMessageId ? [job.sourceMessageId] : [])));
  const found = await sql<JobRow>`
    SELECT * FROM jobs WHERE id IN (SELECT value FROM json_each(${ids}))
    UNION
    SELECT * FROM jobs WHERE source_message_id IN (SELECT value FROM json_each(${messageIds}))
  `.execute(db);
  return found.rows;
}

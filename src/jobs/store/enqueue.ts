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
  const rows = jobs.map((job) => ({
    id: job.id,
    type: job.type,
    source: job.source,
    source_message_id: job.sourceMessageId ?? null,
    status: job.rejected ? 'rejected' : 'queued',
    url: job.url,
    metadata: JSON.stringify(job.metadata ?? {}),
    max_attempts: job.maxAttempts,
    run_at: Math.round(job.runAt ?? now),
    finished_at: job.rejected ? now : null,
    error: job.rejected ? JSON.stringify(job.rejected) : null,
  }));
  // One JSON parameter carries the whole batch: no limit on bound variables, one prepared statement.
  // `WHERE true` keeps SQLite's parser from reading ON CONFLICT as part of the SELECT.
  const inserted = await sql<JobRow>`
    INSERT INTO jobs (id, type, source, source_message_id, status, url, metadata, max_attempts,
                      run_at, created_at, updated_at, finished_at, error)
    SELECT j.value ->> 'id', j.value ->> 'type', j.value ->> 'source', j.value ->> 'source_message_id',
           j.value ->> 'status', j.value ->> 'url', j.value ->> 'metadata', j.value ->> 'max_attempts',
           j.value ->> 'run_at', ${now}, ${now}, j.value ->> 'finished_at', j.value ->> 'error'
    FROM json_each(${JSON.stringify(rows)}) AS j
    WHERE true
    ON CONFLICT DO NOTHING
    RETURNING *
  `.execute(db);

  const created = new Map(inserted.rows.map((row) => [row.id, row]));
  const missing = jobs.filter((job) => !created.has(job.id));
  const existing = missing.length === 0 ? [] : await findExisting(db, missing);

  const seen = new Set<string>();
  return jobs.map((job) => {
    const row = created.get(job.id);
    // The same id twice in one batch: the first is created, the second finds it.
    if (row && !seen.has(job.id)) {
      seen.add(job.id);
      return { job: rowToJob(row), created: true };
    }
    const found =
      row ??
      existing.find((candidate) => candidate.id === job.id) ??
      existing.find((candidate) => job.sourceMessageId && candidate.source_message_id === job.sourceMessageId);
    if (!found) throw new Error(`enqueue of ${job.id} neither inserted nor found a row`);
    return { job: rowToJob(found), created: false };
  });
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

/**
 * The job as the rest of the program sees it, and the closed set of states.
 *
 *           lease                      success
 * queued ─────────► running ───────────────────────► succeeded
 *   ▲  ▲               │  retryable error, attempts left
 *   │  └───────────────┘  (run_at = now + backoff); also crash, lease expiry, shutdown
 *   │                  │  non-retryable error or attempts spent
 *   │ retry            ├────────────────────────────► failed
 *   └──────────────────┤  cancel
 *                      └────────────────────────────► cancelled   (queued ─cancel─► cancelled too)
 *
 * invalid message ─────────────────────────────────► rejected    (kept for history, never runs)
 */
import type { Selectable } from 'kysely';
import type { JobsTable } from '../db/schema.js';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'rejected'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const JOB_SOURCES = ['api', 'sqs'] as const;
export type JobSource = (typeof JOB_SOURCES)[number];

export interface JobErrorInfo {
  code: string;
  message: string;
  retryable: boolean;
}

export interface JobProgress {
  bytes: number;
  totalBytes: number | null;
}

export type JsonObject = Record<string, unknown>;

export interface Job {
  seq: number;
  id: string;
  type: string;
  source: JobSource;
  sourceMessageId: string | null;
  status: JobStatus;
  url: string | null;
  metadata: JsonObject;
  attempts: number;
  maxAttempts: number;
  runAt: number;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  leaseOwner: string | null;
  leaseToken: string | null;
  leaseExpiresAt: number | null;
  cancelRequested: boolean;
  progress: JobProgress | null;
  result: JsonObject | null;
  error: JobErrorInfo | null;
}

/** A job this process holds a lease on: what a handler needs, read back by the lease itself. */
export interface LeasedJob
  extends Pick<
    Job,
    'seq' | 'id' | 'type' | 'source' | 'url' | 'metadata' | 'attempts' | 'maxAttempts' | 'runAt' | 'createdAt'
  > {
  status: 'running';
  leaseToken: string;
  leaseOwner: string;
  leaseExpiresAt: number;
  startedAt: number;
}

export type JobRow = Selectable<JobsTable>;

function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

export function rowToJob(row: JobRow): Job {
  return {
    seq: row.seq,
    id: row.id,
    type: row.type,
    source: row.source as JobSource,
    sourceMessageId: row.source_message_id,
    status: row.status as JobStatus,
    url: row.url,
    metadata: parseJson<JsonObject>(row.metadata) ?? {},
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: row.run_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    leaseOwner: row.lease_owner,
    leaseToken: row.lease_token,
    leaseExpiresAt: row.lease_expires_at,
    cancelRequested: row.cancel_requested === 1,
    progress: row.progress_bytes === null ? null : { bytes: row.progress_bytes, totalBytes: row.progress_total },
    result: parseJson<JsonObject>(row.result),
    error: parseJson<JobErrorInfo>(row.error),
  };
}

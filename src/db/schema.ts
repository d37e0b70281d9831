/**
 * Row types of the migrated schema, as Kysely sees them. Keep in step with `migrations/`;
 * the schema snapshot test catches a migration that changes columns without this file.
 */
import type { Generated } from 'kysely';

export interface JobsTable {
  seq: Generated<number>;
  id: string;
  type: string;
  source: string;
  source_message_id: string | null;
  status: string;
  url: string | null;
  metadata: Generated<string>;
  attempts: Generated<number>;
  max_attempts: number;
  run_at: number;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
  lease_owner: string | null;
  lease_token: string | null;
  lease_expires_at: number | null;
  cancel_requested: Generated<number>;
  progress_bytes: number | null;
  progress_total: number | null;
  result: string | null;
  error: string | null;
}

export interface JobAttemptsTable {
  id: Generated<number>;
  job_id: string;
  attempt: number;
  owner: string;
  started_at: number;
  finished_at: number;
  outcome: string;
  error: string | null;
}

export interface JobStatusCountsTable {
  status: string;
  count: number;
}

export interface Database {
  jobs: JobsTable;
  job_attempts: JobAttemptsTable;
  job_status_counts: JobStatusCountsTable;
}

/**
 * The job table and its attempt history.
 *
 * Times are integer milliseconds since the epoch (UTC): cheap to compare and index, and the
 * API turns them into ISO-8601 strings. JSON columns hold text produced by JSON.stringify.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // `seq` is the rowid: insertion order, a stable tie-breaker for keyset pagination.
  await sql`
    CREATE TABLE jobs (
      seq               INTEGER PRIMARY KEY,
      id                TEXT    NOT NULL UNIQUE,
      type              TEXT    NOT NULL,
      source            TEXT    NOT NULL CHECK (source IN ('api', 'sqs')),
      source_message_id TEXT    UNIQUE,
      status            TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'rejected')),
      url               TEXT,
      metadata          TEXT    NOT NULL DEFAULT '{}',
      attempts          INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      max_attempts      INTEGER NOT NULL CHECK (max_attempts >= 1),
      run_at            INTEGER NOT NULL,
      created_at        INTEGER NOT NULL,
      updated_at        INTEGER NOT NULL,
      started_at        INTEGER,
      finished_at       INTEGER,
      lease_owner       TEXT,
      lease_token       TEXT,
      lease_expires_at  INTEGER,
      cancel_requested  INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
      progress_bytes    INTEGER,
      progress_total    INTEGER,
      result            TEXT,
      error             TEXT,
      CHECK ((status = 'running') = (lease_token IS NOT NULL))
    ) STRICT
  `.execute(db);

  // Leasing: only queued rows, in due order. Small however long the history grows.
  await sql`CREATE INDEX jobs_ready ON jobs (run_at, seq) WHERE status = 'queued'`.execute(db);
  // (The lease-expiry sweep reads running rows through jobs_status_history: there are only ever
  // as many as the slots of the nodes, so a dedicated index would cost every transition for nothing.)
  // History, newest first, optionally by status; keyset on (created_at, seq).
  await sql`CREATE INDEX jobs_history ON jobs (created_at, seq)`.execute(db);
  await sql`CREATE INDEX jobs_status_history ON jobs (status, created_at, seq)`.execute(db);
  // Retention pruning walks finished rows by age.
  await sql`CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL`.execute(db);

  // Counts per status kept by triggers, so /health and /jobs/stats cost the same at 1M rows as at 10.
  await sql`CREATE TABLE job_status_counts (status TEXT PRIMARY KEY, count INTEGER NOT NULL) STRICT, WITHOUT ROWID`.execute(
    db,
  );
  await sql`
    INSERT INTO job_status_counts (status, count)
    VALUES ('queued', 0), ('running', 0), ('succeeded', 0), ('failed', 0), ('cancelled', 0), ('rejected', 0)
  `.execute(db);
  await sql`
    CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs BEGIN
      UPDATE job_status_counts SET count = count + 1 WHERE status = NEW.status;
    END
  `.execute(db);
  await sql`
    CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs BEGIN
      UPDATE job_status_counts SET count = count - 1 WHERE status = OLD.status;
    END
  `.execute(db);
  // One statement for both counters: this runs for every row of every lease and settle.
  await sql`
    CREATE TRIGGER jobs_count_update AFTER UPDATE OF status ON jobs WHEN OLD.status <> NEW.status BEGIN
      UPDATE job_status_counts SET count = count + CASE status WHEN NEW.status THEN 1 ELSE -1 END
      WHERE status IN (OLD.status, NEW.status);
    END
  `.execute(db);

  // One row per ended attempt, written when it ends (the running attempt is the job row itself),
  // so a job costs one history insert, not an insert and an update.
  await sql`
    CREATE TABLE job_attempts (
      id          INTEGER PRIMARY KEY,
      job_id      TEXT    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
      attempt     INTEGER NOT NULL,
      owner       TEXT    NOT NULL,
      started_at  INTEGER NOT NULL,
      finished_at INTEGER NOT NULL,
      outcome     TEXT    NOT NULL CHECK (outcome IN ('succeeded', 'retry', 'failed', 'cancelled', 'interrupted', 'released', 'lease_expired')),
      error       TEXT
    ) STRICT
  `.execute(db);
  await sql`CREATE INDEX job_attempts_job ON job_attempts (job_id, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE job_attempts`.execute(db);
  await sql`DROP TABLE job_status_counts`.execute(db);
  await sql`DROP TABLE jobs`.execute(db);
}

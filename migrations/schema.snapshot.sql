CREATE TABLE job_attempts (
      id          INTEGER PRIMARY KEY,
      job_id      TEXT    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
      attempt     INTEGER NOT NULL,
      owner       TEXT    NOT NULL,
      started_at  INTEGER NOT NULL,
      finished_at INTEGER NOT NULL,
      outcome     TEXT    NOT NULL CHECK (outcome IN ('succeeded', 'retry', 'failed', 'cancelled', 'interrupted', 'released', 'lease_expired')),
      error       TEXT
    ) STRICT;

CREATE TABLE job_status_counts (status TEXT PRIMARY KEY, count INTEGER NOT NULL) STRICT, WITHOUT ROWID;

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
    ) STRICT;

CREATE INDEX job_attempts_job ON job_attempts (job_id, id);

CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;

CREATE INDEX jobs_history ON jobs (created_at, seq);

CREATE INDEX jobs_ready ON jobs (run_at, seq) WHERE status = 'queued';

CREATE INDEX jobs_status_history ON jobs (status, created_at, seq);

CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs BEGIN
      UPDATE job_status_counts SET count = count - 1 WHERE status = OLD.status;
    END;

CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs BEGIN
      UPDATE job_status_counts SET count = count + 1 WHERE status = NEW.status;
    END;

CREATE TRIGGER jobs_count_update AFTER UPDATE OF status ON jobs WHEN OLD.status <> NEW.status BEGIN
      UPDATE job_status_counts SET count = count + CASE status WHEN NEW.status THEN 1 ELSE -1 END
      WHERE status IN (OLD.status, NEW.status);
    END;

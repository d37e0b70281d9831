/**
 * Opens the SQLite file with the pragmas the job server's promises depend on, and wraps it
 * in Kysely. The raw handle is returned too: backups, checkpoints and health probes use it.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';
import { withStatementCache } from './statement-cache.js';

export type Db = Kysely<Database>;
export type RawDb = SqliteDatabase.Database;

export interface OpenedDatabase {
  db: Db;
  raw: RawDb;
  close(): Promise<void>;
}

export const MEMORY = ':memory:';

/** Pragmas applied to every connection. Exported so benchmarks give peers the same ones. */
export function applyPragmas(raw: RawDb): void {
  // Lets maintenance give freed pages back to the file system in small steps. Only takes
  // effect on a new database (before its first table), which is every database we create.
  raw.pragma('auto_vacuum = INCREMENTAL');
  // WAL: readers (the API) never block the writer (scheduler, poller) and vice versa.
  raw.pragma('journal_mode = WAL');
  // FULL: an SQS message is deleted right after our commit, so the commit must survive power
  // loss, not only a process crash (NORMAL in WAL mode may lose the last commits on power loss).
  raw.pragma('synchronous = FULL');
  // One process owns the file, but a backup or an operator's sqlite3 shell may hold a lock briefly.
  raw.pragma('busy_timeout = 5000');
  raw.pragma('foreign_keys = ON');
  raw.pragma('temp_store = MEMORY');
  raw.pragma('cache_size = -32000');
}

export function openDatabase(path: string): OpenedDatabase {
  if (path !== MEMORY) mkdirSync(dirname(path), { recursive: true });
  const raw = new SqliteDatabase(path);
  applyPragmas(raw);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
  return {
    db,
    raw,
    // Kysely's destroy closes the underlying better-sqlite3 handle.
    close: () => db.destroy(),
  };
}

/**
 * Runs the numbered migrations in `migrations/` with Kysely's Migrator. Returns the outcome
 * instead of throwing, like Migrator itself: the caller decides how to stop.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Migration, type MigrationProvider, type MigrationResult, Migrator } from 'kysely';
import type { Db } from './connection.js';

/** `migrations/` beside `src/` (under tsx) or beside `dist/src/` (compiled). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

const MIGRATION_FILE = /^\d{4}_[a-z0-9_-]+\.(ts|js)$/;

/** Imports every `NNNN_name.ts|js` file; a file of that form without `up` is an error, not a skip. */
export class FolderMigrationProvider implements MigrationProvider {
  constructor(private readonly folder: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {};
    for (const file of (await readdir(this.folder)).sort()) {
      if (!MIGRATION_FILE.test(file)) continue;
      const module: Partial<Migration> = await import(pathToFileURL(join(this.folder, file)).href);
      if (typeof module.up !== 'function') throw new Error(`migration ${file} exports no up() function`);
      migrations[file.replace(/\.(ts|js)$/, '')] = { up: module.up, down: module.down };
    }
    return migrations;
  }
}

export interface MigrateOutcome {
  error: unknown;
  applied: string[];
  failed: string | undefined;
}

export async function migrateToLatest(db: Db, folder = MIGRATIONS_DIR): Promise<MigrateOutcome> {
  const migrator = new Migrator({ db, provider: new FolderMigrationProvider(folder) });
  const { error, results = [] } = await migrator.migrateToLatest();
  const done = (r: MigrationResult) => r.status === 'Success';
  return {
    error,
    applied: results.filter(done).map((r) => r.migrationName),
    failed: results.find((r) => r.status === 'Error')?.migrationName,
  };
}

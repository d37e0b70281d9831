/** Opens the database and brings it to the latest schema, or fails with an operator's message. */
import type { Logger } from '../logger.js';
import { StartupError } from '../startup-checks.js';
import { type OpenedDatabase, openDatabase } from './connection.js';
import { migrateToLatest } from './migrate.js';

export async function openMigratedDatabase(path: string, logger: Logger): Promise<OpenedDatabase> {
  let database: OpenedDatabase;
  try {
    database = openDatabase(path);
  } catch (error) {
    throw new StartupError(`cannot open the database at DATABASE_PATH=${path}: ${(error as Error).message}`);
  }
  const migration = await migrateToLatest(database.db);
  if (migration.error) {
    await database.close();
    const detail = migration.error instanceof Error ? migration.error.message : String(migration.error);
    throw new StartupError(`database migration ${migration.failed ?? '(loading migrations)'} failed: ${detail}`);
  }
  if (migration.applied.length > 0) logger.info({ migrations: migration.applied }, 'database migrated');
  return database;
}

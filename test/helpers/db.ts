/** A migrated database for a test: in memory by default, or a file for restart tests. */
import { type OpenedDatabase, openDatabase } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';

export async function createTestDb(path = ':memory:'): Promise<OpenedDatabase> {
  const opened = openDatabase(path);
  const { error } = await migrateToLatest(opened.db);
  if (error) throw error;
  return opened;
}

/** `npm run migrate`: bring the database at DATABASE_PATH to the latest schema and exit. */
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';

try {
  const config = loadConfig(process.env);
  const { db, close } = openDatabase(config.databasePath);
  const outcome = await migrateToLatest(db);
  await close();
  if (outcome.error) {
    const detail = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    process.stderr.write(`migration ${outcome.failed ?? '(loading migrations)'} failed: ${detail}\n`);
    process.exit(1);
  }
  process.stdout.write(
    outcome.applied.length > 0 ? `applied: ${outcome.applied.join(', ')}\n` : 'database already up to date\n',
  );
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

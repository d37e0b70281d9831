/** `npm run schema:dump`: migrate an in-memory database and write migrations/schema.snapshot.sql. */
import { writeFileSync } from 'node:fs';
import { openDatabase } from '../db/connection.js';
import { MIGRATIONS_DIR, migrateToLatest } from '../db/migrate.js';
import { dumpSchema } from '../db/schema-dump.js';

const { db, raw, close } = openDatabase(':memory:');
const { error } = await migrateToLatest(db);
if (error) throw error;
const file = `${MIGRATIONS_DIR}schema.snapshot.sql`;
writeFileSync(file, dumpSchema(raw));
await close();
process.stdout.write(`wrote ${file}\n`);

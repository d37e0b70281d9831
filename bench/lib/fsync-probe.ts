/** How long one fsync'd commit takes on this disk: the floor under any durable queue. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { applyPragmas } from '../../src/db/connection.js';

export function commitLatencyMs(dir: string, commits = 200): number {
  const path = join(dir, 'fsync-probe.db');
  const db = new SqliteDatabase(path);
  applyPragmas(db);
  db.exec('CREATE TABLE t (x INTEGER)');
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  const started = performance.now();
  for (let i = 0; i < commits; i++) insert.run(i);
  const elapsed = performance.now() - started;
  db.close();
  rmSync(path, { force: true });
  return elapsed / commits;
}

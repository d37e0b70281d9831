/**
 * Kysely's SQLite driver prepares every query anew. Preparing costs more than running the
 * small statements a job queue issues, so this wrapper keeps recently used prepared statements
 * (bounded, least recently used out). Safe because Kysely runs one query at a time per connection.
 */
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import type { RawDb } from './connection.js';

export function withStatementCache(raw: RawDb, capacity = 256): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => {
      cache.clear();
      raw.close();
    },
    prepare(sqlText: string): SqliteStatement {
      const hit = cache.get(sqlText);
      if (hit) {
        cache.delete(sqlText);
        cache.set(sqlText, hit);
        return hit;
      }
      const statement = raw.prepare(sqlText) as unknown as SqliteStatement;
      cache.set(sqlText, statement);
      if (cache.size > capacity) cache.delete(cache.keys().next().value as string);
      return statement;
    },
  };
}

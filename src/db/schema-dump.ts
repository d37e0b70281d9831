/** The schema as text, for the committed snapshot that makes every schema change visible in review. */
import type { RawDb } from './connection.js';

export function dumpSchema(raw: RawDb): string {
  const rows = raw
    .prepare(
      `SELECT type, name, sql FROM sqlite_schema
       WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'kysely_%'
       ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, name`,
    )
    .all() as { type: string; name: string; sql: string }[];
  return `${rows.map((row) => `${row.sql.replace(/\s+$/gm, '')};`).join('\n\n')}\n`;
}

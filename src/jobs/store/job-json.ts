/**
 * The job as the API shows it (DESIGN.md's contract: camelCase, ISO-8601 times, no lease
 * internals), built by SQLite itself with json_object. A page of history then costs one text
 * value per row: no row objects, no JSON.parse of stored JSON, no re-serialisation, which
 * halves the cost of GET /jobs. This is the only definition of the API's job shape.
 */
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../db/connection.js';

/** Epoch ms → ISO-8601 with milliseconds, in integer arithmetic (no float rounding). */
const iso = (column: string) =>
  sql.raw(
    `CASE WHEN ${column} IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%S', ${column} / 1000, 'unixepoch') || printf('.%03dZ', ${column} % 1000) END`,
  );

export const JOB_JSON: RawBuilder<string> = sql<string>`json_object(
  'id', jobs.id,
  'type', jobs.type,
  'source', jobs.source,
  'status', jobs.status,
  'url', jobs.url,
  'attempts', jobs.attempts,
  'maxAttempts', jobs.max_attempts,
  'createdAt', ${iso('jobs.created_at')},
  'updatedAt', ${iso('jobs.updated_at')},
  'runAt', ${iso('jobs.run_at')},
  'startedAt', ${iso('jobs.started_at')},
  'finishedAt', ${iso('jobs.finished_at')},
  'cancelRequested', json(CASE jobs.cancel_requested WHEN 1 THEN 'true' ELSE 'false' END),
  'progress', CASE WHEN jobs.progress_bytes IS NULL THEN NULL
                   ELSE json_object('bytes', jobs.progress_bytes, 'totalBytes', jobs.progress_total) END,
  'result', json(jobs.result),
  'error', json(jobs.error),
  'metadata', json(jobs.metadata)
)`;

/** The API view of one job, as JSON text. */
export async function getJobJson(db: Db, id: string): Promise<string | undefined> {
  const row = await db.selectFrom('jobs').select(JOB_JSON.as('json')).where('id', '=', id).executeTakeFirst();
  return row?.json;
}

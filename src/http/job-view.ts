/**
 * Views for the API. A job's own view is built in SQL (jobs/store/job-json.ts, the one
 * definition of its shape); here: parsing it for single-job answers, and attempt history.
 */
import type { Db } from '../db/connection.js';
import type { JsonObject } from '../jobs/job.js';
import { getJobJson, type JobAttempt } from '../jobs/store/index.js';

export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function attemptView(attempt: JobAttempt) {
  return {
    attempt: attempt.attempt,
    startedAt: iso(attempt.startedAt),
    finishedAt: iso(attempt.finishedAt),
    outcome: attempt.outcome,
    error: attempt.error,
  };
}

/** One job as the API shows it, or undefined. */
export async function jobView(db: Db, id: string): Promise<JsonObject | undefined> {
  const json = await getJobJson(db, id);
  return json === undefined ? undefined : (JSON.parse(json) as JsonObject);
}

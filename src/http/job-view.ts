/** A job as the API shows it: camelCase, times as ISO-8601 strings, no lease internals. */
import type { Job } from '../jobs/job.js';
import type { JobAttempt } from '../jobs/store/index.js';

export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function jobView(job: Job) {
  return {
    id: job.id,
    type: job.type,
    source: job.source,
    status: job.status,
    url: job.url,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    createdAt: iso(job.createdAt),
    updatedAt: iso(job.updatedAt),
    runAt: iso(job.runAt),
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
    cancelRequested: job.cancelRequested,
    progress: job.progress,
    result: job.result,
    error: job.error,
    metadata: job.metadata,
  };
}

export function attemptView(attempt: JobAttempt) {
  return {
    attempt: attempt.attempt,
    startedAt: iso(attempt.startedAt),
    finishedAt: iso(attempt.finishedAt),
    outcome: attempt.outcome,
    error: attempt.error,
  };
}

/**
 * Why the scheduler aborted a job's signal. The reason decides how the attempt is settled.
 */
import { JobError } from './job-error.js';

export type AbortCause = 'cancelled' | 'timeout' | 'shutdown' | 'lease_lost';

export class JobAbort extends Error {
  constructor(
    readonly kind: AbortCause,
    message: string,
  ) {
    super(message);
    this.name = 'JobAbort';
  }
}

export const abortFor = {
  cancelled: () => new JobAbort('cancelled', 'cancelled by request'),
  timeout: (ms: number) => new JobAbort('timeout', `the job ran longer than JOB_TIMEOUT_MS (${ms} ms)`),
  shutdown: () => new JobAbort('shutdown', 'the server is shutting down'),
  leaseLost: () => new JobAbort('lease_lost', 'the lease on this job was lost'),
};

/** The error recorded for an attempt that ended because of `abort`. */
export function abortToError(abort: JobAbort): JobError {
  return new JobError(abort.kind, abort.message, { retryable: abort.kind === 'timeout' });
}

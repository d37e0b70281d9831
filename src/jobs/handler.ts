/**
 * What a job type plugs into the scheduler. A handler does the work of one attempt; it must
 * stop promptly when `signal` aborts (cancel, timeout, shutdown, lost lease) and should throw
 * a `JobError` saying whether another attempt can help.
 */
import type { Logger } from 'pino';
import type { Job, JsonObject, LeasedJob } from './job.js';

export interface JobContext {
  job: LeasedJob;
  signal: AbortSignal;
  logger: Logger;
  /** Record progress; stored with the next heartbeat (about once a second), never per call. */
  progress(bytes: number, totalBytes: number | null): void;
}

export interface JobHandler {
  run(context: JobContext): Promise<JsonObject | undefined>;
  /** Called once a job ends `failed` or `cancelled` for good: remove partial work. */
  discard?(job: Pick<Job, 'id' | 'type'>): Promise<void>;
}

export type HandlerRegistry = ReadonlyMap<string, JobHandler>;

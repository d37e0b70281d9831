/**
 * The error a job handler throws to say what went wrong and whether trying again can help.
 * Anything else a handler throws is treated as an unexpected, retryable `internal` error.
 */
import type { JobErrorInfo } from './job.js';

export interface JobErrorOptions {
  retryable: boolean;
  /** Server-requested wait before the next attempt (e.g. HTTP Retry-After). */
  retryAfterMs?: number;
  cause?: unknown;
}

export class JobError extends Error {
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly code: string,
    message: string,
    options: JobErrorOptions,
  ) {
    super(message, { cause: options.cause });
    this.name = 'JobError';
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Longest message kept in the database: enough for a diagnosis, bounded for a 1M-row table. */
const MAX_MESSAGE = 2000;

export function toJobErrorInfo(error: unknown): JobErrorInfo & { retryAfterMs?: number } {
  if (error instanceof JobError) {
    const info = { code: error.code, message: error.message.slice(0, MAX_MESSAGE), retryable: error.retryable };
    return error.retryAfterMs === undefined ? info : { ...info, retryAfterMs: error.retryAfterMs };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message: message.slice(0, MAX_MESSAGE), retryable: true };
}

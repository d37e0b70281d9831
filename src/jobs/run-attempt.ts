/**
 * Runs one attempt of one leased job and turns however it ended into a settlement for the
 * store. The work is raced against its abort signal: a handler that ignores the signal gets
 * `ABORT_GRACE_MS` to wind down, then the attempt is settled without it, so a stuck handler
 * never holds a slot or a shutdown forever.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { abortFor, abortToError, JobAbort } from './abort-reasons.js';
import { type BackoffPolicy, retryDelayMs } from './backoff.js';
import type { JobHandler } from './handler.js';
import type { JsonObject, LeasedJob } from './job.js';
import { JobError, toJobErrorInfo } from './job-error.js';
import type { Settlement } from './store/index.js';

export const ABORT_GRACE_MS = 5000;

export interface AttemptOptions {
  handler: JobHandler | undefined;
  clock: Clock;
  backoff: BackoffPolicy;
  random: () => number;
  jobTimeoutMs: number;
  logger: () => Logger;
  onProgress(bytes: number, totalBytes: number | null): void;
}

export interface RunningAttempt {
  job: LeasedJob;
  /** Abort the work (once): the signal fires, and the handler has ABORT_GRACE_MS to wind down. */
  abort(reason: JobAbort): void;
  /** Resolves with the settlement to write, or null when the lease was lost (nothing to write). */
  done: Promise<Settlement | null>;
  /** After an abort: settle now without waiting for the handler to wind down. */
  abandon(): void;
}

type Ended = { ok: true; result: JsonObject | undefined } | { ok: false; error: unknown };

async function runHandler(job: LeasedJob, signal: AbortSignal, options: AttemptOptions): Promise<Ended> {
  if (!options.handler) {
    return {
      ok: false,
      error: new JobError('unknown_type', `no handler for job type "${job.type}"`, { retryable: false }),
    };
  }
  try {
    const result = await options.handler.run({
      job,
      signal,
      get logger() {
        return options.logger();
      },
      progress: options.onProgress,
    });
    return { ok: true, result: result ?? undefined };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Every abort goes through `abort()`, which also starts the grace timer: no listener on the
 * signal per job (this runs for every job, thousands a second under load).
 */
export function runAttempt(job: LeasedJob, options: AttemptOptions): RunningAttempt {
  const controller = new AbortController();
  const { signal } = controller;
  let giveUp: (ended: Ended) => void = () => {};
  const gaveUp = new Promise<Ended>((resolve) => {
    giveUp = resolve;
  });
  let graceTimer: NodeJS.Timeout | undefined;
  const abort = (reason: JobAbort) => {
    if (signal.aborted) return;
    controller.abort(reason);
    graceTimer = setTimeout(() => giveUp({ ok: false, error: reason }), ABORT_GRACE_MS).unref();
  };
  const timeout = setTimeout(() => abort(abortFor.timeout(options.jobTimeoutMs)), options.jobTimeoutMs);

  const done = Promise.race([runHandler(job, signal, options), gaveUp]).then((ended) => {
    clearTimeout(timeout);
    clearTimeout(graceTimer);
    return toSettlement(job, ended, signal, options);
  });
  return {
    job,
    abort,
    done,
    abandon: () => {
      if (signal.aborted) giveUp({ ok: false, error: signal.reason });
    },
  };
}

function toSettlement(job: LeasedJob, ended: Ended, signal: AbortSignal, options: AttemptOptions): Settlement | null {
  const lease = { id: job.id, token: job.leaseToken };
  // An abort decides the outcome even if the handler threw something else on its way out.
  const abort = signal.aborted && signal.reason instanceof JobAbort ? signal.reason : undefined;
  if (ended.ok && abort?.kind !== 'lease_lost') {
    return { ...lease, kind: 'succeeded', result: ended.result ?? null };
  }
  if (abort) {
    switch (abort.kind) {
      case 'lease_lost':
        return null;
      case 'shutdown':
        return { ...lease, kind: 'released' };
      case 'cancelled':
        return { ...lease, kind: 'cancelled', error: toJobErrorInfo(abortToError(abort)) };
      case 'timeout':
        break;
    }
  }
  const { retryAfterMs, ...error } = toJobErrorInfo(abort ? abortToError(abort) : (ended as { error: unknown }).error);
  const retryAt = options.clock.now() + retryDelayMs(job.attempts, options.backoff, options.random, retryAfterMs);
  return { ...lease, kind: 'failed', error, retryAt };
}

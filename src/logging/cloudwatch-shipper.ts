/**
 * Sends one batch to CloudWatch Logs and keeps it until CloudWatch has it.
 *
 *   put ──ok──────────────────────────────────► sent
 *    │ throttled, 5xx, network, denied
 *    ├──► back off (exponential, jittered) ──► put again
 *    │ group or stream missing
 *    ├──► create them ──► back off ──────────► put again
 *    │ other 4xx (the request itself is wrong)
 *    ├───────────────────────────────────────► failed (the batch is given up and reported)
 *    │ the signal aborts (shutdown deadline)
 *    └───────────────────────────────────────► aborted
 *
 * Never throws: every outcome is a value the caller reports.
 */
import type { RejectedLogEventsInfo } from '@aws-sdk/client-cloudwatch-logs';
import { type BackoffPolicy, retryDelayMs } from '../jobs/backoff.js';
import { classifyLogsError, type LogsApi } from './cloudwatch-api.js';

export type PutOutcome =
  | { status: 'sent'; attempts: number; rejected?: RejectedLogEventsInfo | undefined }
  | { status: 'failed'; attempts: number; error: unknown }
  | { status: 'aborted'; attempts: number };

export interface EnsureOutcome {
  /** What happened to each create call: `created`, `exists`, or the error that is carried past. */
  group: 'created' | 'exists' | { error: unknown };
  stream: 'created' | 'exists' | { error: unknown };
}

export interface RetryNotice {
  attempt: number;
  delayMs: number;
  error: unknown;
}

export interface CloudWatchShipperOptions {
  api: LogsApi;
  logGroup: string;
  logStream: string;
  backoff?: BackoffPolicy;
  random?: () => number;
  /** Waits `ms`, or less when the signal aborts. Injected so tests need not wait. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  onRetry?: (notice: RetryNotice) => void;
}

/** Starts small (a blip clears in a fraction of a second), tops out at 30 s during an outage. */
export const DEFAULT_SHIPPER_BACKOFF: BackoffPolicy = Object.freeze({ baseMs: 200, maxMs: 30_000 });

export class CloudWatchShipper {
  readonly #api: LogsApi;
  readonly #group: string;
  readonly #stream: string;
  readonly #backoff: BackoffPolicy;
  readonly #random: () => number;
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly #onRetry: (notice: RetryNotice) => void;

  constructor(options: CloudWatchShipperOptions) {
    this.#api = options.api;
    this.#group = options.logGroup;
    this.#stream = options.logStream;
    this.#backoff = options.backoff ?? DEFAULT_SHIPPER_BACKOFF;
    this.#random = options.random ?? Math.random;
    this.#sleep = options.sleep ?? abortableSleep;
    this.#onRetry = options.onRetry ?? (() => {});
  }

  /**
   * Creates the group and the stream. Anything but success is carried past: the group may exist
   * already, or the role may only be allowed to put (then PutLogEvents decides).
   */
  async ensureStream(signal?: AbortSignal): Promise<EnsureOutcome> {
    const group = await attemptCreate(() => this.#api.createLogGroup(this.#group, signal));
    const stream = await attemptCreate(() => this.#api.createLogStream(this.#group, this.#stream, signal));
    return { group, stream };
  }

  async put(events: ReadonlyArray<{ timestamp: number; message: string }>, signal: AbortSignal): Promise<PutOutcome> {
    for (let attempt = 1; ; attempt += 1) {
      if (signal.aborted) return { status: 'aborted', attempts: attempt - 1 };
      try {
        const rejected = await this.#api.putLogEvents(this.#group, this.#stream, events, signal);
        return { status: 'sent', attempts: attempt, rejected };
      } catch (error) {
        if (signal.aborted) return { status: 'aborted', attempts: attempt };
        const kind = classifyLogsError(error);
        if (kind === 'fatal' || kind === 'exists') return { status: 'failed', attempts: attempt, error };
        if (kind === 'missing') await this.ensureStream(signal);
        const delayMs = retryDelayMs(attempt, this.#backoff, this.#random);
        this.#onRetry({ attempt, delayMs, error });
        await this.#sleep(delayMs, signal);
      }
    }
  }
}

async function attemptCreate(create: () => Promise<void>): Promise<'created' | 'exists' | { error: unknown }> {
  try {
    await create();
    return 'created';
  } catch (error) {
    return classifyLogsError(error) === 'exists' ? 'exists' : { error };
  }
}

/** Resolves after `ms`, or at once when the signal aborts; never rejects. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

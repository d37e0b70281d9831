/**
 * Moves log lines from the batcher to CloudWatch: one send at a time, never blocking `write`.
 *
 *   write(line) ──► batcher ──(a full batch waits)──► drain full batches ──┐
 *   every flushIntervalMs ─────────────────────────► drain what is there ─┼─► shipper.put (retries)
 *   close() ── stop the timer ─────────────────────► drain everything ────┘   until closeTimeoutMs
 *
 * A drain runs batch after batch; requests that arrive meanwhile are merged into the next
 * drain, so at most one PutLogEvents is in flight and batches leave in order. While CloudWatch
 * is down the current batch is retried and the rest waits in the bounded batcher. Drops and
 * failures go to `report` (at most one line per tick for drops), never per event.
 */

import type { CloudWatchShipper, PutOutcome, RetryNotice } from './cloudwatch-shipper.js';
import type { LogBatcher } from './log-batcher.js';

export interface Diagnostic {
  level: 'info' | 'warn' | 'error';
  msg: string;
  [field: string]: unknown;
}

export interface LogPumpOptions {
  batcher: LogBatcher;
  shipper: Pick<CloudWatchShipper, 'ensureStream' | 'put'>;
  report: (diagnostic: Diagnostic) => void;
  /** CloudWatch shows a line at most this long after it was written. */
  flushIntervalMs?: number;
  /** How long close() may spend sending what is left; below thread-stream's 10 s exit wait. */
  closeTimeoutMs?: number;
}

type Want = 'none' | 'full' | 'all';
const RANK: Record<Want, number> = { none: 0, full: 1, all: 2 };

export class LogPump {
  readonly #batcher: LogBatcher;
  readonly #shipper: LogPumpOptions['shipper'];
  readonly #report: (diagnostic: Diagnostic) => void;
  readonly #flushIntervalMs: number;
  readonly #closeTimeoutMs: number;
  /** Aborted only at the close deadline: until then a failing batch is retried, not lost. */
  readonly #deadline = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #wanted: Want = 'none';
  #draining: Promise<void> | undefined;
  #ready: Promise<void> | undefined;
  /** Between a failed attempt and the next success: that success is reported as a recovery. */
  #failing = false;
  #closing: Promise<void> | undefined;
  #unsent = 0;

  constructor(options: LogPumpOptions) {
    this.#batcher = options.batcher;
    this.#shipper = options.shipper;
    this.#report = options.report;
    this.#flushIntervalMs = options.flushIntervalMs ?? 2_000;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.#request('all');
      this.#reportDrops();
    }, this.#flushIntervalMs);
    this.#timer.unref();
  }

  write(line: string): void {
    if (line.length === 0) return;
    this.#batcher.add(line);
    if (this.#batcher.hasFullBatch()) this.#request('full');
  }

  /** Stops the timer and sends everything left, within closeTimeoutMs; then reports losses. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#timer);
      const timer = setTimeout(() => this.#deadline.abort(), this.#closeTimeoutMs);
      try {
        this.#request('all');
        await this.#idle();
      } finally {
        clearTimeout(timer);
      }
      this.#unsent += this.#batcher.length;
      const dropped = this.#batcher.takeDropped();
      if (this.#unsent > 0 || dropped > 0) {
        this.#report({
          level: 'error',
          msg: 'cloudwatch log transport closed before sending every event',
          unsent: this.#unsent,
          dropped,
          closeTimeoutMs: this.#closeTimeoutMs,
        });
      }
    })();
    return this.#closing;
  }

  async #idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  #request(want: Want): void {
    if (this.#deadline.signal.aborted) return;
    if (RANK[want] > RANK[this.#wanted]) this.#wanted = want;
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
      // A request that came after the last check but before this point starts a new drain.
      if (this.#wanted !== 'none') this.#request(this.#wanted);
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#wanted !== 'none' && !this.#deadline.signal.aborted) {
        const want = this.#wanted;
        this.#wanted = 'none';
        // 'all' sends what was there when it began: a steady stream of new lines waits for
        // the next tick or a full batch instead of being chased in tiny batches.
        let budget = want === 'all' ? this.#batcher.length : Number.POSITIVE_INFINITY;
        while (budget > 0 && (want === 'all' ? this.#batcher.length > 0 : this.#batcher.hasFullBatch())) {
          await this.#ensureReady();
          if (this.#deadline.signal.aborted) return;
          const batch = this.#batcher.take();
          budget -= batch.length;
          this.#settle(batch.length, await this.#shipper.put(batch, this.#deadline.signal));
        }
        this.#reportDrops();
      }
    } catch (error) {
      // Defensive: the shipper never throws, but a bug here must not kill the transport.
      this.#report({ level: 'error', msg: 'cloudwatch log transport failed to drain', err: describe(error) });
    }
  }

  #ensureReady(): Promise<void> {
    this.#ready ??= this.#shipper.ensureStream(this.#deadline.signal).then(({ group, stream }) => {
      for (const [what, outcome] of [
        ['log group', group],
        ['log stream', stream],
      ] as const) {
        if (typeof outcome === 'object') {
          this.#report({
            level: 'warn',
            msg: `cannot create the cloudwatch ${what}; sending anyway`,
            err: describe(outcome.error),
          });
        }
      }
    });
    return this.#ready;
  }

  #settle(events: number, outcome: PutOutcome): void {
    if (outcome.status === 'sent') {
      if (this.#failing) {
        this.#report({ level: 'info', msg: 'cloudwatch log shipping recovered', attempts: outcome.attempts });
        this.#failing = false;
      }
      const { rejected } = outcome;
      if (rejected && Object.keys(rejected).length > 0) {
        this.#report({ level: 'warn', msg: 'cloudwatch rejected some log events (too old or too new)', ...rejected });
      }
    } else if (outcome.status === 'failed') {
      this.#report({
        level: 'error',
        msg: 'cloudwatch refused a log batch; it is dropped',
        events,
        err: describe(outcome.error),
      });
    } else {
      this.#unsent += events;
    }
  }

  /** Called by the shipper before each backoff: one line at the 1st, 2nd, 4th, 8th… attempt. */
  onRetry = ({ attempt, delayMs, error }: RetryNotice): void => {
    this.#failing = true;
    if ((attempt & (attempt - 1)) !== 0) return;
    this.#report({
      level: 'warn',
      msg: 'cloudwatch log shipping failed; retrying the batch',
      attempt,
      retryInMs: delayMs,
      buffered: this.#batcher.length,
      err: describe(error),
    });
  };

  #reportDrops(): void {
    const dropped = this.#batcher.takeDropped();
    if (dropped === 0) return;
    this.#report({
      level: 'warn',
      msg: 'cloudwatch log buffer full: oldest events dropped (they are still on stdout)',
      dropped,
      buffered: this.#batcher.length,
    });
  }
}

function describe(error: unknown): { name: string; message: string; code?: string } {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  // Network failures carry their meaning in `code` (ECONNREFUSED, ETIMEDOUT…), not in the name.
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string'
    ? { name: error.name, message: error.message, code }
    : { name: error.name, message: error.message };
}

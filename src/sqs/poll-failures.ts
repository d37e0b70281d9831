/**
 * Keeps the poller's failure state: consecutive failures, the last error, and the backoff.
 * Each kind of error (credentials, missing queue, throttling, network) is logged once when it
 * starts, not once per poll, and recovery is logged once.
 */
import type { Clock } from '../clock.js';
import { type BackoffPolicy, fullJitterDelayMs } from '../jobs/backoff.js';
import type { Logger } from '../logger.js';
import { classifySqsError, type SqsErrorKind } from './sqs-errors.js';

export interface LastPollError {
  kind: SqsErrorKind;
  message: string;
  at: string;
}

export class PollFailures {
  consecutive = 0;
  last: LastPollError | null = null;
  private loggedKind: SqsErrorKind | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly backoff: BackoffPolicy,
    private readonly random: () => number,
    private readonly queueUrl: string,
  ) {}

  /** Records a failed receive; returns its kind and how long to wait before the next one. */
  failed(error: unknown): { kind: SqsErrorKind; delayMs: number } {
    this.consecutive++;
    const { kind, advice, detail } = classifySqsError(error);
    this.last = { kind, message: detail, at: new Date(this.clock.now()).toISOString() };
    const delayMs = fullJitterDelayMs(this.consecutive, this.backoff, this.random);
    if (kind !== this.loggedKind) {
      this.loggedKind = kind;
      this.logger.error(
        { kind, detail, queueUrl: this.queueUrl, retryInMs: delayMs },
        `SQS polling failed: ${advice}; retrying with backoff (logged once until it changes)`,
      );
    } else {
      this.logger.debug({ kind, detail, failures: this.consecutive, retryInMs: delayMs }, 'SQS polling still failing');
    }
    return { kind, delayMs };
  }

  succeeded(): void {
    if (this.consecutive === 0) return;
    this.logger.info({ failures: this.consecutive }, 'SQS polling recovered');
    this.consecutive = 0;
    this.loggedKind = undefined;
  }
}

/**
 * Takes messages from SQS into the jobs table: receive → parse → insert (one transaction,
 * committed) → delete. A message leaves SQS only after its row is committed; a crash in
 * between means a redelivery, which the unique keys (message id, job id) absorb.
 *
 *   wait for capacity ─► ReceiveMessage (long poll, at most the free slots + prefetch)
 *        ▲                  │ messages                     │ error
 *        │                  ▼                              ▼
 *        └──── DeleteMessageBatch ◄─ commit rows     back off (full jitter, 1 s … POLLING_INTERVAL_MS)
 *
 * The loop never throws: every error is recorded, logged once per kind, and waited out.
 * `stop()` aborts an in-flight long poll at once and lets started deletes finish.
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type Clock, systemClock } from '../clock.js';
import type { Db } from '../db/connection.js';
import { type BackoffPolicy, fullJitterDelayMs } from '../jobs/backoff.js';
import { enqueueJobs } from '../jobs/store/index.js';
import type { Logger } from '../logger.js';
import { deleteCommitted } from './delete-committed.js';
import { parseMessage } from './parse-message.js';
import { type LastPollError, PollFailures } from './poll-failures.js';
import type { SqsErrorKind } from './sqs-errors.js';

/** How the poller learns how much work this node can start soon. */
export interface PollerCapacity {
  /** Free slots minus jobs already waiting locally (may be ≤ 0). */
  free(): Promise<number>;
  /** Resolves when capacity may have freed, after `maxMs`, or when `signal` aborts. */
  changed(signal: AbortSignal, maxMs: number): Promise<void>;
  /** New rows were committed: start them. */
  jobsAdded(): void;
}

export interface PollerOptions {
  client: Pick<SQSClient, 'send'>;
  queueUrl: string;
  db: Db;
  capacity: PollerCapacity;
  waitTimeSeconds: number;
  pollingIntervalMs: number;
  prefetch: number;
  maxAttempts: number;
  logger: Logger;
  clock?: Clock;
  random?: () => number;
  /** Backoff after failed receives; default 1 s up to POLLING_INTERVAL_MS. */
  errorBackoff?: BackoffPolicy;
  /** Consecutive failed receives before /health reports degraded. */
  degradedAfter?: number;
}

export interface IngestReport {
  received: number;
  ingested: number;
  rejected: number;
  deduplicated: number;
  deleted: number;
  deleteFailed: number;
}

export interface PollerStatus {
  enabled: true;
  queueUrl: string;
  running: boolean;
  lastReceiveAt: string | null;
  consecutiveErrors: number;
  lastError: LastPollError | null;
  ingested: number;
  rejected: number;
  deduplicated: number;
  deleteFailures: number;
  degraded: boolean;
}

export interface PollerEvents {
  /** The node has no room: the poller waits for capacity instead of receiving. */
  full: [];
  received: [count: number];
  ingested: [report: IngestReport];
  pollError: [kind: SqsErrorKind];
}

/** SQS allows at most 10 messages per receive and per delete batch. */
const SQS_BATCH = 10;
const MAX_PENDING_DELETES = 4;
/** While full, re-check capacity at least this often (jobs may be cancelled or become due later). */
const CAPACITY_RECHECK_MS = 5000;

export class SqsPoller extends EventEmitter<PollerEvents> {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly errorBackoff: BackoffPolicy;
  private controller: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private readonly failures: PollFailures;
  private lastReceiveAt: number | null = null;
  private storeFailures = 0;
  /** Deletes of committed messages still in flight; stop() waits for them. */
  private readonly deletes = new Set<Promise<void>>();
  private totals = { ingested: 0, rejected: 0, deduplicated: 0, deleteFailures: 0 };

  constructor(private readonly options: PollerOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    const baseMs = Math.min(1000, Math.max(1, options.pollingIntervalMs));
    this.errorBackoff = options.errorBackoff ?? { baseMs, maxMs: Math.max(baseMs, options.pollingIntervalMs) };
    this.failures = new PollFailures(options.logger, this.clock, this.errorBackoff, this.random, options.queueUrl);
  }

  start(): void {
    if (this.loop) return;
    this.controller = new AbortController();
    this.loop = this.run(this.controller.signal);
  }

  async stop(): Promise<void> {
    this.controller?.abort();
    await this.loop;
    await Promise.all(this.deletes);
    this.loop = undefined;
  }

  status(): PollerStatus {
    return {
      enabled: true,
      queueUrl: this.options.queueUrl,
      running: this.loop !== undefined,
      lastReceiveAt: this.lastReceiveAt === null ? null : new Date(this.lastReceiveAt).toISOString(),
      consecutiveErrors: this.failures.consecutive,
      lastError: this.failures.last,
      ...this.totals,
      degraded: this.failures.consecutive >= (this.options.degradedAfter ?? 3),
    };
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let messages: Message[];
      try {
        const room = await this.room();
        if (room <= 0) {
          this.emit('full');
          await this.options.capacity.changed(signal, CAPACITY_RECHECK_MS);
          continue;
        }
        messages = await this.receive(room, signal);
      } catch (error) {
        if (signal.aborted) break;
        const { kind, delayMs } = this.failures.failed(error);
        this.emit('pollError', kind);
        await this.pause(delayMs, signal);
        continue;
      }
      this.failures.succeeded();
      if (messages.length === 0) {
        // A long poll already waited; a short poll waits the interval, as the original design did.
        if (this.options.waitTimeSeconds === 0) await this.pause(this.options.pollingIntervalMs, signal);
        continue;
      }
      try {
        await this.ingest(messages);
        this.storeFailures = 0;
      } catch (error) {
        // Nothing was deleted: SQS redelivers these messages after their visibility timeout.
        this.storeFailures++;
        const delay = fullJitterDelayMs(this.storeFailures, this.errorBackoff, this.random);
        this.options.logger.error(
          { err: error, messages: messages.length, retryInMs: delay },
          'could not store received SQS messages; they stay in the queue and will be redelivered',
        );
        await this.pause(delay, signal);
      }
    }
  }

  private async room(): Promise<number> {
    return Math.min(SQS_BATCH, (await this.options.capacity.free()) + this.options.prefetch);
  }

  private async receive(max: number, signal: AbortSignal): Promise<Message[]> {
    const response = await this.options.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: this.options.waitTimeSeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
      { abortSignal: signal },
    );
    this.lastReceiveAt = this.clock.now();
    const messages = response.Messages ?? [];
    if (messages.length > 0) this.emit('received', messages.length);
    return messages;
  }

  /** Insert every message as a row (queued or rejected) in one commit, then delete them all. */
  private async ingest(messages: Message[]): Promise<void> {
    const usable = messages.filter((m): m is Message & { MessageId: string } => typeof m.MessageId === 'string');
    const parsed = usable.map((m) => parseMessage(m, this.options.maxAttempts));
    const now = this.clock.now();
    const results = await this.options.db.transaction().execute((trx) =>
      enqueueJobs(
        trx,
        parsed.map((p) => p.job),
        now,
      ),
    );
    const report: IngestReport = {
      received: messages.length,
      ingested: 0,
      rejected: 0,
      deduplicated: 0,
      deleted: 0,
      deleteFailed: 0,
    };
    results.forEach((result, i) => {
      const entry = parsed[i];
      if (!result.created) report.deduplicated++;
      else if (entry?.ok) report.ingested++;
      else {
        report.rejected++;
        this.options.logger.warn(
          { messageId: usable[i]?.MessageId, reason: entry?.ok === false ? entry.reason : undefined },
          'rejected an invalid SQS message (kept as a rejected job, deleted from the queue)',
        );
      }
    });
    if (report.ingested > 0) this.options.capacity.jobsAdded();

    // Only now, with the rows committed, may the messages leave SQS. The delete runs while the
    // next receive is in flight (a few at most), which nearly doubles the intake rate.
    const deleting = deleteCommitted(this.options.client, this.options.queueUrl, messages, this.options.logger).then(
      (failed) => {
        report.deleted = messages.length - failed;
        report.deleteFailed = failed;
        this.totals.ingested += report.ingested;
        this.totals.rejected += report.rejected;
        this.totals.deduplicated += report.deduplicated;
        this.totals.deleteFailures += failed;
        this.options.logger.debug(report, 'ingested SQS messages');
        this.emit('ingested', report);
      },
    );
    this.deletes.add(deleting);
    void deleting.finally(() => this.deletes.delete(deleting));
    if (this.deletes.size >= MAX_PENDING_DELETES) await Promise.race(this.deletes);
  }

  private async pause(ms: number, signal: AbortSignal): Promise<void> {
    try {
      await sleep(ms, undefined, { signal });
    } catch {
      // aborted: the loop condition ends the run
    }
  }
}

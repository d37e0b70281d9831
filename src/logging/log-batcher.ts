/**
 * A bounded buffer of log events, kept in time order, cut into PutLogEvents batches.
 *
 * Pure (no I/O, no timers): the clock is passed in and only stamps lines that carry no time.
 * Events stay sorted by timestamp (stable for equal times), so a batch is simply a prefix of
 * the buffer: chronological, and cut where the count, size or 24-hour span would overflow.
 * Lines almost always arrive in order, so keeping the order costs one comparison per event.
 *
 * When CloudWatch is unreachable the buffer fills; past its bounds the oldest events are
 * dropped (the newest are the ones an operator needs during an incident, and stdout still
 * holds everything). Drops are counted, and the owner reports them.
 */
import { CLOUDWATCH_LIMITS, type LogEvent, toLogEvent } from './log-event.js';

export interface LogBatcherOptions {
  now?: () => number;
  maxBufferedEvents?: number;
  maxBufferedBytes?: number;
  maxBatchEvents?: number;
  maxBatchBytes?: number;
  maxBatchSpanMs?: number;
  maxEventBytes?: number;
}

export const DEFAULT_BUFFER_LIMITS = Object.freeze({
  maxBufferedEvents: 50_000,
  // Counted like CloudWatch counts (UTF-8 plus 26 bytes per event): 16 batches' worth.
  maxBufferedBytes: 16 * 1024 * 1024,
});

export class LogBatcher {
  readonly #now: () => number;
  readonly #limits: Required<Omit<LogBatcherOptions, 'now'>>;
  /** Sorted by timestamp from #head on; slots before #head are taken and await compaction. */
  #events: LogEvent[] = [];
  #head = 0;
  #bytes = 0;
  #dropped = 0;

  constructor(options: LogBatcherOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#limits = {
      maxBufferedEvents: options.maxBufferedEvents ?? DEFAULT_BUFFER_LIMITS.maxBufferedEvents,
      maxBufferedBytes: options.maxBufferedBytes ?? DEFAULT_BUFFER_LIMITS.maxBufferedBytes,
      maxBatchEvents: options.maxBatchEvents ?? CLOUDWATCH_LIMITS.maxBatchEvents,
      maxBatchBytes: options.maxBatchBytes ?? CLOUDWATCH_LIMITS.maxBatchBytes,
      maxBatchSpanMs: options.maxBatchSpanMs ?? CLOUDWATCH_LIMITS.maxBatchSpanMs,
      maxEventBytes: options.maxEventBytes ?? CLOUDWATCH_LIMITS.maxEventBytes,
    };
  }

  /** Events waiting to be sent. */
  get length(): number {
    return this.#events.length - this.#head;
  }

  /** Their size as CloudWatch counts it. */
  get bytes(): number {
    return this.#bytes;
  }

  add(line: string): void {
    const event = toLogEvent(line, this.#now(), this.#limits.maxEventBytes);
    this.#insertSorted(event);
    this.#bytes += event.bytes;
    while (this.length > this.#limits.maxBufferedEvents || this.#bytes > this.#limits.maxBufferedBytes) {
      this.#dropOldest();
    }
  }

  /** Enough is waiting to fill a batch: no reason to wait for the timer. */
  hasFullBatch(): boolean {
    return this.length >= this.#limits.maxBatchEvents || this.#bytes >= this.#limits.maxBatchBytes;
  }

  /** Removes and returns the next batch (empty when nothing waits). */
  take(): LogEvent[] {
    const batch: LogEvent[] = [];
    const first = this.#events[this.#head];
    if (!first) return batch;
    let bytes = 0;
    while (batch.length < this.#limits.maxBatchEvents) {
      const event = this.#events[this.#head];
      if (!event) break;
      if (bytes + event.bytes > this.#limits.maxBatchBytes) break;
      if (event.timestamp - first.timestamp > this.#limits.maxBatchSpanMs) break;
      batch.push(event);
      bytes += event.bytes;
      this.#head += 1;
    }
    this.#bytes -= bytes;
    this.#compact();
    return batch;
  }

  /** Events dropped since the last call: reported once, then counted afresh. */
  takeDropped(): number {
    const dropped = this.#dropped;
    this.#dropped = 0;
    return dropped;
  }

  #insertSorted(event: LogEvent): void {
    let at = this.#events.length;
    // Walk back from the end: in-order arrivals stop at once; equal times keep arrival order.
    while (at > this.#head && (this.#events[at - 1]?.timestamp ?? 0) > event.timestamp) at -= 1;
    if (at === this.#events.length) this.#events.push(event);
    else this.#events.splice(at, 0, event);
  }

  #dropOldest(): void {
    const event = this.#events[this.#head];
    if (!event) return;
    this.#head += 1;
    this.#bytes -= event.bytes;
    this.#dropped += 1;
    this.#compact();
  }

  /** Reclaims taken slots once they are the larger part, keeping removal amortised O(1). */
  #compact(): void {
    if (this.#head === this.#events.length) {
      this.#events = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#events.length) {
      this.#events = this.#events.slice(this.#head);
      this.#head = 0;
    }
  }
}

/**
 * One CloudWatch Logs event and the service's rules for it, as pure functions.
 *
 * The numbers are PutLogEvents quotas: a batch holds at most 10,000 events and 1,048,576
 * bytes, where each event counts its UTF-8 message plus 26 bytes; one event may be at most
 * 256 KiB (with those 26 bytes); the events of a batch must be in chronological order and may
 * not span more than 24 hours.
 */

export interface LogEvent {
  /** Milliseconds since the epoch, as PutLogEvents wants it. */
  timestamp: number;
  message: string;
  /** UTF-8 size of the message plus the per-event overhead: what counts against a batch. */
  bytes: number;
}

export const CLOUDWATCH_LIMITS = Object.freeze({
  maxBatchEvents: 10_000,
  maxBatchBytes: 1_048_576,
  eventOverheadBytes: 26,
  maxEventBytes: 262_144,
  maxBatchSpanMs: 24 * 60 * 60 * 1000,
});

const TRUNCATION_MARK = '…[truncated]';

export function eventBytes(message: string): number {
  return Buffer.byteLength(message, 'utf8') + CLOUDWATCH_LIMITS.eventOverheadBytes;
}

/**
 * Cuts a message so that it fits in one event, marked at the end so a reader knows. The cut
 * falls on a character boundary: a split UTF-8 sequence would be rejected or mangled.
 */
export function truncateMessage(message: string, maxEventBytes: number = CLOUDWATCH_LIMITS.maxEventBytes): string {
  const budget = maxEventBytes - CLOUDWATCH_LIMITS.eventOverheadBytes;
  const encoded = Buffer.from(message, 'utf8');
  if (encoded.length <= budget) return message;
  let end = budget - Buffer.byteLength(TRUNCATION_MARK, 'utf8');
  // Step back over UTF-8 continuation bytes (10xxxxxx) to the start of a character.
  while (end > 0 && ((encoded[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return encoded.subarray(0, end).toString('utf8') + TRUNCATION_MARK;
}

/**
 * The time pino wrote into the line (epoch ms, or an ISO string with `isoTime`), so an event
 * keeps its own time however long it waited in a buffer. pino writes `level` and `time` first,
 * so the first `"time":` in the head of the line is the top-level one; no full JSON parse.
 */
export function timestampOf(line: string, fallback: number): number {
  const match = /"time":(?:(\d{10,16})|"([^"]{10,40})")/.exec(line.slice(0, 256));
  if (!match) return fallback;
  const parsed = match[1] !== undefined ? Number(match[1]) : Date.parse(match[2] ?? '');
  return Number.isFinite(parsed) ? parsed : fallback;
}

export function toLogEvent(line: string, now: number, maxEventBytes?: number): LogEvent {
  const message = truncateMessage(line, maxEventBytes);
  return { timestamp: timestampOf(line, now), message, bytes: eventBytes(message) };
}

/**
 * `<hostname>-<start time>`: unique per process start, and readable in the console. Stream
 * names may not contain `:` or `*`, so everything outside [A-Za-z0-9._-] becomes `-`.
 */
export function defaultStreamName(host: string, startedAt: Date): string {
  return `${host}-${startedAt.toISOString()}`.replace(/[^A-Za-z0-9._-]/g, '-');
}

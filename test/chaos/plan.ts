/**
 * What the chaos run sends, decided up front from the seed: 300 download jobs of mixed sizes,
 * some with media-server faults in their URL (a dropped connection, a stall, a 500, a 429 with
 * Retry-After), some sent twice, some reusing another job's id, and a dozen malformed bodies.
 * Each fault hits only the first request for its URL (`times=1`), so it costs at most one retry.
 */
import type { Random } from './random.js';

export type FaultKind = 'drop' | 'stall' | 'http500' | 'http429';

export interface PlannedJob {
  /** Undefined: the job takes the SQS message id as its id. */
  jobId: string | undefined;
  path: string;
  size: number;
  fault: FaultKind | undefined;
  query: Record<string, string | number>;
}

export interface PlannedMessage {
  body: string;
  kind: 'job' | 'duplicate' | 'same-id' | 'malformed';
  /** Index into `jobs` for job, duplicate and same-id messages. */
  job?: number;
}

export interface ChaosPlan {
  jobs: PlannedJob[];
  messages: PlannedMessage[];
}

const KIB = 1024;
const SIZES = [64 * KIB, 256 * KIB, 1024 * KIB, 2048 * KIB, 4096 * KIB];
/** Per-request rate: a 4 MiB file takes over a second, so kills land mid-download. */
export const BYTES_PER_SECOND = 3 * 1024 * KIB;

export const MALFORMED_BODIES = [
  'not json',
  '{"url":',
  '[]',
  'null',
  '"https://media.example/a.mp4"',
  '{"jobId":"no-url"}',
  '{"url":42}',
  '{"url":"ftp://media.example/a.mp4"}',
  '{"url":"file:///etc/passwd"}',
  '{"url":"https://media.example/a.mp4","jobId":"../../escape"}',
  '{"url":"https://media.example/a.mp4","jobId":"has space"}',
  '{"url":"/relative/only.mp4"}',
];

export function makePlan(random: Random, jobCount = 300): ChaosPlan {
  const jobs: PlannedJob[] = [];
  for (let i = 0; i < jobCount; i++) {
    const size = random.pick(SIZES) + random.int(0, 4095);
    const roll = random.next();
    const fault: FaultKind | undefined =
      roll < 0.15 ? 'drop' : roll < 0.25 ? 'stall' : roll < 0.33 ? 'http500' : roll < 0.38 ? 'http429' : undefined;
    const query: Record<string, string | number> = { rate: BYTES_PER_SECOND };
    const cut = Math.max(1, Math.floor(size * (0.1 + 0.8 * random.next())));
    if (fault === 'drop') Object.assign(query, { dropAfter: cut, times: 1 });
    if (fault === 'stall') Object.assign(query, { stallAfter: cut, times: 1 });
    if (fault === 'http500') Object.assign(query, { status: '500,200' });
    if (fault === 'http429') Object.assign(query, { status: '429,200', retryAfter: 1 });
    jobs.push({
      // One in ten jobs has no jobId: its id is the SQS message id.
      jobId: i % 10 === 9 ? undefined : `chaos-${String(i).padStart(3, '0')}`,
      path: `/media/chaos-${i}.mp4`,
      size,
      fault,
      query,
    });
  }

  const body = (job: PlannedJob, path = job.path) =>
    JSON.stringify({
      jobId: job.jobId,
      url: `{MEDIA}${path}?${new URLSearchParams(stringify(job.query))}`,
      run: 'chaos',
    });
  const messages: PlannedMessage[] = jobs.map((job, i) => ({ body: body(job), kind: 'job', job: i }));
  const withIds = jobs.map((job, i) => ({ job, i })).filter(({ job }) => job.jobId !== undefined);
  for (let k = 0; k < 20; k++) {
    const { job, i } = random.pick(withIds);
    messages.push({ body: body(job), kind: 'duplicate', job: i });
  }
  for (let k = 0; k < 10; k++) {
    const { job, i } = random.pick(withIds);
    // Same id, another URL: whichever arrives first is the job; the other is absorbed.
    messages.push({ body: body(job, `/media/other-${k}.mp4`), kind: 'same-id', job: i });
  }
  for (const text of MALFORMED_BODIES) messages.push({ body: text, kind: 'malformed' });
  // Shuffle (Fisher-Yates, seeded) so duplicates and bad bodies arrive mixed in.
  for (let i = messages.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [messages[i], messages[j]] = [messages[j] as PlannedMessage, messages[i] as PlannedMessage];
  }
  return { jobs, messages };
}

function stringify(query: Record<string, string | number>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)]));
}

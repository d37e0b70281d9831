/**
 * Download failures as `JobError`s with stable codes, and the rule that says which ones another
 * attempt can fix. Retryable: the network (refused, reset, unreachable, DNS hiccups, stalls,
 * timeouts, truncated bodies), server trouble (5xx, 408, 429 with its Retry-After), and local
 * storage (full disk, I/O errors) that an operator can clear. Not retryable: what the URL or the
 * server's answer makes impossible (bad scheme, refused address, 4xx, too large, too many
 * redirects, a body that contradicts its own length, TLS certificate problems).
 */
import { JobError } from '../jobs/job-error.js';

const retryable = (code: string, message: string, cause?: unknown, retryAfterMs?: number) =>
  new JobError(code, message, { retryable: true, cause, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
const permanent = (code: string, message: string, cause?: unknown) =>
  new JobError(code, message, { retryable: false, cause });

export const downloadError = {
  missingUrl: () => permanent('missing_url', 'the job has no URL to download'),
  invalidJobId: (id: string) =>
    permanent('invalid_job_id', `job id ${JSON.stringify(id.slice(0, 200))} cannot name a download folder`),
  badUrl: (reason: string) => permanent('bad_url', reason),
  badScheme: (reason: string) => permanent('bad_scheme', reason),
  refusedAddress: (reason: string) => permanent('refused_address', reason),
  tooManyRedirects: (max: number) => permanent('too_many_redirects', `more than ${max} redirects`),
  badRedirect: (reason: string) => permanent('bad_redirect', reason),
  httpStatus(status: number, retryAfterMs: number | undefined): JobError {
    const message = `the server answered HTTP ${status}`;
    if (status === 429 || status === 503) return retryable('http_status', message, undefined, retryAfterMs);
    if (status >= 500 || status === 408) return retryable('http_status', message);
    return permanent('http_status', message);
  },
  tooLarge: (bytes: number, max: number) =>
    permanent('too_large', `the file is larger than MAX_DOWNLOAD_BYTES (${bytes} > ${max} bytes)`),
  tooLargeStream: (max: number) =>
    permanent('too_large', `the body grew past MAX_DOWNLOAD_BYTES (${max} bytes) and was cut off`),
  connectTimeout: (ms: number) => retryable('connect_timeout', `no connection within ${ms} ms`),
  stalled: (ms: number) => retryable('stalled', `no data received for ${ms} ms`),
  truncated: (got: number, expected: number) =>
    retryable('truncated', `the body ended after ${got} of ${expected} announced bytes`),
  longerThanAnnounced: (expected: number, cause?: unknown) =>
    permanent('length_mismatch', `the server sent more than the ${expected} bytes it announced`, cause),
  badRange: (reason: string) => retryable('bad_range', reason),
  busy: () => retryable('busy', 'another attempt of this job is still winding down in this process'),
  diskFull: (cause: unknown) => retryable('disk_full', 'no space left on the download volume', cause),
  notEnoughSpace: (needed: number, free: number) =>
    retryable('disk_full', `not enough free space for the download (${needed} bytes needed, ${free} free)`),
};

/** Node/libuv codes that mean "the network or the peer failed; trying later may work". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EPROTO',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);
const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);
const STORAGE_CODES = new Set(['EIO', 'EROFS', 'EACCES', 'EPERM', 'EMFILE', 'ENFILE', 'EBUSY']);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isDiskFull(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && DISK_FULL_CODES.has(code);
}

/** Any error met while downloading → the JobError the scheduler records. */
export function classifyError(error: unknown): JobError {
  if (error instanceof JobError) return error;
  const code = codeOf(error) ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (DISK_FULL_CODES.has(code)) return downloadError.diskFull(error);
  if (STORAGE_CODES.has(code)) return retryable('storage_error', `cannot write the download: ${message}`, error);
  if (NETWORK_CODES.has(code) || message === 'aborted') {
    return retryable('network_error', `connection failed: ${code || message}`, error);
  }
  if (code.startsWith('HPE_')) return retryable('protocol_error', `malformed HTTP response: ${message}`, error);
  if (code.startsWith('ERR_TLS_') || code.includes('CERT') || code.startsWith('UNABLE_TO_')) {
    return permanent('tls_error', `TLS failure: ${code}`, error);
  }
  return retryable('download_error', message, error);
}

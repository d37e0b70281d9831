/**
 * Validation of a download request, wherever it comes from (HTTP body or SQS message). Pure.
 * A job id names a folder under DOWNLOAD_DIR, so it must be a plain, bounded identifier.
 */
import type { JsonObject } from './job.js';

export const JOB_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const MAX_URL_LENGTH = 8192;

export interface DownloadRequest {
  jobId: string | undefined;
  url: string;
  metadata: JsonObject;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; field: string; reason: string };

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function checkJobId(value: unknown): Checked<string> {
  if (typeof value !== 'string' || !JOB_ID_PATTERN.test(value)) {
    return {
      ok: false,
      field: 'jobId',
      reason: 'jobId must be 1-128 characters of letters, digits, ".", "_" or "-", starting with a letter or digit',
    };
  }
  return { ok: true, value };
}

export function checkDownloadUrl(value: unknown): Checked<string> {
  if (typeof value !== 'string' || value.trim() === '') {
    return { ok: false, field: 'url', reason: 'url is required and must be a string' };
  }
  if (value.length > MAX_URL_LENGTH) {
    return { ok: false, field: 'url', reason: `url is longer than ${MAX_URL_LENGTH} characters` };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, field: 'url', reason: 'url is not a valid absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, field: 'url', reason: `url must use http or https, not ${url.protocol.slice(0, -1)}` };
  }
  return { ok: true, value: url.href };
}

/** `{url, jobId?, metadata?}`: the HTTP API's body. */
export function checkDownloadRequest(body: unknown): Checked<DownloadRequest> {
  if (!isPlainObject(body)) return { ok: false, field: 'body', reason: 'body must be a JSON object' };
  const url = checkDownloadUrl(body.url);
  if (!url.ok) return url;
  let jobId: string | undefined;
  if (body.jobId !== undefined && body.jobId !== null) {
    const id = checkJobId(body.jobId);
    if (!id.ok) return id;
    jobId = id.value;
  }
  if (body.metadata !== undefined && body.metadata !== null && !isPlainObject(body.metadata)) {
    return { ok: false, field: 'metadata', reason: 'metadata must be a JSON object' };
  }
  const metadata = isPlainObject(body.metadata) ? body.metadata : {};
  return { ok: true, value: { jobId, url: url.value, metadata } };
}

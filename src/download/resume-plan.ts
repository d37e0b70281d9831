/**
 * The first step of an attempt: send the GET (ranged when a part can be resumed) and decide,
 * from the answer, what this attempt does. See the state machine in downloader.ts.
 */
import { downloadError } from './errors.js';
import { type FetchSettings, type OpenResponse, openGet } from './http-fetch.js';
import {
  parseContentLength,
  parseContentRange,
  parseRetryAfter,
  parseUnsatisfiedRange,
  strongEtag,
} from './http-headers.js';
import type { Resumable } from './part-state.js';

export type Plan =
  /** 200: write the body from byte 0. */
  | { kind: 'fresh'; opened: OpenResponse; total: number | null }
  /** 206 starting exactly at the part's end, same resource: append. */
  | { kind: 'append'; opened: OpenResponse; total: number | null; resume: Resumable }
  /** 416 for a part that already holds every byte: only the rename is missing. */
  | { kind: 'complete'; resume: Resumable }
  /** The part cannot be continued: forget it and ask again without Range. */
  | { kind: 'restart' };

/** What the answer to a (possibly ranged) GET lets this attempt do; throws for error statuses. */
export function planFor(opened: OpenResponse, resume: Resumable | undefined, now = Date.now()): Plan {
  const { statusCode = 0, headers } = opened.response;
  if (statusCode === 200) {
    return { kind: 'fresh', opened, total: parseContentLength(headers['content-length']) ?? null };
  }
  if (statusCode === 206) {
    const range = parseContentRange(headers['content-range']);
    if (!resume) {
      if (range?.start === 0) return { kind: 'fresh', opened, total: range.total };
      throw downloadError.badRange('the server sent a partial response to a plain GET');
    }
    const etag = strongEtag(headers.etag);
    const fits =
      range !== undefined &&
      range.start === resume.partBytes &&
      (resume.state.totalBytes === null || range.total === resume.state.totalBytes) &&
      (etag === undefined || resume.state.etag === null || etag === resume.state.etag);
    return fits ? { kind: 'append', opened, total: range.total, resume } : { kind: 'restart' };
  }
  if (statusCode === 416 && resume) {
    const total = parseUnsatisfiedRange(headers['content-range']);
    return total === resume.partBytes ? { kind: 'complete', resume } : { kind: 'restart' };
  }
  throw downloadError.httpStatus(statusCode, parseRetryAfter(headers['retry-after'], now));
}

/**
 * GET the URL, with `Range: bytes=N-` and `If-Range` when resuming: the server sends the rest
 * only if the resource still has the validator the part was written under, else all of it.
 */
export async function requestPlan(
  url: string,
  resume: Resumable | undefined,
  fetch: FetchSettings,
  signal: AbortSignal,
): Promise<Plan> {
  const validator = resume?.state.etag ?? resume?.state.lastModified;
  const headers = resume && validator ? { range: `bytes=${resume.partBytes}-`, 'if-range': validator } : {};
  const opened = await openGet(url, headers, signal, fetch);
  let plan: Plan;
  try {
    plan = planFor(opened, resume);
  } catch (error) {
    opened.destroy();
    throw error;
  }
  if (plan.kind === 'restart' || plan.kind === 'complete') opened.destroy();
  return plan;
}

/**
 * Streams one URL to `<folder>/<name>.part`, hashing on the way, then fsyncs and renames it to
 * its final name. Resumes what an earlier attempt left behind.
 *
 *   start ── part + sidecar with a validator? ──no──► GET ─────────────────────────┐
 *     │ yes                                                                      │
 *     ▼                                                                          ▼
 *   GET Range: bytes=N-, If-Range: <ETag|Last-Modified>                 200: reset folder, write
 *     ├─ 206 from N, same total ─► hash the N bytes on disk ─► append   sidecar, truncate part
 *     ├─ 200 (resource changed) ─────────────────────────────────────────► (as for 200)
 *     ├─ 416, total = N (part already complete) ─► hash part ─► finish
 *     └─ 416 other / 206 that does not fit ─► forget the part, GET once more without Range
 *
 *   stream (count, hash, limit, stall watchdog) ─► size = announced? ─► fsync ─► rename ─► fsync dir
 *
 * A failure leaves the part and sidecar in place, so the next attempt resumes; the handler
 * removes them when the job ends for good.
 */
import { createHash, type Hash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import { BodyMeter } from './body-meter.js';
import { downloadError } from './errors.js';
import { chooseFileName } from './file-name.js';
import { type FetchSettings, type OpenResponse, openGet } from './http-fetch.js';
import {
  headerText,
  mediaType,
  parseContentLength,
  parseContentRange,
  parseRetryAfter,
  parseUnsatisfiedRange,
  strongEtag,
} from './http-headers.js';
import {
  findResumable,
  type PartState,
  partPath,
  type Resumable,
  removeState,
  resetFolder,
  syncFolder,
  writePartState,
} from './part-state.js';

export interface DownloadSettings {
  fetch: FetchSettings;
  maxBytes: number | undefined;
  stallTimeoutMs: number;
  /** Free bytes on the volume holding `dir` (statfs); injectable for tests. */
  freeBytes(dir: string): Promise<number>;
}

export interface DownloadRequest {
  url: string;
  /** The job's folder (absolute, already validated). */
  folder: string;
  signal: AbortSignal;
  logger: Logger;
  progress(bytes: number, totalBytes: number | null): void;
}

export interface Downloaded {
  name: string;
  bytes: number;
  sha256: string;
  contentType: string | null;
}

type Plan =
  | { kind: 'fresh'; opened: OpenResponse; total: number | null }
  | { kind: 'append'; opened: OpenResponse; total: number | null; resume: Resumable }
  | { kind: 'complete'; resume: Resumable }
  | { kind: 'restart' };

const WRITE_BUFFER = 1024 * 1024;

function statusError(opened: OpenResponse): Error {
  const { statusCode = 0, headers } = opened.response;
  return downloadError.httpStatus(statusCode, parseRetryAfter(headers['retry-after'], Date.now()));
}

/** What the answer to a (possibly ranged) GET lets this attempt do. */
function planFor(opened: OpenResponse, resume: Resumable | undefined): Plan {
  const { statusCode = 0, headers } = opened.response;
  if (statusCode === 200)
    return { kind: 'fresh', opened, total: parseContentLength(headers['content-length']) ?? null };
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
  throw statusError(opened);
}

async function request(
  url: string,
  resume: Resumable | undefined,
  s: DownloadSettings,
  signal: AbortSignal,
): Promise<Plan> {
  const validator = resume?.state.etag ?? resume?.state.lastModified;
  const headers = resume && validator ? { range: `bytes=${resume.partBytes}-`, 'if-range': validator } : {};
  const opened = await openGet(url, headers, signal, s.fetch);
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

async function hashFile(path: string, bytes: number, hash: Hash, signal: AbortSignal): Promise<void> {
  if (bytes === 0) return;
  for await (const chunk of createReadStream(path, { end: bytes - 1, highWaterMark: WRITE_BUFFER, signal })) {
    hash.update(chunk as Buffer);
  }
}

async function checkLimits(s: DownloadSettings, folder: string, total: number | null, have: number): Promise<void> {
  if (total === null) return;
  if (s.maxBytes !== undefined && total > s.maxBytes) throw downloadError.tooLarge(total, s.maxBytes);
  const free = await s.freeBytes(folder);
  if (total - have > free) throw downloadError.notEnoughSpace(total - have, free);
}

/** Streams the body into `file` (an open handle); returns the size of the whole file. */
async function receive(
  opened: OpenResponse,
  file: FileHandle,
  meter: BodyMeter,
  total: number | null,
  signal: AbortSignal,
): Promise<number> {
  const sink = file.createWriteStream({ autoClose: false, highWaterMark: WRITE_BUFFER });
  await pipeline(opened.response, meter, sink, { signal });
  // The request closes right after the body: bytes past Content-Length surface as a late parse error.
  await opened.closed;
  const late = opened.lateError();
  if (late !== undefined) {
    if (total !== null && meter.bytes === total) throw downloadError.longerThanAnnounced(total, late);
    throw late;
  }
  if (total !== null && meter.bytes < total) throw downloadError.truncated(meter.bytes, total);
  if (total !== null && meter.bytes > total) throw downloadError.longerThanAnnounced(total);
  await file.sync();
  return meter.bytes;
}

async function finish(folder: string, name: string): Promise<void> {
  await rename(partPath(folder, name), join(folder, name));
  await syncFolder(folder);
  await removeState(folder);
}

async function startFresh(url: string, folder: string, opened: OpenResponse, total: number | null): Promise<PartState> {
  const { headers } = opened.response;
  const contentType = mediaType(headers['content-type']) ?? null;
  const name = chooseFileName({
    contentDisposition: headerText(headers['content-disposition']),
    url: opened.url,
    contentType: contentType ?? undefined,
  });
  const state: PartState = {
    url,
    name,
    etag: strongEtag(headers.etag) ?? null,
    lastModified: headerText(headers['last-modified']) ?? null,
    totalBytes: total,
    contentType,
  };
  await resetFolder(folder);
  await writePartState(folder, state);
  return state;
}

export async function download(req: DownloadRequest, s: DownloadSettings): Promise<Downloaded> {
  const { url, folder, signal, logger } = req;
  await mkdir(folder, { recursive: true });
  let resume = await findResumable(folder, url);
  let plan = await request(url, resume, s, signal);
  if (plan.kind === 'restart') {
    logger.info({ partBytes: resume?.partBytes }, 'the partial download cannot be resumed: starting over');
    resume = undefined;
    plan = await request(url, undefined, s, signal);
  }
  if (plan.kind === 'restart') throw downloadError.badRange('the server answered a plain GET like a ranged one');

  const hash = createHash('sha256');
  if (plan.kind === 'complete') {
    const { state, partBytes } = plan.resume;
    await hashFile(partPath(folder, state.name), partBytes, hash, signal);
    await finish(folder, state.name);
    logger.info({ bytes: partBytes }, 'download was already complete: finished it');
    return { name: state.name, bytes: partBytes, sha256: hash.digest('hex'), contentType: state.contentType };
  }

  const { opened, total } = plan;
  try {
    const startBytes = plan.kind === 'append' ? plan.resume.partBytes : 0;
    await checkLimits(s, folder, total, startBytes);
    const state = plan.kind === 'append' ? plan.resume.state : await startFresh(url, folder, opened, total);
    const part = partPath(folder, state.name);
    if (plan.kind === 'append') await hashFile(part, startBytes, hash, signal);
    logger.info(
      { status: opened.response.statusCode, name: state.name, totalBytes: total, resumeFrom: startBytes || undefined },
      startBytes > 0 ? 'download resumed' : 'download started',
    );
    const flags =
      constants.O_WRONLY |
      constants.O_NOFOLLOW |
      (startBytes > 0 ? constants.O_APPEND : constants.O_CREAT | constants.O_TRUNC);
    const file = await open(part, flags, 0o644);
    const meter = new BodyMeter({
      hash,
      startBytes,
      maxBytes: s.maxBytes,
      stallTimeoutMs: s.stallTimeoutMs,
      onProgress: (bytes) => req.progress(bytes, total),
    });
    let bytes: number;
    try {
      req.progress(startBytes, total);
      bytes = await receive(opened, file, meter, total, signal);
    } finally {
      await file.close();
    }
    await finish(folder, state.name);
    return { name: state.name, bytes, sha256: hash.digest('hex'), contentType: state.contentType };
  } finally {
    opened.destroy();
  }
}

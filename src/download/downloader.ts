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
 *   stream (count, hash, limit, stall watchdog, background fdatasync) ─► size = announced?
 *     ─► fsync ─► rename ─► fsync dir
 *
 * A failure leaves the part and sidecar in place, so the next attempt resumes; the handler
 * removes them when the job ends for good.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { downloadError } from './errors.js';
import { chooseFileName } from './file-name.js';
import type { FetchSettings, OpenResponse } from './http-fetch.js';
import { headerText, mediaType, strongEtag } from './http-headers.js';
import {
  findResumable,
  type PartState,
  partPath,
  removeState,
  resetFolder,
  syncFolder,
  writePartState,
} from './part-state.js';
import { writeBody } from './part-writer.js';
import { requestPlan } from './resume-plan.js';

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

const READ_BUFFER = 1024 * 1024;

async function hashFile(path: string, bytes: number, hash: Hash, signal: AbortSignal): Promise<void> {
  if (bytes === 0) return;
  for await (const chunk of createReadStream(path, { end: bytes - 1, highWaterMark: READ_BUFFER, signal })) {
    hash.update(chunk as Buffer);
  }
}

async function checkLimits(s: DownloadSettings, folder: string, total: number | null, have: number): Promise<void> {
  if (total === null) return;
  if (s.maxBytes !== undefined && total > s.maxBytes) throw downloadError.tooLarge(total, s.maxBytes);
  const free = await s.freeBytes(folder);
  if (total - have > free) throw downloadError.notEnoughSpace(total - have, free);
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
  let plan = await requestPlan(url, resume, s.fetch, signal);
  if (plan.kind === 'restart') {
    logger.info({ partBytes: resume?.partBytes }, 'the partial download cannot be resumed: starting over');
    resume = undefined;
    plan = await requestPlan(url, undefined, s.fetch, signal);
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
    req.progress(startBytes, total);
    const bytes = await writeBody(opened, {
      part,
      hash,
      startBytes,
      total,
      maxBytes: s.maxBytes,
      stallTimeoutMs: s.stallTimeoutMs,
      onProgress: (done) => req.progress(done, total),
    });
    await finish(folder, state.name);
    return { name: state.name, bytes, sha256: hash.digest('hex'), contentType: state.contentType };
  } finally {
    opened.destroy();
  }
}

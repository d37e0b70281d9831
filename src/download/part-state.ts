/**
 * What an interrupted attempt leaves for the next one: `<name>.part` (the bytes so far) and a
 * small sidecar, `.download.json`, with the validators (ETag, Last-Modified) and the name the
 * first response chose. The next attempt cannot know the name before it has a response, and
 * it must prove the resource is unchanged (If-Range) before appending, so both come from here.
 * The sidecar is written before the first body byte, atomically (temp file + rename): a part
 * without a readable sidecar is never resumed, only discarded.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sanitizeFileName } from './file-name.js';

export const STATE_FILE = '.download.json';
export const PART_SUFFIX = '.part';

export interface PartState {
  /** The job URL this part belongs to. */
  url: string;
  /** Final file name (already sanitised). */
  name: string;
  etag: string | null;
  lastModified: string | null;
  totalBytes: number | null;
  contentType: string | null;
}

export interface Resumable {
  state: PartState;
  partBytes: number;
}

export const partPath = (folder: string, name: string) => join(folder, `${name}${PART_SUFFIX}`);

function isPartState(value: unknown): value is PartState {
  const v = value as Partial<PartState> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.url === 'string' &&
    typeof v.name === 'string' &&
    // A tampered or corrupt sidecar must not steer a write anywhere but the job's folder.
    sanitizeFileName(v.name) === v.name &&
    (v.etag === null || typeof v.etag === 'string') &&
    (v.lastModified === null || typeof v.lastModified === 'string') &&
    (v.totalBytes === null || Number.isSafeInteger(v.totalBytes)) &&
    (v.contentType === null || typeof v.contentType === 'string')
  );
}

/** The part an earlier attempt left for this URL, when it can be resumed at all. */
export async function findResumable(folder: string, url: string): Promise<Resumable | undefined> {
  let state: unknown;
  try {
    state = JSON.parse(await readFile(join(folder, STATE_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  if (!isPartState(state) || state.url !== url) return undefined;
  if (state.etag === null && state.lastModified === null) return undefined;
  try {
    const info = await stat(partPath(folder, state.name));
    if (!info.isFile() || info.size === 0) return undefined;
    if (state.totalBytes !== null && info.size > state.totalBytes) return undefined;
    return { state, partBytes: info.size };
  } catch {
    return undefined;
  }
}

export async function writePartState(folder: string, state: PartState): Promise<void> {
  const temp = join(folder, `${STATE_FILE}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(temp, JSON.stringify(state));
  await rename(temp, join(folder, STATE_FILE));
}

/** Empties the job's folder (creating it when missing): a fresh start leaves nothing stale. */
export async function resetFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  const entries = await readdir(folder);
  await Promise.all(entries.map((entry) => rm(join(folder, entry), { recursive: true, force: true })));
}

export async function removeState(folder: string): Promise<void> {
  await rm(join(folder, STATE_FILE), { force: true });
}

/** Makes a rename in `folder` durable: the directory entry itself is fsynced. */
export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

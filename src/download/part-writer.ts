/**
 * The body's way to disk: socket → BodyMeter (count, hash, limit, stall watchdog) → the part
 * file, with backpressure all along (pipe, pipeline): memory stays flat. Durability without a long pause at the end:
 * every SYNC_EVERY_BYTES an fdatasync runs in the background (never two at once), so the
 * kernel writes back while the download goes on and the final fsync has little left. It also
 * bounds what a power loss can take from a part that a later attempt will resume.
 */
import type { Hash } from 'node:crypto';
import { once } from 'node:events';
import { constants, createWriteStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { finished, pipeline } from 'node:stream/promises';
import { BodyMeter } from './body-meter.js';
import { downloadError } from './errors.js';
import type { OpenResponse } from './http-fetch.js';

const WRITE_BUFFER = 1024 * 1024;
export const SYNC_EVERY_BYTES = 64 * 1024 * 1024;

export interface WriteOptions {
  part: string;
  /** Seeded with the bytes already in the part when appending. */
  hash: Hash;
  startBytes: number;
  /** Size of the whole file as announced; null when unknown. */
  total: number | null;
  maxBytes: number | undefined;
  stallTimeoutMs: number;
  onProgress(bytes: number): void;
}

/** Background fdatasync every `everyBytes`; reports a failure (EIO, ENOSPC at writeback) once. */
function periodicSync(handle: FileHandle, everyBytes: number, fail: (error: unknown) => void) {
  let syncedAt = 0;
  let running: Promise<void> | undefined;
  return {
    wrote(bytes: number): void {
      if (running || bytes - syncedAt < everyBytes) return;
      syncedAt = bytes;
      running = handle
        .datasync()
        .catch(fail)
        .finally(() => {
          running = undefined;
        });
    },
    idle: () => running ?? Promise.resolve(),
  };
}

/** Streams the body into the part and returns the size of the whole file, fsynced. */
export async function writeBody(opened: OpenResponse, options: WriteOptions): Promise<number> {
  const { part, startBytes, total } = options;
  const flags =
    constants.O_WRONLY |
    constants.O_NOFOLLOW |
    (startBytes > 0 ? constants.O_APPEND : constants.O_CREAT | constants.O_TRUNC);
  const handle = await open(part, flags, 0o644);
  // The stream owns the handle: with `flush` it fsyncs and closes it when the body ends or fails.
  const sink = createWriteStream(part, { fd: handle, flush: true, highWaterMark: WRITE_BUFFER });
  const sync = periodicSync(handle, SYNC_EVERY_BYTES, (error) => sink.destroy(error as Error));
  const meter = new BodyMeter({
    hash: options.hash,
    startBytes,
    maxBytes: options.maxBytes,
    stallTimeoutMs: options.stallTimeoutMs,
    onProgress: (bytes) => {
      options.onProgress(bytes);
      sync.wrote(bytes);
    },
  });
  // The source is piped by hand so that its failure (dropped connection, abort) ends the meter
  // instead of destroying the chain: every byte received still reaches the part, for a resume.
  const source = opened.response;
  let sourceError: unknown;
  const endEarly = (error: unknown) => {
    sourceError ??= error;
    meter.end();
  };
  // `finished` also reports a failure that happened before this point (an abort while the part
  // was being prepared), which an 'error' listener added now would never hear.
  finished(source).catch(endEarly);
  source.pipe(meter);
  try {
    await pipeline(meter, sink);
  } catch (error) {
    // Stalled, too large, or the disk failed: that is the cause to report, even when the source
    // also fails (as it will once destroyed here). A write may still be in flight: wait for it.
    opened.destroy();
    if (!sink.closed) await once(sink, 'close');
    await sync.idle();
    throw error;
  }
  if (sourceError !== undefined) throw sourceError;
  // The request closes right after the body: bytes past Content-Length surface as a late parse error.
  await opened.closed;
  const late = opened.lateError();
  if (late !== undefined) {
    if (total !== null && meter.bytes === total) throw downloadError.longerThanAnnounced(total, late);
    throw late;
  }
  if (total !== null && meter.bytes < total) throw downloadError.truncated(meter.bytes, total);
  if (total !== null && meter.bytes > total) throw downloadError.longerThanAnnounced(total);
  return meter.bytes;
}

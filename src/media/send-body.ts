/**
 * Writes a generated body with backpressure and the body faults of faults.ts: stall or drop
 * after N bytes, a rate limit, bytes past Content-Length. `progress.bytesSent` is updated as
 * bytes go out, so a test can wait for "N bytes sent" in the request log.
 */
import type { ServerResponse } from 'node:http';
import type { Faults } from './faults.js';

function writable(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Stops after the limit: a stall keeps the connection open and silent; a drop closes it. */
async function cut(res: ServerResponse, faults: Faults, flushed: Promise<void>): Promise<void> {
  await flushed;
  if (faults.dropAfterBytes !== undefined) res.socket?.destroy();
}

export async function sendBody(
  res: ServerResponse,
  chunks: Iterable<Buffer>,
  faults: Faults,
  progress: { bytesSent: number },
): Promise<void> {
  const limit = faults.stallAfterBytes ?? faults.dropAfterBytes;
  if (limit === 0) {
    res.flushHeaders();
    return cut(res, faults, Promise.resolve());
  }
  const started = Date.now();
  for (const chunk of chunks) {
    if (res.destroyed) return;
    const piece = limit === undefined ? chunk : chunk.subarray(0, limit - progress.bytesSent);
    const flushed = new Promise<void>((resolve) => res.write(piece, () => resolve()));
    progress.bytesSent += piece.length;
    if (res.writableNeedDrain) await writable(res);
    if (limit !== undefined && progress.bytesSent >= limit) return cut(res, faults, flushed);
    if (faults.bytesPerSecond) {
      const due = started + (progress.bytesSent / faults.bytesPerSecond) * 1000;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    }
  }
  if (faults.extraBytes) res.write(Buffer.alloc(faults.extraBytes, 0x58));
  res.end();
}

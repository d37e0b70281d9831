/**
 * The transform every body byte passes through between the socket and the file: it counts,
 * hashes (SHA-256 on the fly, so no second read), enforces MAX_DOWNLOAD_BYTES, reports progress
 * and runs the stall watchdog. It holds no data: memory stays flat whatever the file size,
 * because `pipeline` applies backpressure from the file back to the socket.
 */
import type { Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { downloadError } from './errors.js';

export interface MeterOptions {
  /** Seeded with the bytes already on disk when resuming. */
  hash: Hash;
  startBytes: number;
  maxBytes: number | undefined;
  /** No chunk for this long (either side stalled) fails the download. */
  stallTimeoutMs: number;
  onProgress(bytes: number): void;
}

export class BodyMeter extends Transform {
  /** Bytes of the whole file so far, including a resumed prefix. */
  bytes: number;
  private readonly watchdog: NodeJS.Timeout;

  constructor(private readonly options: MeterOptions) {
    super();
    this.bytes = options.startBytes;
    this.watchdog = setTimeout(
      () => this.destroy(downloadError.stalled(options.stallTimeoutMs)),
      options.stallTimeoutMs,
    );
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    const { maxBytes } = this.options;
    if (maxBytes !== undefined && this.bytes > maxBytes) {
      callback(downloadError.tooLargeStream(maxBytes));
      return;
    }
    this.watchdog.refresh();
    this.options.hash.update(chunk);
    this.options.onProgress(this.bytes);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    clearTimeout(this.watchdog);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.watchdog);
    callback(error);
  }
}

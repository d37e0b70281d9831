/**
 * Deterministic generated media: any size, no file on disk, the same bytes for the same seed
 * every time, so a test (or the benchmark) can compute the SHA-256 it expects.
 *
 * A 64 KiB base block comes from SHA-256 in counter mode over the seed; chunk i is that block
 * with i written into its first 8 bytes. Every chunk therefore differs (an off-by-one-chunk
 * resume changes the hash) and generating costs a memory copy per chunk: fast enough to serve
 * gigabytes faster than a client can take them.
 */
import { createHash } from 'node:crypto';

export const CHUNK_SIZE = 64 * 1024;

export interface ContentSpec {
  size: number;
  seed: string;
}

const baseBlocks = new Map<string, Buffer>();

function baseBlock(seed: string): Buffer {
  let block = baseBlocks.get(seed);
  if (!block) {
    block = Buffer.allocUnsafe(CHUNK_SIZE);
    for (let offset = 0, i = 0; offset < CHUNK_SIZE; offset += 32, i++) {
      createHash('sha256').update(`${seed}:${i}`).digest().copy(block, offset);
    }
    baseBlocks.set(seed, block);
  }
  return block;
}

/** Bytes [start, end) of the content as fresh buffers of at most CHUNK_SIZE bytes. */
export function* generate(spec: ContentSpec, start = 0, end = spec.size): Generator<Buffer> {
  const base = baseBlock(spec.seed);
  let position = Math.max(0, start);
  const stop = Math.min(end, spec.size);
  while (position < stop) {
    const index = Math.floor(position / CHUNK_SIZE);
    const chunkStart = index * CHUNK_SIZE;
    const chunk = Buffer.from(base);
    chunk.writeBigUInt64BE(BigInt(index), 0);
    const to = Math.min(CHUNK_SIZE, stop - chunkStart);
    yield chunk.subarray(position - chunkStart, to);
    position = chunkStart + to;
  }
}

/** The whole content's SHA-256, hex (about 1.5 s per GiB). */
export function sha256Of(spec: ContentSpec, start = 0, end = spec.size): string {
  const hash = createHash('sha256');
  for (const chunk of generate(spec, start, end)) hash.update(chunk);
  return hash.digest('hex');
}

/** Bytes [start, end) in one buffer: for small assertions only. */
export function bytesOf(spec: ContentSpec, start = 0, end = spec.size): Buffer {
  return Buffer.concat([...generate(spec, start, end)]);
}

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import type { OpenResponse } from '../../../src/download/http-fetch.js';
import { writeBody } from '../../../src/download/part-writer.js';

/**
 * An OpenResponse over a stream the test controls. Like an IncomingMessage (which emits 'error'
 * only to listeners), it must not crash the process when destroyed with an error.
 */
function fakeResponse(body: PassThrough): OpenResponse {
  body.on('error', () => {});
  return {
    response: body as unknown as IncomingMessage,
    url: new URL('http://media.test/x'),
    lateError: () => undefined,
    closed: Promise.resolve(),
    destroy: (error) => body.destroy(error),
  };
}

describe('writeBody', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'part-writer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const options = (part: string) => ({
    part,
    hash: createHash('sha256'),
    startBytes: 0,
    total: null,
    maxBytes: undefined,
    stallTimeoutMs: 60_000,
    onProgress: () => {},
  });

  it('keeps every byte received before the connection failed, then reports the failure', async () => {
    const body = new PassThrough();
    const part = join(dir, 'a.part');
    // The connection drops once both chunks have passed the meter but before they are on disk.
    const onProgress = (bytes: number) => {
      if (bytes === 600_000) body.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    };
    const writing = writeBody(fakeResponse(body), { ...options(part), onProgress });
    body.write(Buffer.alloc(300_000, 1));
    body.write(Buffer.alloc(300_000, 2));
    const error = await writing.catch((e: unknown) => e);
    expect(error).to.have.property('code', 'ECONNRESET');
    expect(readFileSync(part)).to.have.length(600_000);
  });

  it('fails at once (not at the stall timeout) when the response failed before writing began', async () => {
    const body = new PassThrough();
    const opened = fakeResponse(body);
    body.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    const started = Date.now();
    const error = await writeBody(opened, options(join(dir, 'b.part'))).catch((e: unknown) => e);
    expect(error).to.have.property('code', 'ECONNRESET');
    expect(Date.now() - started).to.be.below(1000);
  });
});

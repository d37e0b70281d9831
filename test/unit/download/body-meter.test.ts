import { createHash } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { expect } from 'chai';
import sinon from 'sinon';
import { BodyMeter } from '../../../src/download/body-meter.js';
import { JobError } from '../../../src/jobs/job-error.js';

function sink(): Writable & { received: Buffer[] } {
  const received: Buffer[] = [];
  const writable = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      received.push(chunk);
      callback();
    },
  });
  return Object.assign(writable, { received });
}

describe('BodyMeter', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => clock.restore());

  it('passes bytes through, counts from the resumed offset, hashes and reports progress', async () => {
    const progress: number[] = [];
    const hash = createHash('sha256').update('prefix');
    const meter = new BodyMeter({
      hash,
      startBytes: 6,
      maxBytes: undefined,
      stallTimeoutMs: 1000,
      onProgress: (b) => progress.push(b),
    });
    const out = sink();
    await pipeline(PassThrough.from([Buffer.from('hello '), Buffer.from('world')]), meter, out);
    expect(Buffer.concat(out.received).toString()).to.equal('hello world');
    expect(meter.bytes).to.equal(17);
    expect(progress).to.deep.equal([12, 17]);
    expect(hash.digest('hex')).to.equal(createHash('sha256').update('prefixhello world').digest('hex'));
  });

  it('cuts the stream off once it grows past the limit', async () => {
    const meter = new BodyMeter({
      hash: createHash('sha256'),
      startBytes: 0,
      maxBytes: 8,
      stallTimeoutMs: 1000,
      onProgress: () => {},
    });
    const out = sink();
    const error = await pipeline(PassThrough.from([Buffer.alloc(5), Buffer.alloc(5)]), meter, out).catch((e) => e);
    expect(error).to.be.instanceOf(JobError);
    expect(error).to.include({ code: 'too_large', retryable: false });
    expect(Buffer.concat(out.received)).to.have.length(5);
  });

  it('fails with `stalled` after the stall timeout without a byte, not before', async () => {
    const source = new PassThrough();
    const meter = new BodyMeter({
      hash: createHash('sha256'),
      startBytes: 0,
      maxBytes: undefined,
      stallTimeoutMs: 30_000,
      onProgress: () => {},
    });
    const done = pipeline(source, meter, sink()).catch((e: unknown) => e);
    await clock.tickAsync(20_000);
    source.write(Buffer.from('x'));
    await clock.tickAsync(20_000); // 40 s since start, 20 s since the last byte: still fine
    expect(meter.destroyed).to.equal(false);
    await clock.tickAsync(10_001);
    const error = await done;
    expect(error).to.be.instanceOf(JobError);
    expect(error).to.include({ code: 'stalled', retryable: true });
  });

  it('leaves no timer behind once the body ends', async () => {
    const meter = new BodyMeter({
      hash: createHash('sha256'),
      startBytes: 0,
      maxBytes: undefined,
      stallTimeoutMs: 1000,
      onProgress: () => {},
    });
    await pipeline(PassThrough.from([Buffer.from('x')]), meter, sink());
    expect(clock.countTimers()).to.equal(0);
  });
});

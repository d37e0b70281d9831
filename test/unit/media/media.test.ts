import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { bytesOf, CHUNK_SIZE, generate, sha256Of } from '../../../src/media/content.js';
import { faultsFromQuery } from '../../../src/media/faults.js';
import { ifRangeHolds, parseRangeHeader } from '../../../src/media/range.js';

describe('media server pieces', () => {
  describe('generated content', () => {
    const spec = { size: 3 * CHUNK_SIZE + 123, seed: 'clip' };

    it('is deterministic and depends on the seed', () => {
      expect(sha256Of(spec)).to.equal(sha256Of({ ...spec }));
      expect(sha256Of(spec)).not.to.equal(sha256Of({ ...spec, seed: 'other' }));
    });

    it('gives every chunk different bytes, so an offset error changes the hash', () => {
      expect(bytesOf(spec, 0, CHUNK_SIZE).equals(bytesOf(spec, CHUNK_SIZE, 2 * CHUNK_SIZE))).to.equal(false);
    });

    it('serves any byte range consistently with the whole', () => {
      const whole = bytesOf(spec);
      expect(whole).to.have.length(spec.size);
      for (const [start, end] of [
        [0, 1],
        [100, 70_000],
        [CHUNK_SIZE - 1, CHUNK_SIZE + 1],
        [spec.size - 5, spec.size],
      ] as const) {
        expect(bytesOf(spec, start, end).equals(whole.subarray(start, end))).to.equal(true);
      }
      const hash = createHash('sha256');
      for (const chunk of generate(spec, 0, 1000)) hash.update(chunk);
      for (const chunk of generate(spec, 1000)) hash.update(chunk);
      expect(hash.digest('hex')).to.equal(sha256Of(spec));
    });
  });

  describe('Range header', () => {
    const table: Array<[string | undefined, ReturnType<typeof parseRangeHeader>]> = [
      [undefined, { kind: 'full' }],
      ['bytes=0-99', { kind: 'partial', start: 0, end: 99 }],
      ['bytes=500-', { kind: 'partial', start: 500, end: 999 }],
      ['bytes=-100', { kind: 'partial', start: 900, end: 999 }],
      ['bytes=900-5000', { kind: 'partial', start: 900, end: 999 }],
      ['bytes=1000-', { kind: 'unsatisfiable' }],
      ['bytes=5-2', { kind: 'unsatisfiable' }],
      ['bytes=0-1,5-6', { kind: 'full' }],
      ['items=0-1', { kind: 'full' }],
    ];
    for (const [header, answer] of table) {
      it(`${header ?? '(none)'} on 1000 bytes → ${JSON.stringify(answer)}`, () => {
        expect(parseRangeHeader(header, 1000)).to.deep.equal(answer);
      });
    }

    it('honours If-Range only for the current strong ETag or the exact date', () => {
      const date = 'Mon, 01 Jan 2024 00:00:00 GMT';
      expect(ifRangeHolds(undefined, '"a"', date)).to.equal(true);
      expect(ifRangeHolds('"a"', '"a"', date)).to.equal(true);
      expect(ifRangeHolds('"b"', '"a"', date)).to.equal(false);
      expect(ifRangeHolds('W/"a"', '"a"', date)).to.equal(false);
      expect(ifRangeHolds(date, '"a"', date)).to.equal(true);
      expect(ifRangeHolds('Tue, 02 Jan 2024 00:00:00 GMT', '"a"', date)).to.equal(false);
    });
  });

  it('reads faults from a query string', () => {
    const query = new URLSearchParams('status=500,200&retryAfter=3&dropAfter=1MB&times=1&noLength=1&rate=2kB');
    expect(faultsFromQuery(query)).to.deep.equal({
      statuses: [500, 200],
      retryAfter: '3',
      dropAfterBytes: 1_000_000,
      times: 1,
      noContentLength: true,
      bytesPerSecond: 2000,
    });
  });
});

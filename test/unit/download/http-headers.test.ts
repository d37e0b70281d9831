import { expect } from 'chai';
import {
  mediaType,
  parseContentLength,
  parseContentRange,
  parseRetryAfter,
  parseUnsatisfiedRange,
  strongEtag,
} from '../../../src/download/http-headers.js';

describe('response headers', () => {
  it('parses Content-Length strictly', () => {
    expect(parseContentLength('1048576')).to.equal(1048576);
    expect(parseContentLength(' 0 ')).to.equal(0);
    expect(parseContentLength('-1')).to.equal(undefined);
    expect(parseContentLength('12abc')).to.equal(undefined);
    expect(parseContentLength('99999999999999999')).to.equal(undefined);
    expect(parseContentLength(undefined)).to.equal(undefined);
  });

  it('parses Content-Range and rejects inconsistent ones', () => {
    expect(parseContentRange('bytes 100-199/1000')).to.deep.equal({ start: 100, end: 199, total: 1000 });
    expect(parseContentRange('bytes 0-0/1')).to.deep.equal({ start: 0, end: 0, total: 1 });
    expect(parseContentRange('bytes 100-199/*')).to.deep.equal({ start: 100, end: 199, total: null });
    expect(parseContentRange('bytes 200-100/1000')).to.equal(undefined);
    expect(parseContentRange('bytes 100-1000/1000')).to.equal(undefined);
    expect(parseContentRange('items 1-2/3')).to.equal(undefined);
    expect(parseContentRange('bytes */1000')).to.equal(undefined);
    expect(parseUnsatisfiedRange('bytes */1000')).to.equal(1000);
    expect(parseUnsatisfiedRange('bytes 1-2/3')).to.equal(undefined);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).to.equal(120_000);
    expect(parseRetryAfter('0', now)).to.equal(0);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).to.equal(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).to.equal(0);
    expect(parseRetryAfter('soon', now)).to.equal(undefined);
    expect(parseRetryAfter('-5', now)).to.equal(undefined);
    expect(parseRetryAfter(undefined, now)).to.equal(undefined);
  });

  it('normalises media types', () => {
    expect(mediaType('Video/MP4; codecs="avc1"')).to.equal('video/mp4');
    expect(mediaType('nonsense')).to.equal(undefined);
    expect(mediaType(['video/webm', 'video/mp4'])).to.equal('video/webm');
  });

  it('accepts only strong ETags for If-Range', () => {
    expect(strongEtag('"abc"')).to.equal('"abc"');
    expect(strongEtag('W/"abc"')).to.equal(undefined);
    expect(strongEtag('abc')).to.equal(undefined);
  });
});

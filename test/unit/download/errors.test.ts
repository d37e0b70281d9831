import { expect } from 'chai';
import { classifyError, downloadError, isDiskFull } from '../../../src/download/errors.js';
import { JobError } from '../../../src/jobs/job-error.js';

const errno = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('download error classification', () => {
  describe('HTTP statuses', () => {
    const table: Array<[number, boolean]> = [
      [500, true],
      [502, true],
      [503, true],
      [504, true],
      [429, true],
      [408, true],
      [400, false],
      [401, false],
      [403, false],
      [404, false],
      [410, false],
      [451, false],
      [304, false],
    ];
    for (const [status, retryable] of table) {
      it(`HTTP ${status} is ${retryable ? '' : 'not '}retryable`, () => {
        const error = downloadError.httpStatus(status, undefined);
        expect(error).to.include({ code: 'http_status', retryable });
        expect(error.message).to.contain(String(status));
      });
    }

    it('carries Retry-After on 429 and 503 only', () => {
      expect(downloadError.httpStatus(429, 7000).retryAfterMs).to.equal(7000);
      expect(downloadError.httpStatus(503, 2000).retryAfterMs).to.equal(2000);
      expect(downloadError.httpStatus(500, 2000).retryAfterMs).to.equal(undefined);
    });
  });

  describe('Node and system errors', () => {
    const table: Array<[string, string, boolean]> = [
      ['ECONNREFUSED', 'network_error', true],
      ['ECONNRESET', 'network_error', true],
      ['ETIMEDOUT', 'network_error', true],
      ['EHOSTUNREACH', 'network_error', true],
      ['ENETUNREACH', 'network_error', true],
      ['EAI_AGAIN', 'network_error', true],
      ['ENOTFOUND', 'network_error', true],
      ['EPIPE', 'network_error', true],
      ['ERR_STREAM_PREMATURE_CLOSE', 'network_error', true],
      ['HPE_INVALID_CONSTANT', 'protocol_error', true],
      ['ENOSPC', 'disk_full', true],
      ['EDQUOT', 'disk_full', true],
      ['EIO', 'storage_error', true],
      ['EROFS', 'storage_error', true],
      ['EACCES', 'storage_error', true],
      ['CERT_HAS_EXPIRED', 'tls_error', false],
      ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls_error', false],
      ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls_error', false],
      ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls_error', false],
      ['ESOMETHINGNEW', 'download_error', true],
    ];
    for (const [code, expected, retryable] of table) {
      it(`${code} → ${expected} (${retryable ? 'retryable' : 'permanent'})`, () => {
        const error = classifyError(errno(code));
        expect(error).to.be.instanceOf(JobError);
        expect(error).to.include({ code: expected, retryable });
        expect(error.cause).to.be.instanceOf(Error);
      });
    }

    it('treats a response cut off mid-body ("aborted") as a network error', () => {
      expect(classifyError(new Error('aborted'))).to.include({ code: 'network_error', retryable: true });
    });

    it('keeps JobErrors as they are', () => {
      const original = downloadError.tooLarge(10, 5);
      expect(classifyError(original)).to.equal(original);
    });

    it('recognises a full disk', () => {
      expect(isDiskFull(errno('ENOSPC'))).to.equal(true);
      expect(isDiskFull(errno('EIO'))).to.equal(false);
      expect(isDiskFull('ENOSPC')).to.equal(false);
    });
  });

  describe('download failures', () => {
    const table: Array<[JobError, string, boolean]> = [
      [downloadError.refusedAddress('x'), 'refused_address', false],
      [downloadError.badScheme('x'), 'bad_scheme', false],
      [downloadError.badUrl('x'), 'bad_url', false],
      [downloadError.tooManyRedirects(5), 'too_many_redirects', false],
      [downloadError.tooLarge(10, 5), 'too_large', false],
      [downloadError.tooLargeStream(5), 'too_large', false],
      [downloadError.longerThanAnnounced(5), 'length_mismatch', false],
      [downloadError.invalidJobId('../x'), 'invalid_job_id', false],
      [downloadError.stalled(1000), 'stalled', true],
      [downloadError.connectTimeout(1000), 'connect_timeout', true],
      [downloadError.truncated(1, 5), 'truncated', true],
      [downloadError.diskFull(errno('ENOSPC')), 'disk_full', true],
      [downloadError.notEnoughSpace(10, 5), 'disk_full', true],
    ];
    for (const [error, code, retryable] of table) {
      it(`${code}: ${error.message} → ${retryable ? 'retryable' : 'permanent'}`, () => {
        expect(error).to.include({ code, retryable });
      });
    }
  });
});

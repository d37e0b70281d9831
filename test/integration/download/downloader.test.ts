import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { abortFor, JobAbort } from '../../../src/jobs/abort-reasons.js';
import { bytesOf, type MediaServer, startMediaServer } from '../../helpers/media-server.js';
import { waitFor } from '../../helpers/wait.js';
import { attempt, filesIn, tempDir, testHandler } from './harness.js';

const MB = 1_000_000;

describe('download handler against a real media server', function () {
  this.timeout(20_000);
  let media: MediaServer;
  let dir: ReturnType<typeof tempDir>;

  beforeEach(async () => {
    media = await startMediaServer();
    dir = tempDir();
  });
  afterEach(async () => {
    await media.close();
    dir.remove();
  });

  it('streams a file to DOWNLOAD_DIR/<jobId>/<name> with its SHA-256, leaving no part behind', async () => {
    const url = media.file('/media/clip.mp4', { size: 3 * MB + 17 });
    const { result, error, progress } = await attempt(testHandler(dir.path), 'job-1', url);
    expect(error).to.equal(undefined);
    expect(result).to.deep.equal({
      file: 'job-1/clip.mp4',
      bytes: 3 * MB + 17,
      sha256: media.sha256('/media/clip.mp4'),
      contentType: 'video/mp4',
    });
    expect(filesIn(dir.path)).to.deep.equal({ 'job-1/clip.mp4': 3 * MB + 17 });
    expect(progress.at(-1)).to.deep.equal([3 * MB + 17, 3 * MB + 17]);
    expect(media.requests.map((r) => [r.range, r.status])).to.deep.equal([[undefined, 200]]);
  });

  it('names the file from Content-Disposition, safely, whatever the header says', async () => {
    const url = media.file('/x', {
      size: 1000,
      contentDisposition: 'attachment; filename="../../../etc/cron.d/evil.mp4"',
    });
    const { result } = await attempt(testHandler(dir.path), 'job-2', url);
    expect(result?.file).to.equal('job-2/evil.mp4');
    expect(filesIn(dir.path)).to.deep.equal({ 'job-2/evil.mp4': 1000 });
  });

  it('adds the extension of the content type when the URL has none', async () => {
    const url = media.file('/stream/abc', { size: 1000, contentType: 'video/webm' });
    const { result } = await attempt(testHandler(dir.path), 'job-3', url);
    expect(result).to.include({ file: 'job-3/abc.webm', contentType: 'video/webm' });
  });

  it('refuses a job id that could escape DOWNLOAD_DIR, writing nothing', async () => {
    const url = media.file('/a.mp4', { size: 1000 });
    for (const id of ['../escape', '/abs', 'a/../../b', 'nul\0byte']) {
      const { error } = await attempt(testHandler(join(dir.path, 'downloads')), id, url);
      expect(error).to.include({ code: 'invalid_job_id', retryable: false });
    }
    expect(filesIn(dir.path)).to.deep.equal({});
    expect(media.requests).to.have.length(0);
  });

  describe('resume', () => {
    it('resumes after a dropped connection with Range + If-Range (ETag) and gets the right SHA-256', async () => {
      const url = media.file('/clip.mp4', { size: 5 * MB }, { dropAfterBytes: 2 * MB, times: 1 });
      const handler = testHandler(dir.path);
      const first = await attempt(handler, 'job-r', url);
      expect(first.error).to.include({ code: 'network_error', retryable: true });
      expect(filesIn(dir.path)).to.deep.include({ 'job-r/clip.mp4.part': 2 * MB });

      const second = await attempt(handler, 'job-r', url);
      expect(second.error).to.equal(undefined);
      expect(second.result).to.include({ bytes: 5 * MB, sha256: media.sha256('/clip.mp4') });
      expect(media.requests.map((r) => [r.range, r.ifRange, r.status])).to.deep.equal([
        [undefined, undefined, 200],
        [`bytes=${2 * MB}-`, media.etagOf('/clip.mp4'), 206],
      ]);
      expect(media.requests[1]?.bytesSent).to.equal(3 * MB);
      expect(second.progress[0]).to.deep.equal([2 * MB, 5 * MB]);
      expect(filesIn(dir.path)).to.deep.equal({ 'job-r/clip.mp4': 5 * MB });
    });

    it('uses Last-Modified for If-Range when there is no ETag', async () => {
      const url = media.file('/lm.mp4', { size: 2 * MB, etag: null }, { dropAfterBytes: MB, times: 1 });
      const handler = testHandler(dir.path);
      await attempt(handler, 'job-lm', url);
      const { result } = await attempt(handler, 'job-lm', url);
      expect(result?.sha256).to.equal(media.sha256('/lm.mp4'));
      expect(media.requests[1]).to.include({
        range: `bytes=${MB}-`,
        ifRange: 'Mon, 01 Jan 2024 00:00:00 GMT',
        status: 206,
      });
    });

    it('starts over when the file changed meanwhile (If-Range fails → 200)', async () => {
      const url = media.file('/v.mp4', { size: 2 * MB, seed: 'old' }, { dropAfterBytes: MB, times: 1 });
      const handler = testHandler(dir.path);
      await attempt(handler, 'job-c', url);
      media.file('/v.mp4', { size: 3 * MB, seed: 'new' });
      const { result } = await attempt(handler, 'job-c', url);
      expect(result).to.include({ bytes: 3 * MB, sha256: media.sha256('/v.mp4') });
      expect(media.requests[1]).to.include({ range: `bytes=${MB}-`, status: 200 });
      expect(filesIn(dir.path)).to.deep.equal({ 'job-c/v.mp4': 3 * MB });
    });

    it('does not resume without a validator: it cannot prove the bytes belong to the same file', async () => {
      const url = media.file(
        '/nv.mp4',
        { size: 2 * MB, etag: null, lastModified: null },
        { dropAfterBytes: MB, times: 1 },
      );
      const handler = testHandler(dir.path);
      await attempt(handler, 'job-nv', url);
      const { result } = await attempt(handler, 'job-nv', url);
      expect(result?.sha256).to.equal(media.sha256('/nv.mp4'));
      expect(media.requests.map((r) => r.range)).to.deep.equal([undefined, undefined]);
    });

    it('finishes a part that was already complete when the server answers 416', async () => {
      // A crash after the last write but before the rename: the part is whole, the job is not done.
      const url = media.file('/whole.mp4', { size: MB }, { dropAfterBytes: MB - 1, times: 1 });
      const handler = testHandler(dir.path);
      expect((await attempt(handler, 'job-416', url)).error).to.include({ code: 'network_error' });
      const part = join(dir.path, 'job-416', 'whole.mp4.part');
      appendFileSync(part, bytesOf(media.content('/whole.mp4'), statSync(part).size));
      const { result } = await attempt(handler, 'job-416', url);
      expect(result).to.include({ bytes: MB, sha256: media.sha256('/whole.mp4') });
      expect(media.requests[1]).to.include({ range: `bytes=${MB}-`, status: 416 });
      expect(filesIn(dir.path)).to.deep.equal({ 'job-416/whole.mp4': MB });
    });
  });

  describe('failures', () => {
    it('fails with a retryable `stalled` when the body stops mid-way, keeping the part for a resume', async () => {
      const url = media.file('/s.mp4', { size: 4 * MB }, { stallAfterBytes: MB });
      const started = Date.now();
      const { error } = await attempt(testHandler(dir.path, { stallTimeoutMs: 400 }), 'job-s', url);
      expect(error).to.include({ code: 'stalled', retryable: true });
      expect(Date.now() - started).to.be.below(5000);
      expect(filesIn(dir.path)['job-s/s.mp4.part']).to.equal(MB);
    });

    it('fails with `stalled` when a server accepts the connection but never answers', async () => {
      const silent: Server = createServer(() => {});
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const port = (silent.address() as { port: number }).port;
        const { error } = await attempt(
          testHandler(dir.path, { stallTimeoutMs: 300 }),
          'job-q',
          `http://127.0.0.1:${port}/x`,
        );
        expect(error).to.include({ code: 'stalled', retryable: true });
      } finally {
        silent.close();
      }
    });

    it('treats 500 as retryable and succeeds on the next attempt (500 then 200)', async () => {
      const url = media.urlFor('/generated/1MB.mp4', { status: '500,200' });
      const handler = testHandler(dir.path);
      expect((await attempt(handler, 'job-5', url)).error).to.include({ code: 'http_status', retryable: true });
      const { result } = await attempt(handler, 'job-5', url);
      expect(result?.sha256).to.equal(media.sha256('/generated/1MB.mp4'));
    });

    it('fails 404 for good and removes the job folder', async () => {
      const { error } = await attempt(testHandler(dir.path), 'job-404', media.urlFor('/missing.mp4'));
      expect(error).to.include({ code: 'http_status', retryable: false });
      expect(error?.message).to.contain('404');
      expect(existsSync(join(dir.path, 'job-404'))).to.equal(false);
    });

    it('honours Retry-After on 429', async () => {
      const url = media.urlFor('/generated/1kB.mp4', { status: 429, retryAfter: 7 });
      const { error } = await attempt(testHandler(dir.path), 'job-429', url);
      expect(error).to.include({ code: 'http_status', retryable: true, retryAfterMs: 7000 });
    });

    it('fails for good when the body is longer than announced, leaving nothing', async () => {
      const url = media.file('/long.mp4', { size: MB }, { extraBytes: 5000 });
      const { error } = await attempt(testHandler(dir.path), 'job-long', url);
      expect(error).to.include({ code: 'length_mismatch', retryable: false });
      expect(filesIn(dir.path)).to.deep.equal({});
    });

    it('downloads a body without Content-Length (size unknown until the end)', async () => {
      const url = media.file('/chunked.mp4', { size: 2 * MB + 3 }, { noContentLength: true });
      const { result, progress } = await attempt(testHandler(dir.path), 'job-ch', url);
      expect(result).to.include({ bytes: 2 * MB + 3, sha256: media.sha256('/chunked.mp4') });
      expect(progress.at(-1)).to.deep.equal([2 * MB + 3, null]);
    });
  });

  describe('limits', () => {
    it('refuses a file whose Content-Length exceeds MAX_DOWNLOAD_BYTES before reading the body', async () => {
      const url = media.file('/big.mp4', { size: 50 * MB });
      const { error } = await attempt(testHandler(dir.path, { maxBytes: MB }), 'job-big', url);
      expect(error).to.include({ code: 'too_large', retryable: false });
      expect(filesIn(dir.path)).to.deep.equal({});
      await waitFor(() => media.requests[0]?.closed, { message: 'the connection to close' });
      expect(media.requests[0]?.completed).to.equal(false);
      expect(media.requests[0]?.bytesSent).to.be.below(50 * MB);
    });

    it('cuts off a body without Content-Length once it grows past MAX_DOWNLOAD_BYTES', async () => {
      const url = media.file('/endless.mp4', { size: 20 * MB }, { noContentLength: true });
      const { error } = await attempt(testHandler(dir.path, { maxBytes: 2 * MB }), 'job-cut', url);
      expect(error).to.include({ code: 'too_large', retryable: false });
      expect(error?.message).to.contain('cut off');
      expect(filesIn(dir.path)).to.deep.equal({});
    });

    it('fails retryably when the volume has too little free space, before writing anything', async () => {
      const url = media.file('/fits-not.mp4', { size: 5 * MB });
      const handler = testHandler(dir.path, {}, { freeBytes: async () => MB });
      const { error, logs } = await attempt(handler, 'job-full', url);
      expect(error).to.include({ code: 'disk_full', retryable: true });
      expect(filesIn(dir.path)).to.deep.equal({});
      expect(logs.some((l) => l.level === 50 && String(l.msg).includes('DISK FULL'))).to.equal(true);
    });
  });

  describe('cancellation', () => {
    it('aborts the request at once through the signal, rethrowing the abort reason', async () => {
      const url = media.file('/long.mp4', { size: 100 * MB }, { stallAfterBytes: MB });
      const controller = new AbortController();
      const handler = testHandler(dir.path, { stallTimeoutMs: 60_000 });
      const running = attempt(handler, 'job-x', url, controller.signal);
      await waitFor(() => media.requests[0]?.bytesSent === MB, { message: 'the first megabyte' });
      const abortedAt = Date.now();
      controller.abort(abortFor.cancelled());
      const outcome = await running;
      expect(outcome.thrown).to.be.instanceOf(JobAbort);
      expect((outcome.thrown as JobAbort).kind).to.equal('cancelled');
      await waitFor(() => media.requests[0]?.closed, { message: 'the connection to close' });
      expect(Date.now() - abortedAt).to.be.below(2000);
      await handler.discard?.({ id: 'job-x', type: 'download' });
      expect(existsSync(join(dir.path, 'job-x'))).to.equal(false);
    });

    it('never runs two attempts of one job at once; discard waits for the running one', async () => {
      const url = media.file('/slow.mp4', { size: 10 * MB }, { stallAfterBytes: MB });
      const controller = new AbortController();
      const handler = testHandler(dir.path, { stallTimeoutMs: 60_000 });
      const first = attempt(handler, 'job-twice', url, controller.signal);
      await waitFor(() => media.requests[0]?.bytesSent === MB, { message: 'the first megabyte' });
      const second = await attempt(handler, 'job-twice', url);
      expect(second.error).to.include({ code: 'busy', retryable: true });
      expect(media.requests).to.have.length(1);
      controller.abort(abortFor.cancelled());
      await handler.discard?.({ id: 'job-twice', type: 'download' });
      expect((await first).thrown).to.be.instanceOf(JobAbort);
      expect(existsSync(join(dir.path, 'job-twice'))).to.equal(false);
    });
  });

  it('writes exactly the bytes the server sent (spot check of content, not only the hash)', async () => {
    const url = media.file('/small.bin', { size: 70_000, contentType: 'application/octet-stream' });
    const { result } = await attempt(testHandler(dir.path), 'job-b', url);
    const written = readFileSync(join(dir.path, String(result?.file)));
    expect(written.readBigUInt64BE(65_536)).to.equal(1n); // chunk 1 carries its index
    expect(written).to.have.length(70_000);
  });
});

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../../src/config.js';
import { defaultHandlers } from '../../../src/handlers.js';
import { getJob } from '../../../src/jobs/store/index.js';
import { silentLogger } from '../../../src/logger.js';
import { type RunningServer, startServer } from '../../../src/server.js';
import { createTestDb } from '../../helpers/db.js';
import { type MediaServer, startMediaServer } from '../../helpers/media-server.js';
import { waitFor } from '../../helpers/wait.js';
import { filesIn, tempDir } from './harness.js';

const MB = 1_000_000;

interface JobBody {
  status: string;
  attempts: number;
  runAt: string;
  updatedAt: string;
  progress: { bytes: number; totalBytes: number | null } | null;
  result: Record<string, unknown> | null;
  error: { code: string; retryable: boolean } | null;
  attemptHistory: Array<{ outcome: string | null; error: { code: string } | null }>;
}

describe('download jobs through the server (scheduler, HTTP API, real media server)', function () {
  this.timeout(30_000);
  let media: MediaServer;
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer | undefined;

  async function start(env: Record<string, string> = {}): Promise<RunningServer> {
    const config = loadConfig({
      DATABASE_PATH: ':memory:',
      PORT: '0',
      HOST: '127.0.0.1',
      ENABLE_SQS_POLLING: 'false',
      DOWNLOAD_DIR: dir.path,
      DOWNLOAD_ALLOW_PRIVATE_NETWORKS: 'true',
      RETRY_BASE_MS: '20',
      RETRY_MAX_MS: '60000',
      LOG_LEVEL: 'silent',
      ...env,
    });
    const logger = silentLogger();
    server = await startServer({ config, logger, handlers: defaultHandlers(config, logger) });
    return server;
  }

  const post = async (path: string, body?: unknown) =>
    fetch(`${server?.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const job = async (id: string) => (await (await fetch(`${server?.url}/jobs/${id}`)).json()) as JobBody;
  const until = (id: string, check: (body: JobBody) => boolean, message: string) =>
    waitFor(
      async () => {
        const body = await job(id);
        return check(body) ? body : undefined;
      },
      { message, timeoutMs: 20_000, intervalMs: 25 },
    );

  beforeEach(async () => {
    media = await startMediaServer();
    dir = tempDir();
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    await media.close();
    dir.remove();
  });

  it('downloads through POST /jobs and shows result and progress in GET /jobs/:id', async () => {
    await start();
    const url = media.file('/clip.mp4', { size: 3 * MB });
    expect((await post('/jobs', { url, jobId: 'clip-1' })).status).to.equal(201);
    const done = await until('clip-1', (b) => b.status === 'succeeded', 'the job to succeed');
    expect(done.result).to.deep.equal({
      file: 'clip-1/clip.mp4',
      bytes: 3 * MB,
      sha256: media.sha256('/clip.mp4'),
      contentType: 'video/mp4',
    });
    // Progress rides on the heartbeat: a download shorter than one beat may finish before any is stored.
    if (done.progress !== null) expect(done.progress).to.deep.equal({ bytes: 3 * MB, totalBytes: 3 * MB });
    expect(filesIn(dir.path)).to.deep.equal({ 'clip-1/clip.mp4': 3 * MB });
  });

  it('shows progress while running; cancel aborts the request at once and leaves no part', async () => {
    await start({ DOWNLOAD_STALL_TIMEOUT_MS: '60000' });
    const url = media.file('/long.mp4', { size: 20 * MB }, { stallAfterBytes: 4 * MB });
    await post('/jobs', { url, jobId: 'long-1' });
    const running = await until(
      'long-1',
      (b) => b.status === 'running' && b.progress?.bytes === 4 * MB,
      'progress at 4 MB',
    );
    expect(running.progress).to.deep.equal({ bytes: 4 * MB, totalBytes: 20 * MB });
    expect(existsSync(join(dir.path, 'long-1', 'long.mp4.part'))).to.equal(true);

    expect((await post('/jobs/long-1/cancel')).status).to.equal(202);
    const cancelled = await until('long-1', (b) => b.status === 'cancelled', 'the job to be cancelled');
    expect(cancelled.error?.code).to.equal('cancelled');
    await waitFor(() => media.requests[0]?.closed, { message: 'the media connection to close', timeoutMs: 2000 });
    await waitFor(() => !existsSync(join(dir.path, 'long-1')), { message: 'the job folder to go', timeoutMs: 2000 });
  });

  it('retries a 500 and succeeds on the next attempt', async () => {
    await start();
    const url = media.urlFor('/generated/2MB.mp4', { status: '500,200' });
    await post('/jobs', { url, jobId: 'flaky-1' });
    const done = await until('flaky-1', (b) => b.status === 'succeeded', 'the job to succeed');
    expect(done.attempts).to.equal(2);
    expect(done.attemptHistory.map((a) => [a.outcome, a.error?.code ?? null])).to.deep.equal([
      ['retry', 'http_status'],
      ['succeeded', null],
    ]);
    expect(done.result?.sha256).to.equal(media.sha256('/generated/2MB.mp4'));
  });

  it('waits as long as Retry-After asks after a 429', async () => {
    await start({ RETRY_BASE_MS: '10' });
    await post('/jobs', {
      url: media.urlFor('/generated/1kB.mp4', { status: '429,200', retryAfter: 3 }),
      jobId: 'busy-1',
    });
    const waiting = await until(
      'busy-1',
      (b) => b.status === 'queued' && b.attempts === 1,
      'the job to wait for its retry',
    );
    expect(Date.parse(waiting.runAt) - Date.parse(waiting.updatedAt)).to.be.within(2900, 3100);
    expect(waiting.error).to.include({ code: 'http_status', retryable: true });
    await post('/jobs/busy-1/cancel');
  });

  it('fails for good after the last attempt and removes the partial file', async () => {
    await start({ MAX_ATTEMPTS: '2' });
    const url = media.file('/drop.mp4', { size: 5 * MB }, { dropAfterBytes: MB });
    await post('/jobs', { url, jobId: 'drop-1' });
    const failed = await until('drop-1', (b) => b.status === 'failed', 'the job to fail');
    expect(failed.attempts).to.equal(2);
    expect(failed.error).to.include({ code: 'network_error', retryable: true });
    // The second attempt resumed from the first one's part before it failed too.
    expect(media.requests[1]?.range).to.match(/^bytes=\d+-$/);
    await waitFor(() => !existsSync(join(dir.path, 'drop-1')), { message: 'the job folder to go', timeoutMs: 2000 });
  });

  it('fails a stuck download at JOB_TIMEOUT_MS', async () => {
    await start({ JOB_TIMEOUT_MS: '400', MAX_ATTEMPTS: '1', DOWNLOAD_STALL_TIMEOUT_MS: '60000' });
    await post('/jobs', { url: media.file('/stuck.mp4', { size: 5 * MB }, { stallAfterBytes: MB }), jobId: 'stuck-1' });
    const failed = await until('stuck-1', (b) => b.status === 'failed', 'the job to time out');
    expect(failed.error?.code).to.equal('timeout');
    await waitFor(() => media.requests[0]?.closed, { message: 'the media connection to close', timeoutMs: 2000 });
  });

  it('on shutdown aborts the request, keeps the part and puts the job back in the queue', async () => {
    const databasePath = join(dir.path, 'jobs.db');
    await start({
      DATABASE_PATH: databasePath,
      SHUTDOWN_GRACE_MS: '300',
      DOWNLOAD_STALL_TIMEOUT_MS: '60000',
      DOWNLOAD_DIR: join(dir.path, 'dl'),
    });
    await post('/jobs', {
      url: media.file('/big.mp4', { size: 10 * MB }, { stallAfterBytes: 2 * MB }),
      jobId: 'keep-1',
    });
    await until('keep-1', (b) => b.progress?.bytes === 2 * MB, 'progress at 2 MB');
    const stopping = Date.now();
    await server?.stop();
    server = undefined;
    expect(Date.now() - stopping).to.be.below(3000);
    expect(media.requests[0]?.closed).to.equal(true);
    expect(filesIn(join(dir.path, 'dl'))).to.deep.include({ 'keep-1/big.mp4.part': 2 * MB });
    const check = await createTestDb(databasePath);
    try {
      expect(await getJob(check.db, 'keep-1')).to.include({ status: 'queued', attempts: 0 });
    } finally {
      await check.close();
    }
  });
});

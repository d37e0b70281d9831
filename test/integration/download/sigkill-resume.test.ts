import { statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { type Child, spawnChild } from '../../helpers/child-process.js';
import { type MediaServer, startMediaServer } from '../../helpers/media-server.js';
import { waitFor } from '../../helpers/wait.js';
import { filesIn, tempDir } from './harness.js';

const MB = 1_000_000;

interface JobBody {
  status: string;
  attempts: number;
  progress: { bytes: number; totalBytes: number | null } | null;
  result: { sha256: string; bytes: number; file: string } | null;
  attemptHistory: Array<{ outcome: string | null }>;
}

describe('a download interrupted by SIGKILL resumes after a restart (child processes)', function () {
  this.timeout(60_000);
  let media: MediaServer;
  let dir: ReturnType<typeof tempDir>;
  const children: Child[] = [];

  beforeEach(async () => {
    media = await startMediaServer();
    dir = tempDir('download-sigkill-');
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.kill()));
    await media.close();
    dir.remove();
  });

  async function serverUrl(child: Child): Promise<string> {
    const ready = await child.waitFor((e) => e.event === 'ready');
    return String(ready.url);
  }
  const job = async (base: string, id: string) => (await (await fetch(`${base}/jobs/${id}`)).json()) as JobBody;

  it('asks for the rest with a Range request and stores the right SHA-256', async () => {
    // The first response stalls after 9 MB, so the process is killed at a known point mid-body.
    const url = media.file('/movie.mp4', { size: 24 * MB }, { stallAfterBytes: 9 * MB, times: 1 });
    const downloads = join(dir.path, 'downloads');
    const env = {
      DATABASE_PATH: join(dir.path, 'jobs.db'),
      DOWNLOAD_DIR: downloads,
      DOWNLOAD_ALLOW_PRIVATE_NETWORKS: 'true',
      DOWNLOAD_STALL_TIMEOUT_MS: '60000',
      // Recovery after a restart must not wait for the dead process's lease to expire.
      LEASE_TIMEOUT_MS: '600000',
    };

    const first = spawnChild(env);
    children.push(first);
    const firstUrl = await serverUrl(first);
    const posted = await fetch(`${firstUrl}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url, jobId: 'movie-1' }),
    });
    expect(posted.status).to.equal(201);
    const part = join(downloads, 'movie-1', 'movie.mp4.part');
    await waitFor(async () => (await job(firstUrl, 'movie-1')).progress?.bytes === 9 * MB, {
      message: 'GET /jobs/:id to show 9 MB done',
      timeoutMs: 20_000,
    });
    await waitFor(() => statSync(part, { throwIfNoEntry: false })?.size === 9 * MB, {
      message: '9 MB in the part file',
    });

    const { signal } = await first.kill('SIGKILL');
    expect(signal).to.equal('SIGKILL');
    await waitFor(() => media.requests[0]?.closed, { message: 'the killed connection to close' });
    expect(media.requests[0]).to.include({ status: 200, completed: false, bytesSent: 9 * MB });

    const second = spawnChild(env);
    children.push(second);
    const secondUrl = await serverUrl(second);
    // Polled, not awaited as an event: the resumed download may settle before a listener is added.
    const done = await waitFor(
      async () => {
        const body = await job(secondUrl, 'movie-1');
        return body.status === 'succeeded' || body.status === 'failed' ? body : undefined;
      },
      { message: 'the resumed job to settle', timeoutMs: 20_000 },
    );
    expect(done.status).to.equal('succeeded');
    expect(done.result).to.deep.include({
      file: 'movie-1/movie.mp4',
      bytes: 24 * MB,
      sha256: media.sha256('/movie.mp4'),
    });
    expect(done.attempts).to.equal(2);
    expect(done.attemptHistory.map((a) => a.outcome)).to.deep.equal(['interrupted', 'succeeded']);

    expect(media.requests).to.have.length(2);
    expect(media.requests[1]).to.include({
      range: `bytes=${9 * MB}-`,
      ifRange: media.etagOf('/movie.mp4'),
      status: 206,
      bytesSent: 15 * MB,
      completed: true,
    });
    expect(filesIn(downloads)).to.deep.equal({ 'movie-1/movie.mp4': 24 * MB });
  });
});

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { getAttempts, getJob } from '../../../src/jobs/store/index.js';
import { type Child, spawnChild } from '../../helpers/child-process.js';
import { createTestDb } from '../../helpers/db.js';
import { type MediaServer, startMediaServer } from '../../helpers/media-server.js';
import { waitFor } from '../../helpers/wait.js';

const MB = 1_000_000;
const GRACE_MS = 1500;

describe('SIGTERM during a download (child processes)', function () {
  this.timeout(60_000);
  let media: MediaServer;
  let dir: string;
  const children: Child[] = [];

  beforeEach(async () => {
    media = await startMediaServer();
    dir = mkdtempSync(join(tmpdir(), 'sigterm-test-'));
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.kill()));
    await media.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits within SHUTDOWN_GRACE_MS, requeues the job without spending its attempt, keeps the partial file; a new process resumes it', async () => {
    // 20 MB at 4 MB/s: still running when the signal comes.
    const url = media.file('/long.mp4', { size: 20 * MB }, { bytesPerSecond: 4 * MB });
    const downloads = join(dir, 'downloads');
    const env = {
      DATABASE_PATH: join(dir, 'jobs.db'),
      DOWNLOAD_DIR: downloads,
      DOWNLOAD_ALLOW_PRIVATE_NETWORKS: 'true',
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
    };
    const first = spawnChild(env);
    children.push(first);
    const base = String((await first.waitFor((e) => e.event === 'ready')).url);
    const posted = await fetch(`${base}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url, jobId: 'long-1' }),
    });
    expect(posted.status).to.equal(201);
    const part = join(downloads, 'long-1', 'long.mp4.part');
    await waitFor(() => (statSync(part, { throwIfNoEntry: false })?.size ?? 0) > 2 * MB, {
      message: '2 MB downloaded',
    });

    const signalledAt = Date.now();
    const exit = await first.kill('SIGTERM');
    const tookMs = Date.now() - signalledAt;
    expect(exit.code, 'a graceful stop exits 0').to.equal(0);
    // The grace, plus what starting to exit costs a Node process.
    expect(tookMs).to.be.below(GRACE_MS + 1000);

    const check = await createTestDb(env.DATABASE_PATH);
    try {
      const job = await getJob(check.db, 'long-1');
      expect(job).to.include({ status: 'queued', attempts: 0 });
      expect((await getAttempts(check.db, 'long-1')).map((a) => a.outcome)).to.deep.equal(['released']);
      const kept = statSync(part).size;
      expect(kept, 'the partial file is kept for the next attempt')
        .to.be.above(2 * MB)
        .and.below(20 * MB);

      const second = spawnChild(env);
      children.push(second);
      await waitFor(async () => (await getJob(check.db, 'long-1'))?.status === 'succeeded', {
        message: 'the job done by the next process',
        timeoutMs: 30_000,
      });
      const done = await getJob(check.db, 'long-1');
      expect(done?.attempts).to.equal(1);
      expect(done?.result).to.deep.include({ bytes: 20 * MB, sha256: media.sha256('/long.mp4') });
      const resumed = media.requests.at(-1);
      expect(resumed?.range, 'the next process asked for the rest only').to.match(/^bytes=[1-9]\d*-$/);
      expect(Number(resumed?.range?.slice(6, -1))).to.be.at.least(kept - 1);
    } finally {
      await check.close();
    }
  });
});

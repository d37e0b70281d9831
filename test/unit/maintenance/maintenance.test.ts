import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import sinon from 'sinon';
import type { OpenedDatabase } from '../../../src/db/connection.js';
import {
  countByStatus,
  enqueueJobs,
  getAttempts,
  getJob,
  leaseJobs,
  settleJobs,
} from '../../../src/jobs/store/index.js';
import { silentLogger } from '../../../src/logger.js';
import { Maintenance } from '../../../src/maintenance/maintenance.js';
import { createTestDb } from '../../helpers/db.js';
import { testJobs } from '../../helpers/scheduler.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);

describe('maintenance', () => {
  let database: OpenedDatabase;
  let dir: string;
  let now: number;
  const db = () => database.db;

  function maintenance(extra: Partial<ConstructorParameters<typeof Maintenance>[0]> = {}) {
    return new Maintenance({
      db: db(),
      clock: { now: () => now },
      logger: silentLogger(),
      downloadDir: dir,
      jobRetentionDays: 30,
      failedJobRetentionDays: 90,
      downloadRetentionDays: undefined,
      ...extra,
    });
  }

  /** A job that ran and ended `status` at `finishedAt`, created `createdAt`. */
  async function finished(
    id: string,
    status: 'succeeded' | 'failed' | 'cancelled',
    createdAt: number,
    finishedAt: number,
  ) {
    await enqueueJobs(db(), testJobs(1, { maxAttempts: 1 }, id), createdAt);
    const [job] = await leaseJobs(db(), { owner: 'o', limit: 1, now: createdAt, leaseMs: 1000 });
    if (!job) throw new Error('no lease');
    const error = { code: 'x', message: 'x', retryable: false };
    const settlement =
      status === 'succeeded'
        ? ({ kind: 'succeeded', id: job.id, token: job.leaseToken, result: null } as const)
        : status === 'failed'
          ? ({ kind: 'failed', id: job.id, token: job.leaseToken, error, retryAt: 0 } as const)
          : ({ kind: 'cancelled', id: job.id, token: job.leaseToken, error } as const);
    await settleJobs(db(), [settlement], finishedAt, 'o');
    return job.id;
  }

  beforeEach(async () => {
    database = await createTestDb();
    dir = mkdtempSync(join(tmpdir(), 'maintenance-test-'));
    now = NOW;
  });
  afterEach(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('prune', () => {
    it('deletes finished jobs past retention, keeps failed ones longer, and keeps what it must', async () => {
      const old = NOW - 40 * DAY;
      const ids = {
        oldSucceeded: await finished('old-ok', 'succeeded', old, old + 1000),
        recentSucceeded: await finished('new-ok', 'succeeded', NOW - 10 * DAY, NOW - 10 * DAY),
        oldFailed: await finished('old-failed', 'failed', old, old),
        ancientFailed: await finished('ancient-failed', 'failed', NOW - 100 * DAY, NOW - 100 * DAY),
        oldCancelled: await finished('old-cancelled', 'cancelled', old, old),
        lateFinisher: await finished('late', 'succeeded', old, NOW - 5 * DAY),
      };
      await enqueueJobs(db(), testJobs(1, {}, 'old-queued'), old);
      await enqueueJobs(
        db(),
        testJobs(1, { rejected: { code: 'invalid_message', message: 'x', retryable: false } }, 'old-rejected'),
        old,
      );

      const result = await maintenance().prune();

      expect(result.deleted).to.deep.equal({ succeeded: 1, cancelled: 1, rejected: 1, failed: 1 });
      expect(await getJob(db(), ids.oldSucceeded)).to.equal(undefined);
      expect(await getAttempts(db(), ids.oldSucceeded), 'history goes with the job').to.deep.equal([]);
      expect(await getJob(db(), ids.ancientFailed)).to.equal(undefined);
      for (const kept of [ids.recentSucceeded, ids.oldFailed, ids.lateFinisher, 'old-queued-000']) {
        expect(await getJob(db(), kept), kept).to.not.equal(undefined);
      }
      expect(await countByStatus(db())).to.include({ succeeded: 2, failed: 1, queued: 1, cancelled: 0, rejected: 0 });
    });

    it('works in small chunks and lets other writers commit between them', async () => {
      const old = NOW - 40 * DAY;
      await enqueueJobs(
        db(),
        testJobs(25, { rejected: { code: 'invalid_message', message: 'x', retryable: false } }, 'bad'),
        old,
      );
      const pruning = maintenance({ pruneChunk: 5 }).prune();
      // A writer that starts now finishes while the prune is still going.
      let pruneDone = false;
      void pruning.then(() => {
        pruneDone = true;
      });
      await enqueueJobs(db(), testJobs(1, {}, 'meanwhile'), NOW);
      expect(pruneDone, 'the enqueue did not wait for the whole prune').to.equal(false);
      const result = await pruning;
      expect(result.deleted.rejected).to.equal(25);
      expect(result.chunks).to.equal(5);
      expect(await getJob(db(), 'meanwhile-000')).to.not.equal(undefined);
    });
  });

  describe('download folder sweep', () => {
    function folder(id: string, files: string[]) {
      mkdirSync(join(dir, id), { recursive: true });
      for (const file of files) writeFileSync(join(dir, id, file), 'x');
    }

    it('removes orphaned .part files but keeps those of unfinished jobs and all finished files', async () => {
      await enqueueJobs(db(), testJobs(1, {}, 'waiting'), NOW);
      const done = await finished('done', 'succeeded', NOW - DAY, NOW - DAY);
      folder('waiting-000', ['clip.mp4.part']);
      folder(done, ['clip.mp4', 'stray.mp4.part', '.download.json']);
      folder('pruned-job', ['old.mp4', 'old.mp4.part']);
      folder('.not-a-job', ['x.part']);

      const result = await maintenance().light();

      expect(result).to.deep.include({ partsRemoved: 2, foldersRemoved: 0, leasesRecovered: 0 });
      expect(readdirSync(join(dir, 'waiting-000'))).to.deep.equal(['clip.mp4.part']);
      expect(readdirSync(join(dir, done))).to.deep.equal(['clip.mp4']);
      expect(readdirSync(join(dir, 'pruned-job'))).to.deep.equal(['old.mp4']);
      expect(readdirSync(join(dir, '.not-a-job'))).to.deep.equal(['x.part']);
    });

    it('with DOWNLOAD_RETENTION_DAYS, removes the folders of jobs finished (or pruned) longer ago', async () => {
      const oldDone = await finished('old-done', 'succeeded', NOW - 20 * DAY, NOW - 20 * DAY);
      const newDone = await finished('new-done', 'succeeded', NOW - DAY, NOW - DAY);
      await enqueueJobs(db(), testJobs(1, {}, 'waiting'), NOW - 50 * DAY);
      folder(oldDone, ['a.mp4']);
      folder(newDone, ['b.mp4']);
      folder('waiting-000', ['c.mp4.part']);
      folder('gone', ['d.mp4']);

      const result = await maintenance({ downloadRetentionDays: 7 }).light();

      expect(result.foldersRemoved).to.equal(2);
      expect(readdirSync(dir).sort()).to.deep.equal([newDone, 'waiting-000']);
    });
  });

  it('requeues expired leases in its light run', async () => {
    await enqueueJobs(db(), testJobs(1), NOW - 10_000);
    await leaseJobs(db(), { owner: 'gone', limit: 1, now: NOW - 10_000, leaseMs: 1000 });
    const result = await maintenance().light();
    expect(result.leasesRecovered).to.equal(1);
    expect((await getJob(db(), 'job-000'))?.status).to.equal('queued');
  });

  it('skips a scheduled run while the previous one is still going (no overlap)', async () => {
    const clock = sinon.useFakeTimers({
      now: NOW,
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
    const m = maintenance();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    // Each run takes 2.5 s of (fake) time; the schedule fires every second.
    sinon.stub(m, 'light').callsFake(async () => {
      runs++;
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      running--;
      return { leasesRecovered: 0, partsRemoved: 0, foldersRemoved: 0 };
    });
    try {
      m.schedule('* * * * * *', '0 0 1 1 *');
      await clock.tickAsync(6_100);
      expect(maxRunning).to.equal(1);
      expect(runs).to.be.within(2, 3);
    } finally {
      const stopping = m.stop();
      await clock.tickAsync(3000); // lets the run in progress end, which stop() waits for
      await stopping;
      clock.restore();
    }
  });
});

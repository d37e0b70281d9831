import { expect } from 'chai';
import type { OpenedDatabase } from '../../../src/db/connection.js';
import type { LeasedJob } from '../../../src/jobs/job.js';
import {
  cancelJob,
  countByStatus,
  enqueueJobs,
  getAttempts,
  getJob,
  heartbeatJobs,
  leaseJobs,
  listJobs,
  type NewJob,
  nextRunAt,
  recoverExpiredLeases,
  recoverInterrupted,
  retryJob,
  settleJobs,
} from '../../../src/jobs/store/index.js';
import { createTestDb } from '../../helpers/db.js';

const T0 = Date.UTC(2026, 0, 1);
const LEASE = 30_000;
const OWNER = 'node-a';

function newJob(id: string, extra: Partial<NewJob> = {}): NewJob {
  return { id, type: 'test', source: 'api', url: `https://media.example/${id}.mp4`, maxAttempts: 3, ...extra };
}

describe('job store', () => {
  let database: OpenedDatabase;
  const db = () => database.db;

  beforeEach(async () => {
    database = await createTestDb();
  });
  afterEach(async () => {
    await database.close();
  });

  async function leaseOne(now = T0, owner = OWNER): Promise<LeasedJob> {
    const [job] = await leaseJobs(db(), { owner, limit: 1, now, leaseMs: LEASE });
    if (!job) throw new Error('nothing leased');
    return job;
  }

  describe('enqueue', () => {
    it('creates queued jobs and is idempotent on the job id', async () => {
      const first = await enqueueJobs(db(), [newJob('a'), newJob('b')], T0);
      expect(first.map((r) => [r.job.id, r.created, r.job.status])).to.deep.equal([
        ['a', true, 'queued'],
        ['b', true, 'queued'],
      ]);
      const again = await enqueueJobs(db(), [newJob('a', { url: 'https://other.example/x' }), newJob('c')], T0 + 1);
      expect(again.map((r) => [r.job.id, r.created])).to.deep.equal([
        ['a', false],
        ['c', true],
      ]);
      expect(again[0]?.job.url, 'the existing job is returned unchanged').to.equal('https://media.example/a.mp4');
      expect((await countByStatus(db())).queued).to.equal(3);
    });

    it('treats the same id twice in one batch as one job', async () => {
      const results = await enqueueJobs(db(), [newJob('a'), newJob('a')], T0);
      expect(results.map((r) => r.created)).to.deep.equal([true, false]);
      expect((await countByStatus(db())).queued).to.equal(1);
    });

    it('de-duplicates on the source message id even under another job id', async () => {
      await enqueueJobs(db(), [newJob('a', { source: 'sqs', sourceMessageId: 'm-1' })], T0);
      const [again] = await enqueueJobs(db(), [newJob('other', { source: 'sqs', sourceMessageId: 'm-1' })], T0);
      expect(again?.created).to.equal(false);
      expect(again?.job.id).to.equal('a');
      expect(await getJob(db(), 'other')).to.equal(undefined);
    });

    it('stores rejected jobs finished, with their reason, never leasable', async () => {
      const reason = { code: 'invalid_message', message: 'not JSON', retryable: false };
      const [r] = await enqueueJobs(db(), [newJob('bad', { url: null, rejected: reason })], T0);
      expect(r?.job.status).to.equal('rejected');
      expect(r?.job.error).to.deep.equal(reason);
      expect(r?.job.finishedAt).to.equal(T0);
      expect(await leaseJobs(db(), { owner: OWNER, limit: 5, now: T0, leaseMs: LEASE })).to.have.length(0);
    });
  });

  describe('lease', () => {
    it('leases at most n due jobs, oldest due first, each with its own token', async () => {
      await enqueueJobs(db(), [newJob('late', { runAt: T0 + 5000 }), newJob('a'), newJob('b'), newJob('c')], T0);
      const leased = await leaseJobs(db(), { owner: OWNER, limit: 2, now: T0, leaseMs: LEASE });
      expect(leased.map((j) => j.id)).to.deep.equal(['a', 'b']);
      expect(new Set(leased.map((j) => j.leaseToken)).size).to.equal(2);
      for (const job of leased) {
        expect(job).to.include({ status: 'running', attempts: 1, leaseOwner: OWNER, leaseExpiresAt: T0 + LEASE });
        expect(await getAttempts(db(), job.id), 'history is written when an attempt ends').to.have.length(0);
      }
      const rest = await leaseJobs(db(), { owner: OWNER, limit: 10, now: T0, leaseMs: LEASE });
      expect(
        rest.map((j) => j.id),
        'a job not yet due is not leased',
      ).to.deep.equal(['c']);
      expect(
        (await leaseJobs(db(), { owner: OWNER, limit: 10, now: T0 + 5000, leaseMs: LEASE })).map((j) => j.id),
      ).to.deep.equal(['late']);
    });

    it('reports when the next queued job falls due', async () => {
      expect(await nextRunAt(db())).to.equal(undefined);
      await enqueueJobs(db(), [newJob('a', { runAt: T0 + 700 }), newJob('b', { runAt: T0 + 300 })], T0);
      expect(await nextRunAt(db())).to.equal(T0 + 300);
    });
  });

  describe('settle', () => {
    it('completes a job with its result and closes the attempt', async () => {
      await enqueueJobs(db(), [newJob('a')], T0);
      const job = await leaseOne();
      const [r] = await settleJobs(
        db(),
        [{ kind: 'succeeded', id: job.id, token: job.leaseToken, result: { bytes: 3 } }],
        T0 + 10,
        OWNER,
      );
      expect(r).to.deep.include({ applied: true, status: 'succeeded' });
      const stored = await getJob(db(), 'a');
      expect(stored).to.deep.include({
        status: 'succeeded',
        result: { bytes: 3 },
        finishedAt: T0 + 10,
        leaseToken: null,
      });
      expect((await getAttempts(db(), 'a'))[0]).to.include({ outcome: 'succeeded', finishedAt: T0 + 10 });
    });

    it('stores the last progress the attempt reported, even when it ended between heartbeats', async () => {
      await enqueueJobs(db(), [newJob('a')], T0);
      const job = await leaseOne();
      const progress = { bytes: 700, totalBytes: 700 };
      await settleJobs(
        db(),
        [{ kind: 'succeeded', id: 'a', token: job.leaseToken, result: null, progress }],
        T0 + 1,
        OWNER,
      );
      expect((await getJob(db(), 'a'))?.progress).to.deep.equal(progress);
    });

    it('ignores a completion or heartbeat from a stale lease token', async () => {
      await enqueueJobs(db(), [newJob('a')], T0);
      const job = await leaseOne();
      const stale = { id: job.id, token: 'not-the-token' };
      const [r] = await settleJobs(db(), [{ kind: 'succeeded', ...stale, result: null }], T0 + 1, OWNER);
      expect(r).to.deep.include({ applied: false, status: null });
      const beat = await heartbeatJobs(db(), [stale], T0 + 1, LEASE);
      expect(beat.lost).to.deep.equal(['a']);
      expect(await getJob(db(), 'a')).to.include({
        status: 'running',
        leaseToken: job.leaseToken,
        leaseExpiresAt: T0 + LEASE,
      });
    });

    it('ignores a second completion of the same lease', async () => {
      await enqueueJobs(db(), [newJob('a')], T0);
      const job = await leaseOne();
      const done = { kind: 'succeeded' as const, id: job.id, token: job.leaseToken, result: { n: 1 } };
      await settleJobs(db(), [done], T0 + 1, OWNER);
      const [again] = await settleJobs(db(), [{ ...done, result: { n: 2 } }], T0 + 2, OWNER);
      expect(again?.applied).to.equal(false);
      expect((await getJob(db(), 'a'))?.result).to.deep.equal({ n: 1 });
    });

    it('requeues a retryable failure at retryAt while attempts remain, then fails it', async () => {
      await enqueueJobs(db(), [newJob('a', { maxAttempts: 2 })], T0);
      const error = { code: 'http_503', message: 'unavailable', retryable: true };
      const first = await leaseOne();
      const [r1] = await settleJobs(
        db(),
        [{ kind: 'failed', id: 'a', token: first.leaseToken, error, retryAt: T0 + 999 }],
        T0 + 1,
        OWNER,
      );
      expect(r1?.status).to.equal('queued');
      expect(await getJob(db(), 'a')).to.deep.include({ status: 'queued', runAt: T0 + 999, error, finishedAt: null });

      const second = await leaseOne(T0 + 999);
      expect(second.attempts).to.equal(2);
      const [r2] = await settleJobs(
        db(),
        [{ kind: 'failed', id: 'a', token: second.leaseToken, error, retryAt: T0 + 5000 }],
        T0 + 1000,
        OWNER,
      );
      expect(r2?.status, 'attempts spent').to.equal('failed');
      expect((await getAttempts(db(), 'a')).map((a) => a.outcome)).to.deep.equal(['retry', 'failed']);
    });

    it('fails a non-retryable error at once', async () => {
      await enqueueJobs(db(), [newJob('a')], T0);
      const job = await leaseOne();
      const error = { code: 'http_404', message: 'not found', retryable: false };
      const [r] = await settleJobs(
        db(),
        [{ kind: 'failed', id: 'a', token: job.leaseToken, error, retryAt: T0 }],
        T0 + 1,
        OWNER,
      );
      expect(r?.status).to.equal('failed');
      expect(await getJob(db(), 'a')).to.deep.include({ status: 'failed', attempts: 1, error });
    });

    it('releases a job at shutdown without spending its attempt', async () => {
      await enqueueJobs(db(), [newJob('a')], T0);
      const job = await leaseOne();
      const [r] = await settleJobs(db(), [{ kind: 'released', id: 'a', token: job.leaseToken }], T0 + 5, OWNER);
      expect(r?.status).to.equal('queued');
      expect(await getJob(db(), 'a')).to.include({ status: 'queued', attempts: 0, runAt: T0 + 5 });
      expect((await getAttempts(db(), 'a'))[0]?.outcome).to.equal('released');
    });

    it('settles many jobs of mixed kinds in one call', async () => {
      await enqueueJobs(
        db(),
        ['a', 'b', 'c', 'd'].map((id) => newJob(id)),
        T0,
      );
      const [a, b, c, d] = await leaseJobs(db(), { owner: OWNER, limit: 4, now: T0, leaseMs: LEASE });
      if (!a || !b || !c || !d) throw new Error('expected four leases');
      const error = { code: 'x', message: 'x', retryable: false };
      const results = await settleJobs(
        db(),
        [
          { kind: 'succeeded', id: a.id, token: a.leaseToken, result: null },
          { kind: 'failed', id: b.id, token: b.leaseToken, error, retryAt: T0 },
          { kind: 'cancelled', id: c.id, token: c.leaseToken, error },
          { kind: 'released', id: d.id, token: d.leaseToken },
        ],
        T0 + 1,
        OWNER,
      );
      expect(results.map((r) => r.status)).to.deep.equal(['succeeded', 'failed', 'cancelled', 'queued']);
      expect(await countByStatus(db())).to.include({ running: 0, succeeded: 1, failed: 1, cancelled: 1, queued: 1 });
    });
  });

  describe('heartbeat', () => {
    it('extends the lease and stores progress', async () => {
      await enqueueJobs(db(), [newJob('a')], T0);
      const job = await leaseOne();
      const out = await heartbeatJobs(
        db(),
        [{ id: 'a', token: job.leaseToken, progress: { bytes: 10, totalBytes: 100 } }],
        T0 + 10_000,
        LEASE,
      );
      expect(out).to.deep.equal({ lost: [], cancelRequested: [] });
      expect(await getJob(db(), 'a')).to.deep.include({
        leaseExpiresAt: T0 + 10_000 + LEASE,
        progress: { bytes: 10, totalBytes: 100 },
      });
    });
  });

  describe('cancel', () => {
    it('cancels a queued job at once', async () => {
      await enqueueJobs(db(), [newJob('a')], T0);
      const r = await cancelJob(db(), 'a', T0 + 1);
      expect(r.outcome).to.equal('done');
      expect(await getJob(db(), 'a')).to.include({ status: 'cancelled', finishedAt: T0 + 1 });
    });

    it('records a cancel request on a running job; its next failure or release ends cancelled', async () => {
      await enqueueJobs(db(), [newJob('a'), newJob('b')], T0);
      const [a, b] = await leaseJobs(db(), { owner: OWNER, limit: 2, now: T0, leaseMs: LEASE });
      if (!a || !b) throw new Error('expected two leases');
      expect((await cancelJob(db(), 'a', T0 + 1)).outcome).to.equal('requested');
      expect((await cancelJob(db(), 'b', T0 + 1)).outcome).to.equal('requested');
      const beat = await heartbeatJobs(db(), [{ id: 'a', token: a.leaseToken }], T0 + 2, LEASE);
      expect(beat.cancelRequested).to.deep.equal(['a']);
      const error = { code: 'reset', message: 'reset', retryable: true };
      const results = await settleJobs(
        db(),
        [
          { kind: 'failed', id: 'a', token: a.leaseToken, error, retryAt: T0 },
          { kind: 'released', id: 'b', token: b.leaseToken },
        ],
        T0 + 3,
        OWNER,
      );
      expect(
        results.map((r) => r.status),
        'a retryable failure does not requeue a cancelled job',
      ).to.deep.equal(['cancelled', 'cancelled']);
    });

    it('refuses finished jobs with their status, and unknown ids', async () => {
      await enqueueJobs(db(), [newJob('a')], T0);
      await cancelJob(db(), 'a', T0);
      expect(await cancelJob(db(), 'a', T0)).to.deep.equal({ outcome: 'conflict', status: 'cancelled' });
      expect(await cancelJob(db(), 'nope', T0)).to.deep.equal({ outcome: 'not_found' });
    });
  });

  describe('retry', () => {
    it('requeues a failed job with attempts reset and history kept', async () => {
      await enqueueJobs(db(), [newJob('a', { maxAttempts: 1 })], T0);
      const job = await leaseOne();
      const error = { code: 'x', message: 'x', retryable: true };
      await settleJobs(db(), [{ kind: 'failed', id: 'a', token: job.leaseToken, error, retryAt: T0 }], T0 + 1, OWNER);
      const r = await retryJob(db(), 'a', T0 + 2);
      expect(r.outcome).to.equal('done');
      expect(await getJob(db(), 'a')).to.deep.include({ status: 'queued', attempts: 0, error: null, runAt: T0 + 2 });
      expect(await getAttempts(db(), 'a')).to.have.length(1);
    });

    it('refuses a double retry, a retry of a running job and of unknown ids', async () => {
      await enqueueJobs(db(), [newJob('a'), newJob('b')], T0);
      await cancelJob(db(), 'a', T0);
      expect((await retryJob(db(), 'a', T0)).outcome).to.equal('done');
      expect(await retryJob(db(), 'a', T0), 'second retry').to.deep.equal({ outcome: 'conflict', status: 'queued' });
      await leaseJobs(db(), { owner: OWNER, limit: 2, now: T0, leaseMs: LEASE });
      expect(await retryJob(db(), 'b', T0)).to.deep.equal({ outcome: 'conflict', status: 'running' });
      expect(await retryJob(db(), 'nope', T0)).to.deep.equal({ outcome: 'not_found' });
    });
  });

  describe('recovery', () => {
    it('requeues jobs a dead process left running, counting the interrupted attempt', async () => {
      await enqueueJobs(db(), [newJob('a'), newJob('spent', { maxAttempts: 1 })], T0);
      await leaseJobs(db(), { owner: 'dead-node', limit: 2, now: T0, leaseMs: LEASE });
      const recovered = await recoverInterrupted(db(), 'new-node', T0 + 1);
      expect(recovered.sort((x, y) => x.id.localeCompare(y.id))).to.deep.equal([
        { id: 'a', type: 'test', status: 'queued' },
        { id: 'spent', type: 'test', status: 'failed' },
      ]);
      expect(await getJob(db(), 'a')).to.include({ status: 'queued', attempts: 1, runAt: T0 });
      expect((await getJob(db(), 'spent'))?.error?.code).to.equal('interrupted');
      expect((await getAttempts(db(), 'a'))[0]?.outcome).to.equal('interrupted');
    });

    it('leaves its own running jobs alone at start-up', async () => {
      await enqueueJobs(db(), [newJob('a')], T0);
      await leaseOne(T0, 'me');
      expect(await recoverInterrupted(db(), 'me', T0)).to.deep.equal([]);
    });

    it('requeues only expired leases; the late worker then changes nothing', async () => {
      await enqueueJobs(db(), [newJob('a'), newJob('b')], T0);
      const a = await leaseOne(T0);
      const b = await leaseOne(T0 + 20_000);
      expect(await recoverExpiredLeases(db(), T0 + LEASE + 1)).to.deep.equal([
        { id: 'a', type: 'test', status: 'queued' },
      ]);
      expect((await getJob(db(), 'b'))?.status).to.equal('running');
      const [late] = await settleJobs(
        db(),
        [{ kind: 'succeeded', id: 'a', token: a.leaseToken, result: null }],
        T0 + LEASE + 2,
        OWNER,
      );
      expect(late?.applied).to.equal(false);
      expect(b.status).to.equal('running');
    });
  });

  describe('list and counts', () => {
    it('pages newest first by keyset, with status and time filters', async () => {
      for (let i = 0; i < 7; i++) await enqueueJobs(db(), [newJob(`j${i}`)], T0 + i);
      await cancelJob(db(), 'j1', T0);
      await cancelJob(db(), 'j4', T0);
      const seen: string[] = [];
      let after: Awaited<ReturnType<typeof listJobs>>['next'];
      do {
        const page = await listJobs(db(), { limit: 3, after });
        seen.push(...page.items.map((j) => j.id));
        after = page.next;
      } while (after);
      expect(seen).to.deep.equal(['j6', 'j5', 'j4', 'j3', 'j2', 'j1', 'j0']);

      const cancelled = await listJobs(db(), { limit: 10, statuses: ['cancelled'] });
      expect(cancelled.items.map((j) => j.id)).to.deep.equal(['j4', 'j1']);
      const several = await listJobs(db(), { limit: 2, statuses: ['cancelled', 'queued'] });
      expect(several.items.map((j) => j.id)).to.deep.equal(['j6', 'j5']);
      const window = await listJobs(db(), { limit: 10, createdAfter: T0 + 2, createdBefore: T0 + 4 });
      expect(window.items.map((j) => j.id)).to.deep.equal(['j3', 'j2']);
      expect(await countByStatus(db())).to.deep.equal({
        queued: 5,
        running: 0,
        succeeded: 0,
        failed: 0,
        cancelled: 2,
        rejected: 0,
      });
    });
  });
});

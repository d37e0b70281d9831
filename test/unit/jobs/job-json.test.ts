import { expect } from 'chai';
import type { OpenedDatabase } from '../../../src/db/connection.js';
import {
  enqueueJobs,
  getJob,
  getJobJson,
  heartbeatJobs,
  leaseJobs,
  listJobsJson,
  settleJobs,
} from '../../../src/jobs/store/index.js';
import { createTestDb } from '../../helpers/db.js';
import { testJobs } from '../../helpers/scheduler.js';

describe("the API's job JSON (built in SQL)", () => {
  let database: OpenedDatabase;
  beforeEach(async () => {
    database = await createTestDb();
  });
  afterEach(() => database.close());

  it('has the contract shape, with exact ISO-8601 millisecond times', async () => {
    const db = database.db;
    // Milliseconds that float arithmetic would round wrongly (.005, .999) and a leap-year date.
    const created = Date.UTC(2028, 1, 29, 23, 59, 59, 999);
    await enqueueJobs(
      db,
      testJobs(1, { url: 'https://media.example/a.mp4', metadata: { campaign: 'x', n: 1 } }, 'j'),
      created,
    );
    const [job] = await leaseJobs(db, { owner: 'o', limit: 1, now: created + 6, leaseMs: 1000 });
    if (!job) throw new Error('no lease');
    await heartbeatJobs(
      db,
      [{ id: job.id, token: job.leaseToken, progress: { bytes: 10, totalBytes: 20 } }],
      created + 7,
      1000,
    );
    const result = { file: 'j-000/a.mp4', bytes: 20, sha256: 'ab', contentType: 'video/mp4' };
    await settleJobs(db, [{ kind: 'succeeded', id: job.id, token: job.leaseToken, result }], created + 1005, 'o');

    const view = JSON.parse((await getJobJson(db, 'j-000')) ?? 'null');
    const stored = await getJob(db, 'j-000');
    expect(view).to.deep.equal({
      id: 'j-000',
      type: 'test',
      source: 'api',
      status: 'succeeded',
      url: 'https://media.example/a.mp4',
      attempts: 1,
      maxAttempts: 3,
      createdAt: new Date(created).toISOString(),
      updatedAt: new Date(created + 1005).toISOString(),
      runAt: new Date(created).toISOString(),
      startedAt: new Date(created + 6).toISOString(),
      finishedAt: new Date(created + 1005).toISOString(),
      cancelRequested: false,
      progress: { bytes: 10, totalBytes: 20 },
      result,
      error: null,
      metadata: { campaign: 'x', n: 1 },
    });
    expect(view.createdAt).to.equal('2028-02-29T23:59:59.999Z');
    expect(view.finishedAt).to.equal('2028-03-01T00:00:01.004Z');
    expect(stored?.finishedAt).to.equal(created + 1005);
    expect(await getJobJson(db, 'missing')).to.equal(undefined);
  });

  it('pages as JSON text in the same order and with the same cursor as the object pages', async () => {
    const db = database.db;
    for (let i = 0; i < 5; i++) await enqueueJobs(db, testJobs(1, {}, `p${i}`), 1000 + i);
    const page = await listJobsJson(db, { limit: 3 });
    expect(page.items.map((text) => JSON.parse(text).id)).to.deep.equal(['p4-000', 'p3-000', 'p2-000']);
    const rest = await listJobsJson(db, { limit: 3, after: page.next });
    expect(rest.items.map((text) => JSON.parse(text).id)).to.deep.equal(['p1-000', 'p0-000']);
    expect(rest.next).to.equal(undefined);
  });
});

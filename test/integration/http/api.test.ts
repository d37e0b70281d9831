import { expect } from 'chai';
import type { JobHandler } from '../../../src/jobs/handler.js';
import { enqueueJobs, leaseJobs, settleJobs } from '../../../src/jobs/store/index.js';
import { postJson, startTestApi, type TestApi } from '../../helpers/api.js';
import { deferred, testJobs, untilAborted } from '../../helpers/scheduler.js';
import { waitFor } from '../../helpers/wait.js';

describe('HTTP API', () => {
  let api: TestApi;
  let gates: Array<() => void>;
  /** Download stand-in: holds its slot until released, honours abort. */
  const holding: JobHandler = {
    run: ({ signal }) => {
      const gate = deferred<undefined>();
      gates.push(() => gate.resolve(undefined));
      return Promise.race([gate.promise, untilAborted(signal)]);
    },
  };

  beforeEach(async () => {
    gates = [];
    api = await startTestApi({ handlers: { download: holding } });
  });
  afterEach(async () => {
    for (const open of gates) open();
    await api.close();
  });

  /** A job that failed for good, without going through a handler. */
  async function failedJob(id: string) {
    const db = api.database.db;
    await enqueueJobs(db, testJobs(1, { type: 'download', maxAttempts: 1, source: 'sqs' }, id), 0);
    const [job] = await leaseJobs(db, { owner: 'x', limit: 1, now: 0, leaseMs: 1000 });
    if (!job) throw new Error('no lease');
    const error = { code: 'http_404', message: 'not found', retryable: false };
    await settleJobs(db, [{ kind: 'failed', id: job.id, token: job.leaseToken, error, retryAt: 0 }], 1, 'x');
    return job.id;
  }

  describe('GET /health', () => {
    it('answers ok with version, uptime, database, scheduler and counts', async () => {
      const { status, body } = await api.request('/health');
      expect(status).to.equal(200);
      expect(body).to.deep.include({ status: 'ok', version: '9.9.9', database: { ok: true } });
      expect(body.scheduler).to.deep.equal({ running: true, slots: 2, slotsInUse: 0 });
      expect(body.jobs).to.have.all.keys('queued', 'running', 'succeeded', 'failed', 'cancelled', 'rejected');
    });

    it('answers 503 when the database is unusable', async () => {
      api.database.raw.close();
      const { status, body } = await api.request('/health');
      expect(status).to.equal(503);
      expect(body.database.ok).to.equal(false);
    });
  });

  describe('POST /jobs', () => {
    it('creates a job (201), then returns the same one for the same id (200)', async () => {
      const first = await api.request(
        '/jobs',
        postJson({ jobId: 'clip-1', url: 'https://media.example/a.mp4', metadata: { k: 1 } }),
      );
      expect(first.status).to.equal(201);
      expect(first.headers.get('location')).to.equal('/jobs/clip-1');
      expect(first.body.job).to.deep.include({
        id: 'clip-1',
        source: 'api',
        url: 'https://media.example/a.mp4',
        metadata: { k: 1 },
      });
      const again = await api.request('/jobs', postJson({ jobId: 'clip-1', url: 'https://media.example/other.mp4' }));
      expect(again.status).to.equal(200);
      expect(again.body).to.deep.include({ created: false });
      expect(again.body.job.url).to.equal('https://media.example/a.mp4');
    });

    it('assigns an id when none is given', async () => {
      const { status, body } = await api.request('/jobs', postJson({ url: 'https://media.example/a.mp4' }));
      expect(status).to.equal(201);
      expect(body.job.id).to.match(/^[0-9a-f-]{36}$/);
    });

    const bad: Array<[string, RequestInit, number, string]> = [
      ['a missing url', postJson({ jobId: 'x' }), 400, 'url is required'],
      ['a bad scheme', postJson({ url: 'file:///etc/passwd' }), 400, 'http or https'],
      ['an unsafe jobId', postJson({ url: 'https://a.example/x', jobId: '../x' }), 400, 'jobId must be'],
      ['non-object metadata', postJson({ url: 'https://a.example/x', metadata: [1] }), 400, 'metadata must be'],
      ['invalid JSON', postJson('{"url":'), 400, 'not valid JSON'],
      ['a JSON array', postJson('[]'), 400, 'body must be a JSON object'],
      ['an empty body', postJson(''), 400, 'empty'],
      [
        'a form body',
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'url=x' },
        415,
        'application/json',
      ],
      [
        'a body over 64 KiB',
        postJson({ url: 'https://a.example/x', metadata: { pad: 'x'.repeat(70_000) } }),
        413,
        'larger than',
      ],
    ];
    for (const [what, init, status, message] of bad) {
      it(`answers ${status} for ${what}, as a JSON error`, async () => {
        const response = await api.request('/jobs', init);
        expect(response.status).to.equal(status);
        expect(response.body.error.message).to.contain(message);
        expect(response.body.error.code).to.be.a('string');
      });
    }
  });

  describe('GET /jobs', () => {
    it('pages newest first by cursor without skipping or repeating jobs while new ones arrive', async () => {
      const db = api.database.db;
      for (let i = 0; i < 25; i++)
        await enqueueJobs(db, testJobs(1, { type: 'other' }, `old-${String(i).padStart(2, '0')}`), 1000 + i);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `/jobs?limit=10${cursor ? `&cursor=${cursor}` : ''}`;
        const { status, body } = await api.request(query);
        expect(status).to.equal(200);
        seen.push(...body.jobs.map((j: { id: string }) => j.id));
        cursor = body.nextCursor;
        // Newer jobs arrive between pages; they are ahead of the cursor.
        await enqueueJobs(db, testJobs(2, { type: 'other' }, `new-${pages++}`), 5000 + pages);
      } while (cursor);
      const expected = Array.from({ length: 25 }, (_, i) => `old-${String(24 - i).padStart(2, '0')}-000`);
      expect(seen).to.deep.equal(expected);
      expect(pages).to.equal(3);
    });

    it('filters by one or several statuses and by source', async () => {
      await failedJob('f');
      await api.request('/jobs', postJson({ jobId: 'q1', url: 'https://a.example/1' }));
      const failed = await api.request('/jobs?status=failed');
      expect(failed.body.jobs.map((j: { id: string }) => j.id)).to.deep.equal(['f-000']);
      const both = await api.request('/jobs?status=failed,running,queued');
      expect(both.body.jobs).to.have.length(2);
      const repeated = await api.request('/jobs?status=failed&status=cancelled');
      expect(repeated.body.jobs).to.have.length(1);
      const fromApi = await api.request('/jobs?source=api');
      expect(fromApi.body.jobs.map((j: { id: string }) => j.id)).to.deep.equal(['q1']);
    });

    const badQueries: Array<[string, string]> = [
      ['status=done', 'status'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=ten', 'limit'],
      ['limit=1&limit=2', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
      ['createdAfter=yesterday', 'createdAfter'],
      ['source=ftp', 'source'],
    ];
    for (const [query, parameter] of badQueries) {
      it(`answers 400 naming ${parameter} for ?${query}`, async () => {
        const { status, body } = await api.request(`/jobs?${query}`);
        expect(status).to.equal(400);
        expect(body.error.message.startsWith(`${parameter}:`)).to.equal(true);
      });
    }
  });

  describe('GET /jobs/:id and /jobs/stats', () => {
    it('shows a job with its attempt history, including the attempt in progress', async () => {
      await api.request('/jobs', postJson({ jobId: 'run-1', url: 'https://a.example/1' }));
      await waitFor(() => api.scheduler.runningCount === 1, { message: 'job running' });
      const { status, body } = await api.request('/jobs/run-1');
      expect(status).to.equal(200);
      expect(body.status).to.equal('running');
      expect(body.attemptHistory).to.have.length(1);
      expect(body.attemptHistory[0]).to.include({ attempt: 1, outcome: 'running', finishedAt: null });
    });

    it('answers 404 as JSON for an unknown id', async () => {
      const { status, body } = await api.request('/jobs/nope');
      expect(status).to.equal(404);
      expect(body.error).to.deep.equal({ code: 'not_found', message: 'no job with id "nope"' });
    });

    it('reports counts, the oldest queued job and jobs finished in the last hour', async () => {
      await failedJob('f');
      const { body } = await api.request('/jobs/stats');
      expect(body.counts.failed).to.equal(1);
      expect(body.oldestQueuedAgeSeconds).to.equal(null);
      expect(body.finishedLastHour).to.equal(0); // finished at epoch 1 ms, long ago
    });
  });

  describe('retry and cancel', () => {
    it('retries a failed job (202 → queued) and refuses a second retry with 409 naming the status', async () => {
      const id = await failedJob('f');
      const first = await api.request(`/jobs/${id}/retry`, { method: 'POST' });
      expect(first.status).to.equal(202);
      expect(first.body.job).to.include({ status: 'queued', attempts: 0 });
      const second = await api.request(`/jobs/${id}/retry`, { method: 'POST' });
      expect(second.status).to.equal(409);
      expect(second.body.error.message).to.match(/is (queued|running); only failed or cancelled/);
      expect((await api.request('/jobs/nope/retry', { method: 'POST' })).status).to.equal(404);
    });

    it('cancels a queued job at once and a running one through its signal; 409 once finished', async () => {
      await api.request('/jobs', postJson({ jobId: 'r1', url: 'https://a.example/1' }));
      await api.request('/jobs', postJson({ jobId: 'r2', url: 'https://a.example/2' }));
      await waitFor(() => api.scheduler.runningCount === 2, { message: 'two running' });
      await api.request('/jobs', postJson({ jobId: 'q', url: 'https://a.example/3' }));

      const queued = await api.request('/jobs/q/cancel', { method: 'POST' });
      expect(queued.status).to.equal(202);
      expect(queued.body).to.deep.include({ cancelled: true, cancelRequested: false });

      const running = await api.request('/jobs/r1/cancel', { method: 'POST' });
      expect(running.status).to.equal(202);
      expect(running.body).to.deep.include({ cancelled: false, cancelRequested: true });
      await waitFor(async () => (await api.request('/jobs/r1')).body.status === 'cancelled', {
        message: 'r1 cancelled',
      });

      const again = await api.request('/jobs/q/cancel', { method: 'POST' });
      expect(again.status).to.equal(409);
      expect(again.body.error.message).to.contain('is cancelled');
      expect((await api.request('/jobs/nope/cancel', { method: 'POST' })).status).to.equal(404);
    });
  });

  describe('errors, metrics, OpenAPI', () => {
    it('answers unknown routes with 404 and wrong methods with 405, as JSON', async () => {
      const missing = await api.request('/nowhere');
      expect(missing.status).to.equal(404);
      expect(missing.body.error.code).to.equal('not_found');
      const wrong = await api.request('/jobs', { method: 'DELETE' });
      expect(wrong.status).to.equal(405);
      expect(wrong.body.error.code).to.equal('method_not_allowed');
    });

    it('hides internal errors behind a generic 500', async () => {
      api.database.raw.close();
      const { status, body } = await api.request('/jobs');
      expect(status).to.equal(500);
      expect(body).to.deep.equal({ error: { code: 'internal_error', message: 'internal server error' } });
    });

    it('echoes a sane request id and makes one up otherwise', async () => {
      const given = await api.request('/health', { headers: { 'x-request-id': 'abc-123' } });
      expect(given.headers.get('x-request-id')).to.equal('abc-123');
      const made = await api.request('/health', { headers: { 'x-request-id': 'bad id with spaces' } });
      expect(made.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
    });

    it('exposes Prometheus metrics', async () => {
      await failedJob('f');
      await api.request('/jobs/stats');
      const { status, headers, body } = await api.request('/metrics');
      expect(status).to.equal(200);
      expect(headers.get('content-type')).to.contain('text/plain');
      expect(body).to.contain('jobs{status="failed"} 1');
      expect(body).to.match(/http_request_duration_seconds_count\{method="GET",route="\/jobs\/stats",status="200"\} 1/);
      expect(body).to.contain('nodejs_eventloop_lag_seconds');
      expect(body).to.contain('sqs_messages_received_total');
    });
  });
});

/**
 * Job routes: enqueue, history, detail. Reads go straight to the store; changes that running
 * work must notice go through the runner (wake after enqueue, abort on cancel).
 */
import { randomUUID } from 'node:crypto';
import type { Router } from '@koa/router';
import { JOB_SOURCES, JOB_STATUSES } from '../../jobs/job.js';
import { checkDownloadRequest } from '../../jobs/job-request.js';
import {
  countByStatus,
  countFinishedSince,
  enqueueJobs,
  getAttempts,
  listJobsJson,
  oldestQueuedAt,
} from '../../jobs/store/index.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { AppDeps } from '../deps.js';
import { HttpError, notFound } from '../http-error.js';
import { attemptView, jobView } from '../job-view.js';
import { readJsonBody } from '../json-body.js';
import { enumParam, intParam, listParam, stringParam, timeParam } from '../query.js';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;
const HOUR = 3_600_000;

export function jobRoutes(router: Router, deps: AppDeps): void {
  router.post('/jobs', async (ctx) => {
    const checked = checkDownloadRequest(await readJsonBody(ctx));
    if (!checked.ok) throw new HttpError(400, 'invalid_job', checked.reason);
    const { jobId, url, metadata } = checked.value;
    const [outcome] = await enqueueJobs(
      deps.db,
      [{ id: jobId ?? randomUUID(), type: 'download', source: 'api', url, metadata, maxAttempts: deps.maxAttempts }],
      deps.clock.now(),
    );
    if (!outcome) throw new Error('enqueue returned no outcome');
    if (outcome.created) deps.runner.wake();
    ctx.status = outcome.created ? 201 : 200;
    ctx.set('Location', `/jobs/${encodeURIComponent(outcome.job.id)}`);
    ctx.body = { created: outcome.created, job: await jobView(deps.db, outcome.job.id) };
  });

  router.get('/jobs', async (ctx) => {
    const cursor = stringParam(ctx.query, 'cursor');
    const page = await listJobsJson(deps.db, {
      statuses: listParam(ctx.query, 'status', JOB_STATUSES),
      source: enumParam(ctx.query, 'source', JOB_SOURCES),
      createdAfter: timeParam(ctx.query, 'createdAfter'),
      createdBefore: timeParam(ctx.query, 'createdBefore'),
      limit: intParam(ctx.query, 'limit', DEFAULT_PAGE, 1, MAX_PAGE),
      after: cursor === undefined ? undefined : decodeCursor(cursor),
    });
    // The rows arrive as JSON text; the page is assembled without parsing them.
    ctx.type = 'application/json';
    ctx.body = `{"jobs":[${page.items.join(',')}],"nextCursor":${page.next ? `"${encodeCursor(page.next)}"` : 'null'}}`;
  });

  // Before /jobs/:id, which would otherwise take "stats" for an id.
  router.get('/jobs/stats', async (ctx) => {
    const now = deps.clock.now();
    const [counts, oldestQueued, finishedLastHour] = await Promise.all([
      countByStatus(deps.db),
      oldestQueuedAt(deps.db),
      countFinishedSince(deps.db, now - HOUR),
    ]);
    ctx.body = {
      counts,
      oldestQueuedAgeSeconds: oldestQueued === undefined ? null : Math.max(0, Math.round((now - oldestQueued) / 1000)),
      finishedLastHour,
    };
  });

  router.get('/jobs/:id', async (ctx) => {
    const id = ctx.params.id ?? '';
    const job = await jobView(deps.db, id);
    if (!job) throw notFound(`no job with id ${JSON.stringify(id)}`);
    const history: unknown[] = (await getAttempts(deps.db, id)).map(attemptView);
    // The attempt in progress lives in the job row until it ends.
    if (job.status === 'running') {
      history.push({
        attempt: job.attempts,
        startedAt: job.startedAt,
        finishedAt: null,
        outcome: 'running',
        error: null,
      });
    }
    ctx.body = { ...job, attemptHistory: history };
  });
}

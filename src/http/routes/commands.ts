/** Operator commands on one job: retry (failed/cancelled → queued) and cancel. */
import type { Router } from '@koa/router';
import { retryJob } from '../../jobs/store/index.js';
import type { AppDeps } from '../deps.js';
import { conflict, notFound } from '../http-error.js';
import { jobView } from '../job-view.js';

export function commandRoutes(router: Router, deps: AppDeps): void {
  router.post('/jobs/:id/retry', async (ctx) => {
    const id = ctx.params.id ?? '';
    const result = await retryJob(deps.db, id, deps.clock.now());
    if (result.outcome === 'not_found') throw notFound(`no job with id ${JSON.stringify(id)}`);
    if (result.outcome === 'conflict') {
      throw conflict(`job ${id} is ${result.status}; only failed or cancelled jobs can be retried`);
    }
    deps.runner.wake();
    ctx.status = 202;
    ctx.body = { job: await jobView(deps.db, id) };
  });

  router.post('/jobs/:id/cancel', async (ctx) => {
    const id = ctx.params.id ?? '';
    const result = await deps.runner.cancel(id);
    if (result.outcome === 'not_found') throw notFound(`no job with id ${JSON.stringify(id)}`);
    if (result.outcome === 'conflict') {
      throw conflict(`job ${id} is ${result.status}; only queued or running jobs can be cancelled`);
    }
    ctx.status = 202;
    // A running job is aborted now and reaches `cancelled` once its attempt winds down.
    ctx.body = {
      cancelled: result.outcome === 'done',
      cancelRequested: result.outcome === 'requested',
      job: await jobView(deps.db, id),
    };
  });
}

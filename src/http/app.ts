/**
 * The Koa application. Order matters: the request log wraps everything (it sees the final
 * status), the error middleware turns every error into JSON, then auth, then the routes: the
 * API's and, on a router of its own, the dashboard's static page. Tested through `app.callback()`.
 */
import { Router } from '@koa/router';
import Koa from 'koa';
import { authMiddleware } from './auth.js';
import type { AppDeps } from './deps.js';
import { errorMiddleware } from './error-middleware.js';
import { HttpError } from './http-error.js';
import { openApiDocument } from './openapi.js';
import { requestLog } from './request-log.js';
import { commandRoutes } from './routes/commands.js';
import { dashboardRouter, isDashboardPath } from './routes/dashboard.js';
import { healthRoutes } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import { metricsRoutes } from './routes/metrics.js';

export function createRouter(deps: AppDeps): Router {
  const router = new Router();
  healthRoutes(router, deps);
  jobRoutes(router, deps);
  commandRoutes(router, deps);
  if (deps.metrics) metricsRoutes(router, deps.metrics);
  const document = openApiDocument(deps.version);
  router.get('/openapi.json', (ctx) => {
    ctx.body = document;
  });
  return router;
}

const ALLOWED_METHODS = {
  throw: true,
  methodNotAllowed: () => new HttpError(405, 'method_not_allowed', 'method not allowed on this route'),
  notImplemented: () => new HttpError(501, 'not_implemented', 'method not implemented'),
};

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.proxy = false;
  app.use(requestLog(deps.logger, deps.metrics));
  app.use(errorMiddleware(deps.logger));
  app.use(authMiddleware(deps.apiToken, (path) => isDashboardPath(path) || deps.publicPath?.(path) === true));
  for (const router of [createRouter(deps), dashboardRouter()]) {
    app.use(router.routes());
    app.use(router.allowedMethods(ALLOWED_METHODS));
  }
  // Errors are logged by the error middleware; keep Koa from printing them a second time.
  app.silent = true;
  return app;
}

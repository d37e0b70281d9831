/** The Koa application: error mapping first, then routes. Tested through `app.callback()`. */
import { Router } from '@koa/router';
import Koa from 'koa';
import type { AppDeps } from './deps.js';
import { errorMiddleware } from './error-middleware.js';
import { HttpError } from './http-error.js';
import { healthRoutes } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.proxy = false;
  app.use(errorMiddleware(deps.logger));
  const router = new Router();
  healthRoutes(router, deps);
  jobRoutes(router, deps);
  app.use(router.routes());
  app.use(
    router.allowedMethods({
      throw: true,
      methodNotAllowed: () => new HttpError(405, 'method_not_allowed', 'method not allowed on this route'),
      notImplemented: () => new HttpError(501, 'not_implemented', 'method not implemented'),
    }),
  );
  // Errors are logged by the error middleware; keep Koa from printing them a second time.
  app.silent = true;
  return app;
}

/**
 * One log line per request with a request id (taken from X-Request-Id when sane, else made up,
 * and echoed back) and its duration; probes and successful reads log at debug so polling
 * doesn't drown the logs. Also records the request duration metric, labelled by route pattern (not raw path).
 */
import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';

const QUIET_PATHS = new Set(['/health', '/metrics']);
const SANE_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function requestLog(logger: Logger, metrics?: Metrics) {
  return async function logRequest(ctx: Context, next: Next): Promise<void> {
    const started = performance.now();
    const incoming = ctx.get('x-request-id');
    const requestId = SANE_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const durationMs = performance.now() - started;
      const route = (ctx as Context & { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      metrics?.httpDuration.observe(
        { method: ctx.method, route: String(route), status: String(ctx.status) },
        durationMs / 1000,
      );
      // Probes, scrapes and reads that went well (a dashboard polls every few seconds) are
      // debug; changes and every error are info.
      const routine = QUIET_PATHS.has(ctx.path) || (ctx.method === 'GET' && ctx.status < 400);
      const level = routine ? 'debug' : 'info';
      if (logger.isLevelEnabled(level)) {
        logger[level](
          {
            requestId,
            method: ctx.method,
            path: ctx.path,
            status: ctx.status,
            durationMs: Math.round(durationMs * 10) / 10,
          },
          'request',
        );
      }
    }
  };
}

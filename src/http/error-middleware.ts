/**
 * The one place that turns errors into responses: `{"error":{"code","message"}}`. Client errors
 * keep their message; anything unexpected is logged with its stack and answered with a
 * generic 500, so no internal detail ever leaves the server.
 */
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { HttpError } from './http-error.js';

/** Koa and its helpers throw errors carrying `status` and `expose` (e.g. ctx.throw). */
interface StatusError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  message?: string;
  code?: string;
}

const GENERIC_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  501: 'not_implemented',
  503: 'unavailable',
};

export function errorMiddleware(logger: Logger) {
  return async function handleErrors(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpError(404, 'not_found', `no route for ${ctx.method} ${ctx.path}`);
      }
    } catch (thrown) {
      const error = (thrown ?? {}) as StatusError;
      const status = error.status ?? error.statusCode ?? 500;
      const clientError = status >= 400 && status < 500;
      const exposed = thrown instanceof HttpError || (clientError && error.expose === true);
      if (thrown instanceof HttpError) ctx.set(thrown.headers);
      ctx.status = clientError || thrown instanceof HttpError ? status : 500;
      const code = thrown instanceof HttpError ? thrown.code : (GENERIC_CODES[ctx.status] ?? 'internal_error');
      const message = exposed && error.message ? error.message : 'internal server error';
      ctx.body = { error: { code, message } };
      if (ctx.status >= 500) logger.error({ err: thrown, method: ctx.method, path: ctx.path }, 'request failed');
    }
  };
}

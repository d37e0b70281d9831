/**
 * Who may use the API. With API_TOKEN set, every route except /health (and the dashboard's
 * static page, which asks for the token) needs `Authorization: Bearer <token>`, compared in
 * constant time. Without a token, reads are open but changes (POST) are accepted only from
 * this machine, so a server that was never given a token cannot be steered from the network.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import { HttpError } from './http-error.js';

const OPEN_PATHS = new Set(['/health']);
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** Hashing first gives equal-length inputs, so timingSafeEqual never leaks the token's length. */
const digest = (text: string) => createHash('sha256').update(text).digest();

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (LOOPBACK.has(address) || address.startsWith('127.'));
}

export function authMiddleware(token: string | undefined, publicPaths: (path: string) => boolean = () => false) {
  const expected = token === undefined ? undefined : digest(token);
  const presented = (ctx: Context) => {
    const match = /^Bearer\s+(.+)$/i.exec(ctx.get('authorization'));
    return match?.[1] !== undefined && expected !== undefined && timingSafeEqual(digest(match[1].trim()), expected);
  };
  return async function authorize(ctx: Context, next: Next): Promise<void> {
    // Routes that answer more to a caller who proved the token (/health's details) read this.
    ctx.state.authenticated = expected === undefined || presented(ctx);
    if (OPEN_PATHS.has(ctx.path) || (READ_METHODS.has(ctx.method) && publicPaths(ctx.path))) return next();
    if (expected) {
      if (!ctx.state.authenticated) {
        throw new HttpError(401, 'unauthorized', 'missing or wrong bearer token (Authorization: Bearer <API_TOKEN>)', {
          'WWW-Authenticate': 'Bearer',
        });
      }
      return next();
    }
    if (!READ_METHODS.has(ctx.method) && !isLoopback(ctx.req.socket.remoteAddress)) {
      throw new HttpError(403, 'forbidden', 'changes are accepted only from this machine unless API_TOKEN is set');
    }
    return next();
  };
}

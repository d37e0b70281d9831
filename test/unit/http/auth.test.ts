import { expect } from 'chai';
import type { Context } from 'koa';
import { authMiddleware, isLoopback } from '../../../src/http/auth.js';
import { HttpError } from '../../../src/http/http-error.js';

function ctx(method: string, path: string, remoteAddress: string, authorization = ''): Context {
  return {
    method,
    path,
    req: { socket: { remoteAddress } },
    state: {},
    get: (name: string) => (name.toLowerCase() === 'authorization' ? authorization : ''),
  } as unknown as Context;
}

async function outcome(middleware: ReturnType<typeof authMiddleware>, context: Context): Promise<number> {
  try {
    await middleware(context, async () => {});
    return 200;
  } catch (error) {
    if (error instanceof HttpError) return error.status;
    throw error;
  }
}

describe('auth middleware', () => {
  it('without a token: reads from anywhere, changes only from loopback', async () => {
    const open = authMiddleware(undefined);
    expect(await outcome(open, ctx('GET', '/jobs', '203.0.113.9'))).to.equal(200);
    expect(await outcome(open, ctx('POST', '/jobs', '203.0.113.9'))).to.equal(403);
    expect(await outcome(open, ctx('POST', '/jobs', '::ffff:10.0.0.4'))).to.equal(403);
    expect(await outcome(open, ctx('POST', '/jobs', '127.0.0.1'))).to.equal(200);
    expect(await outcome(open, ctx('POST', '/jobs', '::1'))).to.equal(200);
  });

  it('with a token: everything but /health and public pages needs it, from anywhere', async () => {
    const guarded = authMiddleware('s3cret-token-0123456789', (path) => path === '/');
    expect(await outcome(guarded, ctx('GET', '/health', '203.0.113.9'))).to.equal(200);
    expect(await outcome(guarded, ctx('GET', '/', '203.0.113.9'))).to.equal(200);
    expect(await outcome(guarded, ctx('POST', '/', '203.0.113.9'))).to.equal(401);
    expect(await outcome(guarded, ctx('GET', '/jobs', '127.0.0.1'))).to.equal(401);
    expect(await outcome(guarded, ctx('GET', '/jobs', '127.0.0.1', 'Bearer wrong'))).to.equal(401);
    expect(await outcome(guarded, ctx('GET', '/jobs', '127.0.0.1', 'Basic czNjcmV0'))).to.equal(401);
    expect(await outcome(guarded, ctx('POST', '/jobs', '203.0.113.9', 'Bearer s3cret-token-0123456789'))).to.equal(200);
    expect(await outcome(guarded, ctx('GET', '/jobs', '203.0.113.9', 'bearer s3cret-token-0123456789'))).to.equal(200);
  });

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'].every(isLoopback)).to.equal(true);
    expect(['10.0.0.1', '::ffff:10.0.0.1', '192.168.1.1', undefined].some(isLoopback)).to.equal(false);
  });
});

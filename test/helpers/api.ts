/** The real Koa app on a real port (0), over an in-memory database and a real scheduler. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OpenedDatabase } from '../../src/db/connection.js';
import { createApp } from '../../src/http/app.js';
import type { JobHandler } from '../../src/jobs/handler.js';
import type { Scheduler } from '../../src/jobs/scheduler.js';
import { silentLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { observeScheduler } from '../../src/metrics/observe.js';
import { createTestDb } from './db.js';
import { testScheduler } from './scheduler.js';

// biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers field by field and assert on them.
export type Json = any;

export interface TestApi {
  url: string;
  database: OpenedDatabase;
  scheduler: Scheduler;
  server: Server;
  request(path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: Json }>;
  close(): Promise<void>;
}

export async function startTestApi(
  options: { apiToken?: string; handlers?: Record<string, JobHandler>; host?: string; concurrency?: number } = {},
): Promise<TestApi> {
  const database = await createTestDb();
  const scheduler = testScheduler(database.db, options.handlers ?? {}, { concurrency: options.concurrency ?? 2 });
  const metrics = createMetrics(database.db);
  observeScheduler(scheduler, metrics);
  await scheduler.start();
  const app = createApp({
    db: database.db,
    runner: scheduler,
    clock: { now: () => Date.now() },
    logger: silentLogger(),
    version: '9.9.9',
    maxAttempts: 3,
    apiToken: options.apiToken,
    metrics,
  });
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  const url = `http://${host}:${port}`;
  return {
    url,
    database,
    scheduler,
    server,
    async request(path, init) {
      const response = await fetch(`${url}${path}`, init);
      const text = await response.text();
      const type = response.headers.get('content-type') ?? '';
      return {
        status: response.status,
        headers: response.headers,
        body: type.includes('json') ? JSON.parse(text) : text,
      };
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await scheduler.stop(1000);
      await database.close();
    },
  };
}

export const postJson = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

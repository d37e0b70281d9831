/**
 * Composition root: config → database → migrations → scheduler → HTTP. Nothing else wires
 * components together; everything else receives what it needs.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import { type Db, MEMORY, type RawDb } from './db/connection.js';
import { openMigratedDatabase } from './db/open-migrated.js';
import { createApp } from './http/app.js';
import type { HandlerRegistry } from './jobs/handler.js';
import { Scheduler } from './jobs/scheduler.js';
import type { Logger } from './logger.js';
import { Maintenance } from './maintenance/maintenance.js';
import { createMetrics } from './metrics/metrics.js';
import { observePoller, observeScheduler } from './metrics/observe.js';
import { type Ingestion, startIngestion } from './sqs/ingestion.js';
import { DiskWatch, ensureWritableDirectory, StartupError } from './startup-checks.js';
import { VERSION } from './version.js';

export interface ServerOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** Job handlers by type. */
  handlers: HandlerRegistry;
}

export interface RunningServer {
  url: string;
  ingestion: Ingestion;
  port: number;
  db: Db;
  raw: RawDb;
  scheduler: Scheduler;
  /** Graceful stop: HTTP closes, running jobs get SHUTDOWN_GRACE_MS, the database closes. */
  stop(): Promise<void>;
}

export { StartupError };

export async function startServer({
  config,
  logger,
  clock = systemClock,
  handlers,
}: ServerOptions): Promise<RunningServer> {
  if (config.databasePath !== MEMORY) await ensureWritableDirectory(dirname(config.databasePath), 'DATABASE_PATH');
  await ensureWritableDirectory(config.download.dir, 'DOWNLOAD_DIR');
  const database = await openMigratedDatabase(config.databasePath, logger);
  const { db, raw } = database;

  const scheduler = new Scheduler({
    db,
    handlers,
    concurrency: config.maxConcurrentJobs,
    leaseMs: config.leaseTimeoutMs,
    jobTimeoutMs: config.jobTimeoutMs,
    backoff: { baseMs: config.retryBaseMs, maxMs: config.retryMaxMs },
    logger: logger.child({ component: 'scheduler' }),
    clock,
  });
  const metrics = createMetrics(db);
  observeScheduler(scheduler, metrics);
  await scheduler.start();
  const ingestion = startIngestion({
    config,
    db,
    scheduler,
    clock,
    logger,
    onPoller: (poller) => observePoller(poller, metrics),
  });
  const disk = new DiskWatch(config.download.dir, config.diskFreeWarnBytes, logger);
  await disk.start();
  const maintenance = new Maintenance({
    db,
    clock,
    logger: logger.child({ component: 'maintenance' }),
    downloadDir: config.download.dir,
    jobRetentionDays: config.jobRetentionDays,
    failedJobRetentionDays: config.failedJobRetentionDays,
    downloadRetentionDays: config.downloadRetentionDays,
  });
  maintenance.schedule(config.maintenanceCron, config.pruneCron);
  if (!config.apiToken) {
    logger.warn('API_TOKEN is not set: the API is open to read, and accepts changes (POST) only from this machine');
  }

  /** Everything but the scheduler: an in-flight long poll is aborted at once. */
  const stopTakingWork = async () => {
    await maintenance.stop();
    disk.stop();
    await ingestion.stop();
  };

  const app = createApp({
    db,
    runner: scheduler,
    clock,
    logger: logger.child({ component: 'http' }),
    version: VERSION,
    maxAttempts: config.maxAttempts,
    apiToken: config.apiToken,
    health: { sqs: () => ingestion.health(), disk: () => disk.health() },
    metrics,
  });
  const http = createServer(app.callback());
  // Slowloris protection: a client must send its headers and body within these limits.
  http.headersTimeout = 20_000;
  http.requestTimeout = 60_000;
  try {
    await listen(http, config.port, config.host);
  } catch (error) {
    await stopTakingWork();
    await scheduler.stop(0);
    await database.close();
    throw new StartupError(`cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`);
  }
  const { port } = http.address() as AddressInfo;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  logger.info({ url, version: VERSION, concurrency: config.maxConcurrentJobs }, 'server listening');

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      logger.info({ graceMs: config.shutdownGraceMs }, 'shutting down');
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      await stopTakingWork();
      await scheduler.stop(config.shutdownGraceMs);
      http.closeAllConnections();
      await closed;
      await database.close();
      logger.info('stopped');
    })();
    return stopping;
  };

  return { url, port, db, raw, scheduler, ingestion, stop };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Shared set-up for the download integration tests: a temp DOWNLOAD_DIR, the handler, one attempt. */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import pino, { type Logger } from 'pino';
import type { DownloadConfig } from '../../../src/config.js';
import { createDownloadHandler, type DownloadHandlerOptions } from '../../../src/download/download-handler.js';
import type { JobHandler } from '../../../src/jobs/handler.js';
import type { JsonObject, LeasedJob } from '../../../src/jobs/job.js';
import { JobError } from '../../../src/jobs/job-error.js';

export function tempDir(prefix = 'download-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function downloadConfig(dir: string, overrides: Partial<DownloadConfig> = {}): DownloadConfig {
  return {
    dir,
    maxBytes: undefined,
    allowPrivateNetworks: true,
    allowedHosts: [],
    connectTimeoutMs: 2000,
    stallTimeoutMs: 2000,
    ...overrides,
  };
}

export function testHandler(
  dir: string,
  overrides: Partial<DownloadConfig> = {},
  options: Omit<DownloadHandlerOptions, 'config'> = {},
): JobHandler {
  return createDownloadHandler({ config: downloadConfig(dir, overrides), ...options });
}

export function leasedJob(id: string, url: string | null): LeasedJob {
  const now = Date.now();
  return {
    seq: 1,
    id,
    type: 'download',
    source: 'api',
    status: 'running',
    url,
    metadata: {},
    attempts: 1,
    maxAttempts: 5,
    runAt: now,
    createdAt: now,
    startedAt: now,
    leaseOwner: 'test',
    leaseToken: 'token',
    leaseExpiresAt: now + 30_000,
  };
}

export interface Attempt {
  result?: JsonObject;
  error?: JobError;
  /** Anything thrown that is not a JobError (e.g. an abort reason). */
  thrown?: unknown;
  progress: Array<[number, number | null]>;
  logs: Array<Record<string, unknown>>;
}

export function capturingLogger(): { logger: Logger; logs: Array<Record<string, unknown>> } {
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  return { logger, logs };
}

/** One attempt of a download job, the way the scheduler runs it. */
export async function attempt(
  handler: JobHandler,
  id: string,
  url: string | null,
  signal: AbortSignal = new AbortController().signal,
): Promise<Attempt> {
  const { logger, logs } = capturingLogger();
  const progress: Array<[number, number | null]> = [];
  const outcome: Attempt = { progress, logs };
  try {
    outcome.result = await handler.run({
      job: leasedJob(id, url),
      signal,
      logger,
      progress: (bytes, total) => progress.push([bytes, total]),
    });
  } catch (error) {
    if (error instanceof JobError) outcome.error = error;
    else outcome.thrown = error;
  }
  return outcome;
}

/** Every file under `dir`, relative, with its size: what a test expects to find (or not). */
export function filesIn(dir: string): Record<string, number> {
  const found: Record<string, number> = {};
  const walk = (at: string) => {
    let entries: string[];
    try {
      entries = readdirSync(at);
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(at, entry);
      const stats = statSync(path);
      if (stats.isDirectory()) walk(path);
      else found[relative(dir, path)] = stats.size;
    }
  };
  walk(dir);
  return found;
}

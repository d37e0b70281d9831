/**
 * The `download` job type: fetch the job's URL into `DOWNLOAD_DIR/<jobId>/` and answer
 * `{file, bytes, sha256, contentType}`. This file wires configuration to the downloader, turns
 * failures into classified JobErrors, logs progress at a sane rate, and cleans up: a job that
 * ends for good (failed, cancelled) leaves no folder behind; a full disk frees its part at once
 * so the database can still record the outcome.
 */
import { rm, statfs } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import type { DownloadConfig } from '../config.js';
import type { JobContext, JobHandler } from '../jobs/handler.js';
import type { JsonObject } from '../jobs/job.js';
import { redactUrl } from '../logger.js';
import { type DownloadSettings, download } from './downloader.js';
import { classifyError, downloadError } from './errors.js';
import { jobFolder } from './file-name.js';
import { guardedLookup, type Resolver } from './guarded-lookup.js';
import { MAX_REDIRECTS } from './http-fetch.js';
import { progressLog } from './progress-log.js';
import { compileAddressPolicy } from './url-policy.js';

export interface DownloadHandlerOptions {
  config: DownloadConfig;
  /** DNS, injectable for tests (defaults to the system resolver). */
  resolver?: Resolver;
  freeBytes?: (dir: string) => Promise<number>;
  /** Progress reaches the log at most this often (it reaches the database every heartbeat). */
  progressLogEveryMs?: number;
}

export const PROGRESS_LOG_EVERY_MS = 10_000;
/** Longest a discard waits for the job's attempt to wind down before removing its folder. */
const DISCARD_WAIT_MS = 10_000;

async function volumeFreeBytes(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
}

export function createDownloadHandler(options: DownloadHandlerOptions): JobHandler {
  const { config } = options;
  const policy = compileAddressPolicy(config);
  const downloadDir = resolve(config.dir);
  const settings: DownloadSettings = {
    fetch: {
      policy,
      lookup: guardedLookup(policy, options.resolver),
      connectTimeoutMs: config.connectTimeoutMs,
      responseTimeoutMs: config.stallTimeoutMs,
      maxRedirects: MAX_REDIRECTS,
    },
    maxBytes: config.maxBytes,
    stallTimeoutMs: config.stallTimeoutMs,
    freeBytes: options.freeBytes ?? volumeFreeBytes,
  };
  const logEveryMs = options.progressLogEveryMs ?? PROGRESS_LOG_EVERY_MS;

  /** Attempts running in this process, by job id: one at a time per job, and discard waits for it. */
  const running = new Map<string, Promise<unknown>>();

  async function attempt(context: JobContext, url: string, folder: string): Promise<JsonObject> {
    const { job, signal, logger } = context;
    const started = Date.now();
    try {
      const done = await download(
        { url, folder, signal, logger, progress: progressLog(context.progress, logger, logEveryMs) },
        settings,
      );
      const file = `${job.id}/${done.name}`;
      const durationMs = Date.now() - started;
      const bytesPerSecond = Math.round((done.bytes / Math.max(1, durationMs)) * 1000);
      logger.info({ file, bytes: done.bytes, sha256: done.sha256, durationMs, bytesPerSecond }, 'download finished');
      return { file, bytes: done.bytes, sha256: done.sha256, contentType: done.contentType };
    } catch (error) {
      // The abort's reason (cancel, timeout, shutdown) decides the outcome, not the I/O error it caused.
      if (signal.aborted) throw signal.reason;
      const failure = classifyError(error);
      if (failure.code === 'disk_full') {
        logger.error(
          { err: error, downloadDir, url: redactUrl(url) },
          'DISK FULL: the download volume has no space left; partial file removed, the job will retry',
        );
        await rm(folder, { recursive: true, force: true });
      } else if (!failure.retryable) {
        // The job ends failed now; nothing here will be resumed.
        await rm(folder, { recursive: true, force: true });
      }
      throw failure;
    }
  }

  return {
    run(context): Promise<JsonObject> {
      const { job } = context;
      if (!job.url) return Promise.reject(downloadError.missingUrl());
      const folder = jobFolder(downloadDir, job.id);
      if (!folder) return Promise.reject(downloadError.invalidJobId(job.id));
      // An earlier attempt that ignored its abort (or a lease lost and re-leased) must not share the part.
      if (running.has(job.id)) return Promise.reject(downloadError.busy());
      const work = attempt(context, job.url, folder);
      const done = work.then(
        () => undefined,
        () => undefined,
      );
      running.set(job.id, done);
      void done.then(() => running.delete(job.id));
      return work;
    },

    async discard(job): Promise<void> {
      const folder = jobFolder(downloadDir, job.id);
      if (!folder) return;
      // Let a winding-down attempt close its files first, so it cannot recreate the folder.
      const active = running.get(job.id);
      if (active) await Promise.race([active, setTimeout(DISCARD_WAIT_MS, undefined, { ref: false })]);
      await rm(folder, { recursive: true, force: true });
    },
  };
}

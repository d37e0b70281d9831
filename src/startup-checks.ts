/**
 * Checks that fail fast with a message an operator can act on, and the free-disk watch that
 * turns /health `degraded` before downloads start failing for lack of space.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, statfs, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HealthReport } from './http/deps.js';
import type { Logger } from './logger.js';

export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** Creates `dir` if needed and proves a file can be written there. */
export async function ensureWritableDirectory(dir: string, variable: string): Promise<void> {
  const probe = join(dir, `.write-probe-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, 'ok');
    await unlink(probe);
  } catch (error) {
    throw new StartupError(`${variable}: directory ${dir} is not writable (${(error as Error).message})`);
  }
}

export async function freeBytes(path: string): Promise<number> {
  const stats = await statfs(path);
  return stats.bavail * stats.bsize;
}

/** Samples free space now and then; below the threshold: one warning, and a degraded /health. */
export class DiskWatch {
  private free: number | undefined;
  private warned = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly path: string,
    private readonly thresholdBytes: number,
    private readonly logger: Logger,
    private readonly everyMs = 60_000,
  ) {}

  async start(): Promise<void> {
    await this.sample();
    this.timer = setInterval(() => void this.sample(), this.everyMs).unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  health(): HealthReport {
    const low = this.free !== undefined && this.free < this.thresholdBytes;
    return { degraded: low, path: this.path, freeBytes: this.free ?? null, warnBelowBytes: this.thresholdBytes };
  }

  private async sample(): Promise<void> {
    try {
      this.free = await freeBytes(this.path);
    } catch (error) {
      this.logger.warn({ err: error, path: this.path }, 'cannot read free disk space');
      return;
    }
    const low = this.free < this.thresholdBytes;
    if (low && !this.warned) {
      this.logger.warn(
        { path: this.path, freeBytes: this.free, warnBelowBytes: this.thresholdBytes },
        'free disk space is low: downloads may fail (health is degraded until space is freed)',
      );
    } else if (!low && this.warned) {
      this.logger.info({ path: this.path, freeBytes: this.free }, 'free disk space is back above the threshold');
    }
    this.warned = low;
  }
}

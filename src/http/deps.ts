/** What the HTTP layer needs from the rest of the server: narrow on purpose. */
import type { Clock } from '../clock.js';
import type { Db } from '../db/connection.js';
import type { CancelResult } from '../jobs/store/index.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';

/** The part of the scheduler the API drives. */
export interface JobRunner {
  wake(): void;
  cancel(id: string): Promise<CancelResult>;
  readonly runningCount: number;
  readonly concurrency: number;
  readonly isRunning: boolean;
}

/** A component's contribution to /health. `degraded` makes the whole answer degraded. */
export interface HealthReport {
  degraded: boolean;
  [detail: string]: unknown;
}

export interface AppDeps {
  db: Db;
  runner: JobRunner;
  clock: Clock;
  logger: Logger;
  version: string;
  maxAttempts: number;
  apiToken: string | undefined;
  /** Extra sections of /health (poller, disk, ...), by name. */
  health?: Record<string, () => HealthReport>;
  metrics?: Metrics;
  /** Paths readable without the token (the dashboard's static page, which then asks for it). */
  publicPath?: (path: string) => boolean;
}

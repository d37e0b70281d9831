/**
 * Starts SQS ingestion as the configuration asks: not at all (ENABLE_SQS_POLLING=false), with
 * one warning when no queue is configured, or a poller on SQS_QUEUE_URL. With LOCALSTACK=true
 * and no queue URL, the default local queue is created; if the emulator is not up yet, that is
 * retried in the background, so the server can start before it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Db } from '../db/connection.js';
import type { HealthReport } from '../http/deps.js';
import { fullJitterDelayMs } from '../jobs/backoff.js';
import type { Scheduler } from '../jobs/scheduler.js';
import type { Logger } from '../logger.js';
import { SqsPoller } from './poller.js';
import { schedulerCapacity } from './scheduler-capacity.js';
import { createSqsClient, resolveQueueUrl } from './sqs-client.js';

export interface Ingestion {
  health(): HealthReport;
  stop(): Promise<void>;
}

export interface IngestionDeps {
  config: Config;
  db: Db;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  /** Called once the poller exists (it may start late, when the local queue appears). */
  onPoller?: (poller: SqsPoller) => void;
}

export function startIngestion({ config, db, scheduler, clock, logger, onPoller }: IngestionDeps): Ingestion {
  if (!config.sqs.enabled) {
    logger.info('SQS polling disabled (ENABLE_SQS_POLLING=false)');
    return { health: () => ({ enabled: false, degraded: false }), stop: async () => {} };
  }
  if (!config.sqs.queueUrl && !config.sqs.localstack) {
    logger.warn(
      'ENABLE_SQS_POLLING is on but SQS_QUEUE_URL is not set: running on the HTTP API alone ' +
        '(set SQS_QUEUE_URL, or ENABLE_SQS_POLLING=false to silence this)',
    );
    return {
      health: () => ({ enabled: true, queueUrl: null, degraded: false, note: 'SQS_QUEUE_URL is not set' }),
      stop: async () => {},
    };
  }

  const client = createSqsClient(config.sqs);
  const stopping = new AbortController();
  let poller: SqsPoller | undefined;
  let setupError: string | undefined;

  const begin = async () => {
    for (let failures = 1; !stopping.signal.aborted; failures++) {
      try {
        const queueUrl = await resolveQueueUrl(client, config.sqs);
        if (!queueUrl) throw new Error('no queue URL');
        if (stopping.signal.aborted) return;
        poller = new SqsPoller({
          client,
          queueUrl,
          db,
          capacity: schedulerCapacity(scheduler, db, clock),
          waitTimeSeconds: config.sqs.waitTimeSeconds,
          pollingIntervalMs: config.sqs.pollingIntervalMs,
          prefetch: config.sqs.prefetch,
          maxAttempts: config.maxAttempts,
          logger: logger.child({ component: 'sqs' }),
          clock,
        });
        onPoller?.(poller);
        poller.start();
        setupError = undefined;
        logger.info({ queueUrl, waitTimeSeconds: config.sqs.waitTimeSeconds }, 'polling SQS');
        return;
      } catch (error) {
        setupError = (error as Error).message;
        const delay = fullJitterDelayMs(failures, { baseMs: 1000, maxMs: 30_000 });
        if (failures === 1) {
          logger.error(
            { err: error, endpoint: config.sqs.localstackEndpoint, retryInMs: delay },
            'cannot create the local SQS queue (is LocalStack or `npm run sqs:local` running?); retrying',
          );
        }
        await sleep(delay, undefined, { signal: stopping.signal }).catch(() => {});
      }
    }
  };
  const started = begin();

  return {
    health: () =>
      poller
        ? { ...poller.status() }
        : {
            enabled: true,
            queueUrl: null,
            degraded: true,
            note: `waiting for the local queue: ${setupError ?? 'starting'}`,
          },
    async stop() {
      stopping.abort();
      await started;
      await poller?.stop();
      client.destroy();
    },
  };
}

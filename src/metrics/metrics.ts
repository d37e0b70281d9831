/**
 * The server's Prometheus metrics. One registry per server (tests start many), default Node
 * metrics included (CPU, memory, event-loop lag). Counters are fed by the scheduler's and the
 * poller's events (see observe.ts); job counts per status are read from the database when
 * scraped (an O(1) counter-table read).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../db/connection.js';
import { countByStatus } from '../jobs/store/index.js';

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(db: Db) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });

  const metrics = {
    registry,
    jobsByStatus: new Gauge({
      name: 'jobs',
      help: 'Jobs in the database, per status',
      labelNames: ['status'] as const,
      registers: [registry],
      async collect() {
        const counts = await countByStatus(db);
        for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
      },
    }),
    jobDuration: new Histogram({
      name: 'job_attempt_duration_seconds',
      help: 'Duration of job attempts, by type and resulting status',
      labelNames: ['type', 'status'] as const,
      // Downloads range from a second to an hour.
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers: [registry],
    }),
    attempts: new Counter({
      name: 'job_attempts_total',
      help: 'Ended job attempts, by resulting status (queued = will retry)',
      labelNames: ['type', 'status'] as const,
      registers: [registry],
    }),
    retries: new Counter({
      name: 'job_retries_total',
      help: 'Failed attempts that were scheduled to run again',
      registers: [registry],
    }),
    bytesDownloaded: new Counter({
      name: 'downloaded_bytes_total',
      help: 'Bytes of successfully downloaded files',
      registers: [registry],
    }),
    leaseLosses: new Counter({
      name: 'job_lease_losses_total',
      help: 'Attempts whose lease was lost before they finished (their outcome was discarded)',
      registers: [registry],
    }),
    recoveries: new Counter({
      name: 'job_recoveries_total',
      help: 'Jobs requeued after a crash, restart or expired lease',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    sqsReceived: new Counter({
      name: 'sqs_messages_received_total',
      help: 'Messages received from SQS',
      registers: [registry],
    }),
    sqsIngested: new Counter({
      name: 'sqs_messages_ingested_total',
      help: 'Received messages by what they became: ingested (new job), rejected (invalid), deduplicated',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    sqsDeleted: new Counter({
      name: 'sqs_messages_deleted_total',
      help: 'Messages deleted from SQS after their row was committed',
      registers: [registry],
    }),
    sqsDeleteFailures: new Counter({
      name: 'sqs_delete_failures_total',
      help: 'Committed messages that could not be deleted (SQS will redeliver them; they are deduplicated)',
      registers: [registry],
    }),
    sqsErrors: new Counter({
      name: 'sqs_receive_errors_total',
      help: 'Failed SQS receives, by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request durations, by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
  };
  return metrics;
}

/** Feeds the metrics from the scheduler's and the poller's events. */
import type { Scheduler } from '../jobs/scheduler.js';
import type { SqsPoller } from '../sqs/poller.js';
import type { Metrics } from './metrics.js';

export function observeScheduler(scheduler: Scheduler, metrics: Metrics): void {
  scheduler.on('settled', ({ job, result, durationMs, output }) => {
    if (!result.applied || result.status === null) return;
    metrics.jobDuration.observe({ type: job.type, status: result.status }, durationMs / 1000);
    metrics.attempts.inc({ type: job.type, status: result.status });
    if (result.kind === 'failed' && result.status === 'queued') metrics.retries.inc();
    const bytes = output?.bytes;
    if (result.status === 'succeeded' && typeof bytes === 'number') metrics.bytesDownloaded.inc(bytes);
  });
  scheduler.on('leaseLost', () => metrics.leaseLosses.inc());
  scheduler.on('recovered', (jobs, reason) => metrics.recoveries.inc({ reason }, jobs.length));
}

export function observePoller(poller: SqsPoller, metrics: Metrics): void {
  poller.on('received', (count) => metrics.sqsReceived.inc(count));
  poller.on('ingested', (report) => {
    metrics.sqsIngested.inc({ outcome: 'ingested' }, report.ingested);
    metrics.sqsIngested.inc({ outcome: 'rejected' }, report.rejected);
    metrics.sqsIngested.inc({ outcome: 'deduplicated' }, report.deduplicated);
    metrics.sqsDeleted.inc(report.deleted);
    metrics.sqsDeleteFailures.inc(report.deleteFailed);
  });
  poller.on('pollError', (kind) => metrics.sqsErrors.inc({ kind }));
}

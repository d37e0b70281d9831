/**
 * Shutdown's wait for running attempts: they may finish within the grace; what still runs near
 * its end is aborted (and so released to `queued` by the scheduler), and a handler that ignores
 * its abort is abandoned at the deadline, so a stop never waits past the grace.
 */
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { abortFor } from './abort-reasons.js';
import type { TrackedAttempt } from './lease-heartbeat.js';

async function settledOrTimeout(attempts: ReadonlyMap<string, TrackedAttempt>, ms: number): Promise<void> {
  if (attempts.size === 0 || ms <= 0) return;
  const all = Promise.allSettled([...attempts.values()].map((a) => a.attempt.done));
  let timer: NodeJS.Timeout | undefined;
  const timeout = Number.isFinite(ms) ? new Promise((resolve) => (timer = setTimeout(resolve, ms))) : all;
  await Promise.race([all, timeout]);
  clearTimeout(timer);
  // An attempt's `done` resolves a tick before the scheduler removes it from the map.
  await new Promise((resolve) => setImmediate(resolve));
}

export async function drainAttempts(
  attempts: ReadonlyMap<string, TrackedAttempt>,
  graceMs: number,
  clock: Clock,
  logger: Logger,
): Promise<void> {
  const deadline = clock.now() + graceMs;
  // Keep a slice of the grace for aborted handlers to wind down and for the final write.
  const reserve = Math.min(2000, graceMs / 4);
  await settledOrTimeout(attempts, graceMs - reserve);
  if (attempts.size === 0) return;
  logger.warn({ jobs: attempts.size }, 'shutdown grace over: aborting running jobs');
  for (const { attempt } of attempts.values()) attempt.abort(abortFor.shutdown());
  await settledOrTimeout(attempts, Math.max(0, deadline - clock.now()));
  for (const { attempt } of attempts.values()) attempt.abandon();
  await settledOrTimeout(attempts, Number.POSITIVE_INFINITY);
}

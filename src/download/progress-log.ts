/**
 * Progress as the job sees it: every chunk goes to the scheduler (which stores it with the
 * next heartbeat, about once a second), and to the log at most once per `everyMs`, so a
 * gigabyte download writes a handful of lines, not thousands.
 */
import type { Logger } from 'pino';

export type ProgressSink = (bytes: number, totalBytes: number | null) => void;

export function progressLog(
  store: ProgressSink,
  logger: Logger,
  everyMs: number,
  now: () => number = Date.now,
): ProgressSink {
  const started = now();
  let lastLog = started;
  return (bytes, totalBytes) => {
    store(bytes, totalBytes);
    const at = now();
    if (at - lastLog < everyMs) return;
    lastLog = at;
    const percent = totalBytes ? Math.floor((bytes / totalBytes) * 100) : undefined;
    const bytesPerSecond = Math.round((bytes / Math.max(1, at - started)) * 1000);
    logger.info({ bytes, totalBytes, percent, bytesPerSecond }, 'download progress');
  };
}

/**
 * pino transport: ships log lines to CloudWatch Logs from a worker thread (pino.transport), so
 * the event loop never waits on the network. stdout keeps every line whatever happens here.
 *
 * Why not an existing package: `pino-cloudwatch` is built on the AWS SDK v2, which has reached
 * end of support, and is a CLI that stdout is piped into; `@serdnam/pino-cloudwatch-transport`
 * drops a batch when a flush fails and has no timer flush, so a quiet service's last lines sit
 * unsent. This one is small, on `pino-abstract-transport` and the v3 SDK
 * (`@aws-sdk/client-cloudwatch-logs`):
 *
 * - creates the group and the stream when allowed (already there, or not allowed: carry on);
 * - batches by count (10,000), size (1 MiB with 26 bytes per event) and time (every 2 s), in
 *   chronological order, never spanning more than 24 h; truncates events over 256 KiB;
 * - retries a failed batch with exponential backoff and jitter, without losing it;
 * - buffers at most 50,000 events / 16 MiB; drops the oldest beyond that, and says how many on
 *   stdout (one JSON line per flush tick, not per event);
 * - on close (process exit), sends what is left within `closeTimeoutMs` (5 s);
 * - never throws into the process: every failure becomes a line on stdout.
 *
 * Module layout: log-event (pure rules), log-batcher (pure buffer), cloudwatch-api (SDK slice),
 * cloudwatch-shipper (one batch, retries), log-pump (timing and order), this file (pino glue).
 */
import { writeSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Transform } from 'node:stream';
import build from 'pino-abstract-transport';
import { connectLogsApi, type LogsApi } from './cloudwatch-api.js';
import type { CloudWatchTransportOptions } from './cloudwatch-options.js';
import { CloudWatchShipper } from './cloudwatch-shipper.js';
import { LogBatcher } from './log-batcher.js';
import { defaultStreamName } from './log-event.js';
import { type Diagnostic, LogPump } from './log-pump.js';

export type { CloudWatchTransportOptions } from './cloudwatch-options.js';

/** Seams for tests; the worker uses the defaults. */
export interface TransportDeps {
  api?: LogsApi;
  report?: (diagnostic: Diagnostic) => void;
  now?: () => number;
  host?: string;
  random?: () => number;
}

export function createCloudWatchStream(options: CloudWatchTransportOptions, deps: TransportDeps = {}): Transform {
  if (typeof options?.logGroup !== 'string' || options.logGroup === '') {
    throw new TypeError('cloudwatch transport: options.logGroup must be a non-empty string');
  }
  const now = deps.now ?? Date.now;
  const report = deps.report ?? reportOnStdout;
  const logGroup = options.logGroup;
  const logStream = options.logStream || defaultStreamName(deps.host ?? hostname(), new Date(now()));
  const { api, destroy } = deps.api ? { api: deps.api, destroy: () => {} } : connectLogsApi(options);

  const batcher = new LogBatcher({
    now,
    maxBufferedEvents: options.maxBufferedEvents,
    maxBufferedBytes: options.maxBufferedBytes,
  });
  const shipper = new CloudWatchShipper({
    api,
    logGroup,
    logStream,
    random: deps.random,
    onRetry: (notice) => pump.onRetry(notice),
  });
  const pump: LogPump = new LogPump({
    batcher,
    shipper,
    report,
    flushIntervalMs: options.flushIntervalMs,
    closeTimeoutMs: options.closeTimeoutMs,
  });
  pump.start();
  report({ level: 'info', msg: 'shipping logs to cloudwatch', logGroup, logStream });

  return build(
    async (source) => {
      for await (const line of source) pump.write(String(line));
    },
    {
      parse: 'lines',
      metadata: false,
      // The line is shipped as written: no JSON parse here (the batcher reads only `time`).
      parseLine: (line) => line,
      async close() {
        await pump.close();
        destroy();
      },
    },
  );
}

/** pino's transport entry: runs in the worker thread. */
export default async function cloudWatchTransport(options: CloudWatchTransportOptions): Promise<Transform> {
  return createCloudWatchStream(options);
}

/**
 * A JSON line shaped like the app's pino lines (level label, ISO time, pid). Written with
 * writeSync on fd 1: it reaches stdout even while the main thread is blocked in its exit
 * handler waiting for this worker.
 */
export function diagnosticLine(diagnostic: Diagnostic, time: Date): string {
  const { level, msg, ...fields } = diagnostic;
  const line = { level, time: time.toISOString(), pid: process.pid, component: 'cloudwatch-transport' };
  return `${JSON.stringify({ ...line, ...fields, msg })}\n`;
}

function reportOnStdout(diagnostic: Diagnostic): void {
  try {
    writeSync(1, diagnosticLine(diagnostic, new Date()));
  } catch {
    // stdout gone (closed pipe): nothing sensible is left to tell anyone.
  }
}

/**
 * pino: JSON on stdout (what ECS's awslogs driver ships), pretty for development, and also
 * CloudWatch Logs when CLOUDWATCH_LOG_GROUP is set (a transport in a worker thread).
 * Secrets never reach a log line: auth headers and tokens are redacted by path, and URLs are
 * logged through `redactUrl`, which drops query strings (signed URLs carry credentials there).
 */
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { LogLevel } from './config.js';
import type { CloudWatchTransportOptions } from './logging/cloudwatch-options.js';
import { cloudWatchTransportTarget } from './logging/transport-target.js';

export type { Logger } from 'pino';

export interface LoggerSettings {
  level: LogLevel;
  pretty: boolean;
  /** Extra pino transport targets; stdout is always kept. */
  targets?: pino.TransportTargetOptions[];
  /** Also ship every line to CloudWatch Logs (see src/logging/cloudwatch-transport.ts). */
  cloudwatch?: CloudWatchTransportOptions | undefined;
}

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'apiToken',
  'token',
  '*.apiToken',
  '*.token',
  'config.apiToken',
  'awsSecretAccessKey',
  'credentials',
];

/** `https://host/path?X-Amz-Signature=…` → `https://host/path?…`: keeps what helps, drops secrets. */
export function redactUrl(raw: string | null | undefined): string | null {
  if (!raw) return raw ?? null;
  try {
    const url = new URL(raw);
    const hadQuery = url.search !== '';
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return hadQuery ? `${url.href}?…` : url.href;
  } catch {
    return '[unparseable url]';
  }
}

export function loggerOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
}

export function createLogger({ level, pretty, targets = [], cloudwatch }: LoggerSettings): Logger {
  const options = loggerOptions(level);
  if (cloudwatch && !pretty && targets.length === 0) return jsonAndCloudWatch(options, cloudwatch);
  if (!pretty && targets.length === 0) return pino(options);
  const shipping: pino.TransportTargetOptions[] = cloudwatch
    ? [{ target: cloudWatchTransportTarget(), level, options: cloudwatch }]
    : [];
  const stdout: pino.TransportTargetOptions = pretty
    ? {
        target: 'pino-pretty',
        level,
        options: { destination: 1, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
      }
    : { target: 'pino/file', level, options: { destination: 1 } };
  // Custom level formatters are not allowed with multi-target transports.
  const { formatters: _formatters, ...rest } = options;
  return pino({ ...rest }, pino.transport({ targets: [stdout, ...targets, ...shipping] }));
}

/**
 * stdout stays exactly what it is without CloudWatch (the same JSON, written synchronously by
 * this thread), and a copy of each line goes to the transport's worker. A multi-target
 * transport would move stdout into the worker too and lose the level labels (pino forbids a
 * level formatter there). If the worker dies, it is cut off: stdout carries on, one line says so.
 */
function jsonAndCloudWatch(options: LoggerOptions, cloudwatch: CloudWatchTransportOptions): Logger {
  const stdout = pino.destination({ dest: 1, sync: true });
  const shipping = pino.transport({ target: cloudWatchTransportTarget(), options: cloudwatch });
  let failed = false;
  shipping.on('error', (error: unknown) => {
    if (failed) return;
    failed = true;
    const err = error instanceof Error ? { type: error.name, message: error.message } : { message: String(error) };
    const line = { level: 'error', time: new Date().toISOString(), pid: process.pid, err };
    stdout.write(`${JSON.stringify({ ...line, msg: 'cloudwatch log transport failed; logging to stdout only' })}\n`);
  });
  const guarded: DestinationStream = {
    write: (chunk: string) => {
      if (!failed) shipping.write(chunk);
    },
  };
  // Every line reaches both streams; the logger's own level does the filtering.
  return pino(
    options,
    pino.multistream([
      { level: 'trace', stream: stdout },
      { level: 'trace', stream: guarded },
    ]),
  );
}

/** A logger that writes nothing: for tests and tools. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

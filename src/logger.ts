/**
 * pino: JSON on stdout (what ECS's awslogs driver ships), pretty for development.
 * Secrets never reach a log line: auth headers and tokens are redacted by path, and URLs are
 * logged through `redactUrl`, which drops query strings (signed URLs carry credentials there).
 */
import pino, { type Logger, type LoggerOptions } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger } from 'pino';

export interface LoggerSettings {
  level: LogLevel;
  pretty: boolean;
  /** Extra pino transport targets (e.g. CloudWatch); stdout is always kept. */
  targets?: pino.TransportTargetOptions[];
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

export function createLogger({ level, pretty, targets = [] }: LoggerSettings): Logger {
  const options = loggerOptions(level);
  if (!pretty && targets.length === 0) return pino(options);
  const stdout: pino.TransportTargetOptions = pretty
    ? {
        target: 'pino-pretty',
        level,
        options: { destination: 1, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
      }
    : { target: 'pino/file', level, options: { destination: 1 } };
  // Custom level formatters are not allowed with multi-target transports.
  const { formatters: _formatters, ...rest } = options;
  return pino({ ...rest }, pino.transport({ targets: [stdout, ...targets] }));
}

/** A logger that writes nothing: for tests and tools. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

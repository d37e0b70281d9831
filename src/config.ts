/**
 * Environment → typed, validated configuration. Pure: reads only the object it is given.
 *
 * Every problem is collected (not only the first) so an operator fixes a bad deployment in
 * one round; each message names the variable and the form it expects.
 */
import { type EnvReader, envReader } from './config-parsers.js';
import { allowedHostsProblems } from './download/url-policy.js';

export { ConfigError } from './config-parsers.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface SqsConfig {
  enabled: boolean;
  queueUrl: string | undefined;
  waitTimeSeconds: number;
  pollingIntervalMs: number;
  /** Extra messages taken beyond free slots, so a finishing job finds its successor local. */
  prefetch: number;
  localstack: boolean;
  localstackEndpoint: string;
}

export interface DownloadConfig {
  dir: string;
  maxBytes: number | undefined;
  allowPrivateNetworks: boolean;
  allowedHosts: string[];
  connectTimeoutMs: number;
  stallTimeoutMs: number;
}

export interface Config {
  port: number;
  host: string;
  databasePath: string;
  maxConcurrentJobs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  leaseTimeoutMs: number;
  jobTimeoutMs: number;
  shutdownGraceMs: number;
  sqs: SqsConfig;
  download: DownloadConfig;
  apiToken: string | undefined;
  logLevel: LogLevel;
  logPretty: boolean;
  cloudwatch: { logGroup: string | undefined; logStream: string | undefined };
  jobRetentionDays: number;
  failedJobRetentionDays: number;
  downloadRetentionDays: number | undefined;
  diskFreeWarnBytes: number;
  maintenanceCron: string;
  pruneCron: string;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export function loadConfig(env: Record<string, string | undefined>): Config {
  const r: EnvReader = envReader(env);
  const localstack = r.bool('LOCALSTACK', false);

  const config: Config = {
    port: r.int('PORT', 3000, { min: 0, max: 65535 }),
    host: r.string('HOST', '0.0.0.0'),
    databasePath: r.string('DATABASE_PATH', 'data/jobs.db'),
    maxConcurrentJobs: r.int('MAX_CONCURRENT_JOBS', 2, { min: 1, max: 1000 }),
    maxAttempts: r.int('MAX_ATTEMPTS', 5, { min: 1, max: 100 }),
    retryBaseMs: r.int('RETRY_BASE_MS', 30 * SECOND, { min: 0 }),
    retryMaxMs: r.int('RETRY_MAX_MS', HOUR, { min: 0 }),
    // A lease shorter than a second would need heartbeats faster than the event loop can promise.
    leaseTimeoutMs: r.int('LEASE_TIMEOUT_MS', 30 * SECOND, { min: SECOND }),
    jobTimeoutMs: r.int('JOB_TIMEOUT_MS', HOUR, { min: 1 }),
    shutdownGraceMs: r.int('SHUTDOWN_GRACE_MS', 25 * SECOND, { min: 0 }),
    sqs: {
      // The seed's rule: polling is on unless ENABLE_SQS_POLLING is exactly "false".
      enabled: r.bool('ENABLE_SQS_POLLING', true),
      queueUrl: r.optionalUrl('SQS_QUEUE_URL'),
      // SQS accepts 0..20 for WaitTimeSeconds.
      waitTimeSeconds: r.int('SQS_WAIT_TIME_SECONDS', 20, { min: 0, max: 20 }),
      pollingIntervalMs: r.int('POLLING_INTERVAL_MS', 30 * SECOND, { min: 0 }),
      prefetch: r.int('SQS_PREFETCH', 0, { min: 0, max: 10 }),
      localstack,
      localstackEndpoint: r.string('LOCALSTACK_ENDPOINT', 'http://localhost:4566'),
    },
    download: {
      dir: r.string('DOWNLOAD_DIR', 'data/downloads'),
      maxBytes: r.optionalBytes('MAX_DOWNLOAD_BYTES'),
      // Local development (LOCALSTACK=true) downloads from a media server on this machine.
      allowPrivateNetworks: r.bool('DOWNLOAD_ALLOW_PRIVATE_NETWORKS', localstack),
      allowedHosts: r.list('DOWNLOAD_ALLOWED_HOSTS'),
      connectTimeoutMs: r.int('DOWNLOAD_CONNECT_TIMEOUT_MS', 10 * SECOND, { min: 1 }),
      stallTimeoutMs: r.int('DOWNLOAD_STALL_TIMEOUT_MS', 30 * SECOND, { min: 1 }),
    },
    apiToken: r.optionalString('API_TOKEN'),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    logPretty: r.bool('LOG_PRETTY', false),
    cloudwatch: {
      logGroup: r.optionalString('CLOUDWATCH_LOG_GROUP'),
      logStream: r.optionalString('CLOUDWATCH_LOG_STREAM'),
    },
    jobRetentionDays: r.int('JOB_RETENTION_DAYS', 30, { min: 1 }),
    failedJobRetentionDays: r.int('FAILED_JOB_RETENTION_DAYS', 90, { min: 1 }),
    downloadRetentionDays: r.optionalInt('DOWNLOAD_RETENTION_DAYS', { min: 1 }),
    diskFreeWarnBytes: r.bytes('DISK_FREE_WARN_BYTES', 1024 ** 3),
    maintenanceCron: r.cron('MAINTENANCE_CRON', '*/10 * * * *'),
    pruneCron: r.cron('PRUNE_CRON', '23 * * * *'),
  };
  if (config.failedJobRetentionDays < config.jobRetentionDays) {
    r.problem(
      'FAILED_JOB_RETENTION_DAYS',
      `must be at least JOB_RETENTION_DAYS (${config.jobRetentionDays}): failed jobs are kept longer`,
    );
  }

  if (config.retryMaxMs < config.retryBaseMs) {
    r.problem('RETRY_MAX_MS', `must be at least RETRY_BASE_MS (${config.retryBaseMs})`);
  }
  for (const problem of allowedHostsProblems(config.download.allowedHosts))
    r.problem('DOWNLOAD_ALLOWED_HOSTS', problem);
  if (config.apiToken !== undefined && config.apiToken.length < 16) {
    r.problem('API_TOKEN', 'must be at least 16 characters');
  }
  r.finish();
  return config;
}

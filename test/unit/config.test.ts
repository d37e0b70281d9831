import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config.js';
import { parseByteSize } from '../../src/config-parsers.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('config', () => {
  it('has the documented defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config).to.deep.include({
      port: 3000,
      host: '0.0.0.0',
      databasePath: 'data/jobs.db',
      maxConcurrentJobs: 2,
      maxAttempts: 5,
      retryBaseMs: 30_000,
      retryMaxMs: 3_600_000,
      leaseTimeoutMs: 30_000,
      jobTimeoutMs: 3_600_000,
      shutdownGraceMs: 25_000,
      logLevel: 'info',
      jobRetentionDays: 30,
      apiToken: undefined,
    });
    expect(config.sqs).to.deep.include({
      enabled: true,
      queueUrl: undefined,
      waitTimeSeconds: 20,
      pollingIntervalMs: 30_000,
      localstack: false,
    });
    expect(config.download).to.deep.include({
      dir: 'data/downloads',
      allowPrivateNetworks: false,
      maxBytes: undefined,
    });
  });

  it('reads valid values, including sizes with units and lists', () => {
    const config = loadConfig({
      MAX_CONCURRENT_JOBS: '8',
      ENABLE_SQS_POLLING: 'false',
      SQS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/video-pipeline-jobs',
      MAX_DOWNLOAD_BYTES: '2GiB',
      DOWNLOAD_ALLOWED_HOSTS: 'media.example, CDN.example.org',
      LOG_LEVEL: 'debug',
    });
    expect(config.maxConcurrentJobs).to.equal(8);
    expect(config.sqs.enabled).to.equal(false);
    expect(config.download.maxBytes).to.equal(2 * 1024 ** 3);
    expect(config.download.allowedHosts).to.deep.equal(['media.example', 'cdn.example.org']);
    expect(config.logLevel).to.equal('debug');
  });

  const cases: Array<[Record<string, string>, string]> = [
    [{ PORT: 'http' }, 'PORT: expected an integer from 0 to 65535, got "http"'],
    [{ PORT: '70000' }, 'PORT: expected an integer from 0 to 65535'],
    [{ MAX_CONCURRENT_JOBS: '0' }, 'MAX_CONCURRENT_JOBS: expected an integer from 1 to 1000'],
    [{ MAX_CONCURRENT_JOBS: '2.5' }, 'MAX_CONCURRENT_JOBS: expected an integer'],
    [{ POLLING_INTERVAL_MS: '-1' }, 'POLLING_INTERVAL_MS: expected an integer ≥ 0'],
    [{ SQS_WAIT_TIME_SECONDS: '21' }, 'SQS_WAIT_TIME_SECONDS: expected an integer from 0 to 20'],
    [{ ENABLE_SQS_POLLING: 'maybe' }, 'ENABLE_SQS_POLLING: expected true or false, got "maybe"'],
    [{ LOCALSTACK: 'yes please' }, 'LOCALSTACK: expected true or false'],
    [{ SQS_QUEUE_URL: 'video-pipeline-jobs' }, 'SQS_QUEUE_URL: expected an http(s) URL'],
    [{ MAX_DOWNLOAD_BYTES: 'lots' }, 'MAX_DOWNLOAD_BYTES: expected a positive size in bytes'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent'],
    [{ LEASE_TIMEOUT_MS: '10' }, 'LEASE_TIMEOUT_MS: expected an integer ≥ 1000'],
    [{ RETRY_BASE_MS: '5000', RETRY_MAX_MS: '1000' }, 'RETRY_MAX_MS: must be at least RETRY_BASE_MS (5000)'],
    [{ API_TOKEN: 'short' }, 'API_TOKEN: must be at least 16 characters'],
    [{ DOWNLOAD_ALLOWED_HOSTS: 'media.example, http://cdn/x' }, 'DOWNLOAD_ALLOWED_HOSTS: "http://cdn/x" is neither'],
    [{ MAINTENANCE_CRON: 'every hour' }, 'MAINTENANCE_CRON: expected a cron expression'],
    [{ PRUNE_CRON: '61 * * * *' }, 'PRUNE_CRON: expected a cron expression'],
    [
      { JOB_RETENTION_DAYS: '60', FAILED_JOB_RETENTION_DAYS: '30' },
      'FAILED_JOB_RETENTION_DAYS: must be at least JOB_RETENTION_DAYS (60)',
    ],
    [{ DISK_FREE_WARN_BYTES: '-5' }, 'DISK_FREE_WARN_BYTES: expected a positive size'],
  ];
  for (const [env, expected] of cases) {
    it(`rejects ${JSON.stringify(env)} naming the variable`, () => {
      const problems = problemsOf(env);
      expect(problems).to.have.length(1);
      expect(problems[0]).to.contain(expected);
    });
  }

  it('reports every bad variable at once', () => {
    expect(problemsOf({ PORT: 'x', MAX_ATTEMPTS: '0', LOG_LEVEL: 'x' })).to.have.length(3);
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ PORT: '', SQS_QUEUE_URL: '' }).port).to.equal(3000);
  });

  it('parses byte sizes', () => {
    expect(parseByteSize('1048576')).to.equal(1_048_576);
    expect(parseByteSize('1.5k')).to.equal(1536);
    expect(parseByteSize('10MB')).to.equal(10_000_000);
    expect(parseByteSize('ten')).to.equal(undefined);
    expect(parseByteSize('5 parsecs')).to.equal(undefined);
  });
});

import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { loadConfig } from '../../../src/config.js';
import { cloudWatchOptionsFromConfig } from '../../../src/logging/cloudwatch-options.js';
import { diagnosticLine } from '../../../src/logging/cloudwatch-transport.js';
import { cloudWatchTransportTarget } from '../../../src/logging/transport-target.js';

describe('cloudwatch transport settings', () => {
  it('is off without CLOUDWATCH_LOG_GROUP', () => {
    expect(cloudWatchOptionsFromConfig(loadConfig({}), {})).to.equal(undefined);
  });

  it('passes group and stream, and leaves region, endpoint and keys to the SDK', () => {
    const env = { CLOUDWATCH_LOG_GROUP: '/video/jobs', CLOUDWATCH_LOG_STREAM: 'node-a' };
    expect(cloudWatchOptionsFromConfig(loadConfig(env), env)).to.deep.equal({
      logGroup: '/video/jobs',
      logStream: 'node-a',
    });
  });

  it('with LOCALSTACK=true, points at LocalStack with its test keys', () => {
    const env = { CLOUDWATCH_LOG_GROUP: 'g', LOCALSTACK: 'true', LOCALSTACK_ENDPOINT: 'http://localstack:4566' };
    expect(cloudWatchOptionsFromConfig(loadConfig(env), env)).to.deep.equal({
      logGroup: 'g',
      logStream: undefined,
      region: 'us-east-1',
      endpoint: 'http://localstack:4566',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });

  it('with LOCALSTACK=true, keeps the region from AWS_REGION', () => {
    const env = { CLOUDWATCH_LOG_GROUP: 'g', LOCALSTACK: 'true', AWS_REGION: 'eu-west-1' };
    expect(cloudWatchOptionsFromConfig(loadConfig(env), env)).to.include({
      region: 'eu-west-1',
      endpoint: 'http://localhost:4566',
    });
  });

  it('resolves a transport file that exists (the tsx shim when running from source)', () => {
    const target = cloudWatchTransportTarget();
    expect(existsSync(target)).to.equal(true);
    expect(target).to.match(/cloudwatch-transport\.(js|dev\.cjs)$/);
  });

  it('writes its own reports as pino-like JSON lines', () => {
    const line = diagnosticLine({ level: 'warn', msg: 'dropped', dropped: 3 }, new Date('2024-05-01T00:00:00.000Z'));
    expect(line.endsWith('\n')).to.equal(true);
    expect(JSON.parse(line)).to.deep.equal({
      level: 'warn',
      time: '2024-05-01T00:00:00.000Z',
      pid: process.pid,
      component: 'cloudwatch-transport',
      dropped: 3,
      msg: 'dropped',
    });
  });
});

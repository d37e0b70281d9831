/**
 * End to end: a real pino logger, the transport in its worker thread (loaded the way
 * createLogger loads it), the SDK finding the stand-in through AWS_ENDPOINT_URL_CLOUDWATCH_LOGS.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import pino from 'pino';
import { loggerOptions } from '../../../src/logger.js';
import { cloudWatchTransportTarget } from '../../../src/logging/transport-target.js';
import { CloudWatchStandIn } from '../../helpers/cloudwatch-stand-in.js';
import { waitFor } from '../../helpers/wait.js';

const AWS_VARIABLES = ['AWS_ENDPOINT_URL_CLOUDWATCH_LOGS', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

describe('cloudwatch transport in a pino worker thread', () => {
  let standIn: CloudWatchStandIn;
  let saved: Record<string, string | undefined>;

  function awsEnv(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: standIn.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    };
  }

  beforeEach(async () => {
    standIn = await CloudWatchStandIn.start();
    saved = Object.fromEntries(AWS_VARIABLES.map((name) => [name, process.env[name]]));
  });

  afterEach(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await standIn.stop();
  });

  it('ships a logger’s lines from its worker, with the endpoint from the environment', async () => {
    // A worker copies the environment when it starts: set it first.
    Object.assign(process.env, awsEnv());
    const transport = pino.transport({
      target: cloudWatchTransportTarget(),
      options: { logGroup: 'app', logStream: 'worker', flushIntervalMs: 100 },
    });
    const logger = pino(loggerOptions('info'), transport);
    logger.info({ jobId: 'clip-1' }, 'first');
    logger.debug('below the level');
    logger.warn('second');

    await waitFor(() => standIn.messages().length >= 2, { message: 'two lines in CloudWatch' });
    const shipped = standIn.messages().map((m) => JSON.parse(m) as Record<string, unknown>);
    expect(shipped.map((m) => [m.level, m.msg])).to.deep.equal([
      ['info', 'first'],
      ['warn', 'second'],
    ]);
    expect(shipped[0]).to.include({ jobId: 'clip-1' });
    expect([...standIn.streams]).to.deep.equal(['app/worker']);

    // end() blocks this thread until the worker has closed. With nothing left to send it needs
    // no answer from the stand-in, which runs on this very thread; shipping at close is proven
    // by the next test, where the logger lives in another process.
    const closed = once(transport, 'close');
    transport.end();
    await closed;
    expect(standIn.messages()).to.have.length(2);
  });

  it('createLogger keeps stdout and flushes CloudWatch when the process exits right after logging', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/log-then-exit.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, '25'], {
      env: { ...process.env, ...awsEnv() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).to.equal(0);

    const shipped = standIn.messages().map((m) => JSON.parse(m) as Record<string, unknown>);
    expect(shipped.map((m) => m.i)).to.deep.equal(Array.from({ length: 25 }, (_, i) => i));
    expect(shipped[0]).to.include({ level: 'info', msg: 'child line' });

    const printed = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(printed.filter((l) => l.msg === 'child line')).to.have.length(25);
    // The worker's own report reaches stdout as a pino-like JSON line.
    expect(printed).to.deep.include.members([
      {
        ...printed.find((l) => l.component === 'cloudwatch-transport'),
        level: 'info',
        msg: 'shipping logs to cloudwatch',
        logGroup: 'app',
        logStream: 'child',
      },
    ]);
  });
});

/**
 * The transport's stream in this thread, through the real AWS SDK, against a loopback
 * stand-in for CloudWatch Logs. (The worker-thread path is in cloudwatch-worker.test.ts.)
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Transform } from 'node:stream';
import { expect } from 'chai';
import type { CloudWatchTransportOptions } from '../../../src/logging/cloudwatch-options.js';
import { createCloudWatchStream } from '../../../src/logging/cloudwatch-transport.js';
import type { Diagnostic } from '../../../src/logging/log-pump.js';
import { CloudWatchStandIn, type RequestRecord } from '../../helpers/cloudwatch-stand-in.js';
import { nextEvent, waitFor } from '../../helpers/wait.js';

const T0 = Date.parse('2024-05-01T00:00:00.000Z');

function line(n: number, pad = ''): string {
  return JSON.stringify({ level: 'info', time: new Date(T0 + n).toISOString(), n, msg: `line ${n}${pad}` });
}

function range(from: number, count: number, pad = ''): string[] {
  return Array.from({ length: count }, (_, i) => line(from + i, pad));
}

async function endAndWait(stream: Transform): Promise<void> {
  const closed = once(stream, 'close');
  stream.end();
  await closed;
}

describe('cloudwatch transport (in-process, real SDK, stand-in CloudWatch)', () => {
  let standIn: CloudWatchStandIn;
  let reports: Diagnostic[];

  beforeEach(async () => {
    standIn = await CloudWatchStandIn.start();
    reports = [];
  });

  afterEach(async () => {
    await standIn.stop();
  });

  function open(options: Partial<CloudWatchTransportOptions> = {}): Transform {
    return createCloudWatchStream(
      {
        logGroup: 'app',
        logStream: 'host-1',
        region: 'us-east-1',
        endpoint: standIn.url,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        flushIntervalMs: 60_000,
        ...options,
      },
      { report: (diagnostic) => reports.push(diagnostic), random: () => 0 },
    );
  }

  function write(stream: Transform, lines: string[]): void {
    for (const l of lines) stream.write(`${l}\n`);
  }

  it('creates the group and the stream, and sends what is left when it closes', async () => {
    const stream = open();
    write(stream, range(0, 3));
    await endAndWait(stream);
    expect([...standIn.groups]).to.deep.equal(['app']);
    expect([...standIn.streams]).to.deep.equal(['app/host-1']);
    expect(standIn.messages()).to.deep.equal(range(0, 3));
    expect(standIn.puts[0]?.logEvents[0]?.timestamp).to.equal(T0);
    expect(standIn.violations).to.deep.equal([]);
  });

  it('sends 10,000 events in one batch as soon as they are there, the rest at close', async () => {
    const stream = open();
    write(stream, range(0, 10_050));
    await waitFor(() => standIn.puts.length >= 1, { message: 'the first full batch' });
    expect(standIn.puts[0]?.logEvents).to.have.length(10_000);
    await endAndWait(stream);
    expect(standIn.puts.map((put) => put.logEvents.length)).to.deep.equal([10_000, 50]);
    expect(standIn.messages()).to.deep.equal(range(0, 10_050));
    expect(standIn.violations).to.deep.equal([]);
  });

  it('cuts batches at 1 MiB, counting 26 bytes per event', async () => {
    const stream = open();
    const pad = 'x'.repeat(200 * 1024);
    write(stream, range(0, 12, pad));
    await endAndWait(stream);
    // Five ~200 KiB events fit in 1 MiB, a sixth would not.
    expect(standIn.puts.map((put) => put.logEvents.length)).to.deep.equal([5, 5, 2]);
    expect(standIn.messages()).to.deep.equal(range(0, 12, pad));
    expect(standIn.violations).to.deep.equal([]);
  });

  it('sends on its timer while the stream stays open', async () => {
    const stream = open({ flushIntervalMs: 100 });
    write(stream, range(0, 2));
    await waitFor(() => standIn.messages().length === 2, { message: 'a timed flush' });
    expect(standIn.messages()).to.deep.equal(range(0, 2));
    await endAndWait(stream);
  });

  it('retries after a 500 and delivers every line exactly once', async () => {
    standIn.failNext('PutLogEvents', 2, 500, 'InternalFailure');
    const stream = open();
    write(stream, range(0, 5));
    await endAndWait(stream);
    const puts = standIn.requests.filter((r) => r.action === 'PutLogEvents').map((r) => r.status);
    expect(puts).to.deep.equal([500, 500, 200]);
    expect(standIn.messages()).to.deep.equal(range(0, 5));
    expect(reports.filter((r) => r.msg === 'cloudwatch log shipping failed; retrying the batch')).to.have.length(2);
    expect(reports.some((r) => r.msg === 'cloudwatch log shipping recovered')).to.equal(true);
  });

  it('puts anyway when it may not create the group or stream', async () => {
    standIn.denyCreate = true;
    standIn.groups.add('app');
    standIn.streams.add('app/host-1');
    const stream = open();
    write(stream, range(0, 2));
    await endAndWait(stream);
    expect(standIn.messages()).to.deep.equal(range(0, 2));
    const warnings = reports.filter((r) => r.level === 'warn').map((r) => r.msg);
    expect(warnings).to.include('cannot create the cloudwatch log group; sending anyway');
    expect(warnings).to.include('cannot create the cloudwatch log stream; sending anyway');
  });

  it('recreates a stream deleted while it runs', async () => {
    const stream = open({ flushIntervalMs: 100 });
    write(stream, range(0, 1));
    await waitFor(() => standIn.puts.length === 1, { message: 'the first put' });
    standIn.streams.clear();
    write(stream, range(1, 1));
    await endAndWait(stream);
    expect(standIn.messages()).to.deep.equal(range(0, 2));
    expect(standIn.requests.some((r) => r.errorType === 'ResourceNotFoundException')).to.equal(true);
  });

  it('bounds its buffer during an outage, counts the drops and reports them on stdout', async () => {
    standIn.failNext('PutLogEvents', 1_000_000, 503);
    const stream = open({ flushIntervalMs: 100, maxBufferedEvents: 10 });
    const firstFailure = nextEvent<[RequestRecord]>(standIn, 'request', {
      filter: (r) => r.action === 'PutLogEvents' && r.status === 503,
    });
    write(stream, range(0, 1));
    await firstFailure; // line 0 is now the batch being retried
    write(stream, range(1, 50));
    await waitFor(() => reports.some((r) => typeof r.dropped === 'number' && r.dropped > 0), {
      message: 'a drop report',
    });
    standIn.clearFailures();
    await endAndWait(stream);
    const dropped = reports.reduce((sum, r) => sum + (typeof r.dropped === 'number' ? r.dropped : 0), 0);
    expect(dropped).to.equal(40);
    // The retried batch survives the outage; of the rest, the newest ten were kept.
    expect(standIn.messages()).to.deep.equal([...range(0, 1), ...range(41, 10)]);
  });

  it('truncates a line over 256 KiB instead of failing the batch', async () => {
    const stream = open();
    const huge = line(0, 'y'.repeat(300 * 1024));
    write(stream, [huge, line(1)]);
    await endAndWait(stream);
    const [first, second] = standIn.messages();
    expect(Buffer.byteLength(first ?? '') + 26).to.equal(262_144);
    expect(first?.endsWith('…[truncated]')).to.equal(true);
    expect(second).to.equal(line(1));
    expect(standIn.violations).to.deep.equal([]);
  });

  it('closes within closeTimeoutMs when CloudWatch hangs, and reports what it could not send', async () => {
    standIn.hangPuts = true;
    const stream = open({ closeTimeoutMs: 300 });
    write(stream, range(0, 4));
    const started = Date.now();
    await endAndWait(stream);
    expect(Date.now() - started).to.be.below(3_000);
    expect(reports.at(-1)).to.deep.include({ level: 'error', unsent: 4 });
  });

  it('survives an endpoint where nothing listens', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const stream = open({ endpoint: `http://127.0.0.1:${closedPort}`, closeTimeoutMs: 500 });
    write(stream, range(0, 3));
    await endAndWait(stream);
    const retry = reports.find((r) => r.msg === 'cloudwatch log shipping failed; retrying the batch');
    expect(retry?.err)
      .to.have.property('message')
      .that.matches(/ECONNREFUSED/);
    expect(reports.at(-1)).to.deep.include({ level: 'error', unsent: 3 });
  });
});

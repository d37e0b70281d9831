import { expect } from 'chai';
import sinon from 'sinon';
import type { PutOutcome } from '../../../src/logging/cloudwatch-shipper.js';
import { LogBatcher, type LogBatcherOptions } from '../../../src/logging/log-batcher.js';
import type { LogEvent } from '../../../src/logging/log-event.js';
import { type Diagnostic, LogPump } from '../../../src/logging/log-pump.js';

/** A shipper that records batches; `hold` makes puts wait until released (or aborted). */
class FakeShipper {
  batches: LogEvent[][] = [];
  inFlight = 0;
  maxInFlight = 0;
  hold = false;
  next: PutOutcome['status'] = 'sent';
  #release: Array<() => void> = [];

  ensureStream = sinon.stub().resolves({ group: 'created', stream: 'created' });

  put = async (batch: LogEvent[], signal: AbortSignal): Promise<PutOutcome> => {
    this.batches.push(batch);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.hold) {
        const released = await new Promise<boolean>((resolve) => {
          this.#release.push(() => resolve(true));
          signal.addEventListener('abort', () => resolve(false), { once: true });
        });
        if (!released) return { status: 'aborted', attempts: 1 };
      }
      if (this.next === 'failed') return { status: 'failed', attempts: 1, error: new Error('bad batch') };
      return { status: 'sent', attempts: 1 };
    } finally {
      this.inFlight -= 1;
    }
  };

  releaseAll(): void {
    this.hold = false;
    for (const release of this.#release.splice(0)) release();
  }

  messages(): string[] {
    return this.batches.flat().map((event) => event.message);
  }
}

function lines(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `{"time":${1_700_000_000_000 + from + i},"n":${from + i}}`);
}

describe('log pump', () => {
  let clock: sinon.SinonFakeTimers;
  let shipper: FakeShipper;
  let reports: Diagnostic[];

  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    shipper = new FakeShipper();
    reports = [];
  });

  afterEach(() => clock.restore());

  function pump(batcher: LogBatcherOptions = {}, options: { closeTimeoutMs?: number } = {}): LogPump {
    const created = new LogPump({
      batcher: new LogBatcher(batcher),
      shipper,
      report: (diagnostic) => reports.push(diagnostic),
      ...options,
    });
    created.start();
    return created;
  }

  it('sends buffered lines every 2 s, not before', async () => {
    const p = pump();
    for (const line of lines(0, 3)) p.write(line);
    await clock.tickAsync(1_999);
    expect(shipper.batches).to.have.length(0);
    await clock.tickAsync(1);
    expect(shipper.batches).to.have.length(1);
    expect(shipper.messages()).to.deep.equal(lines(0, 3));

    for (const line of lines(3, 2)) p.write(line);
    await clock.tickAsync(2_000);
    expect(shipper.messages()).to.deep.equal(lines(0, 5));
    await p.close();
  });

  it('sends a full batch at once and leaves the remainder for the timer', async () => {
    const p = pump({ maxBatchEvents: 10 });
    for (const line of lines(0, 25)) p.write(line);
    await clock.tickAsync(0);
    expect(shipper.batches.map((b) => b.length)).to.deep.equal([10, 10]);
    await clock.tickAsync(2_000);
    expect(shipper.batches.map((b) => b.length)).to.deep.equal([10, 10, 5]);
    expect(shipper.messages()).to.deep.equal(lines(0, 25));
    await p.close();
  });

  it('keeps one put in flight and the batches in order while CloudWatch is slow', async () => {
    const p = pump({ maxBatchEvents: 4 });
    shipper.hold = true;
    for (const line of lines(0, 4)) p.write(line);
    await clock.tickAsync(0);
    for (const line of lines(4, 8)) p.write(line);
    await clock.tickAsync(2_000);
    expect(shipper.batches).to.have.length(1);
    shipper.releaseAll();
    await clock.tickAsync(0);
    expect(shipper.maxInFlight).to.equal(1);
    expect(shipper.messages()).to.deep.equal(lines(0, 12));
    await p.close();
  });

  it('reports dropped events on stdout once per tick, with their count', async () => {
    const p = pump({ maxBufferedEvents: 5 });
    shipper.hold = true;
    p.write(lines(0, 1)[0] ?? '');
    await clock.tickAsync(2_000); // the first put now hangs, holding line 0
    for (const line of lines(1, 20)) p.write(line);
    expect(reports.filter((r) => r.dropped)).to.have.length(0);
    await clock.tickAsync(2_000);
    const dropReports = reports.filter((r) => typeof r.dropped === 'number');
    expect(dropReports).to.have.length(1);
    expect(dropReports[0]).to.deep.include({ level: 'warn', dropped: 15, buffered: 5 });
    await clock.tickAsync(4_000);
    expect(reports.filter((r) => typeof r.dropped === 'number')).to.have.length(1);

    shipper.releaseAll();
    await clock.tickAsync(2_000);
    // Line 0 was in flight and survives; of 1..20 only the newest five were kept.
    expect(shipper.messages()).to.deep.equal([...lines(0, 1), ...lines(16, 5)]);
    await p.close();
  });

  it('reports failures at the 1st, 2nd, 4th and 8th attempt, then the recovery', async () => {
    const p = pump();
    for (let attempt = 1; attempt <= 9; attempt += 1) p.onRetry({ attempt, delayMs: 10, error: new Error('down') });
    expect(reports.map((r) => r.attempt)).to.deep.equal([1, 2, 4, 8]);
    p.write(lines(0, 1)[0] ?? '');
    await clock.tickAsync(2_000);
    expect(reports.at(-1)).to.deep.include({ level: 'info', msg: 'cloudwatch log shipping recovered' });
    await p.close();
  });

  it('reports a batch CloudWatch refused, with its size', async () => {
    const p = pump();
    shipper.next = 'failed';
    for (const line of lines(0, 3)) p.write(line);
    await clock.tickAsync(2_000);
    expect(reports).to.deep.include.members([
      {
        level: 'error',
        msg: 'cloudwatch refused a log batch; it is dropped',
        events: 3,
        err: { name: 'Error', message: 'bad batch' },
      },
    ]);
    await p.close();
  });

  it('sends everything left on close, in full batches, and stops its timer', async () => {
    const p = pump({ maxBatchEvents: 10 });
    for (const line of lines(0, 9)) p.write(line);
    await p.close();
    expect(shipper.messages()).to.deep.equal(lines(0, 9));
    expect(reports.filter((r) => r.level === 'error')).to.deep.equal([]);
    expect(clock.countTimers()).to.equal(0);
  });

  it('gives close at most closeTimeoutMs when CloudWatch hangs, and reports what was not sent', async () => {
    const p = pump({ maxBatchEvents: 5 }, { closeTimeoutMs: 5_000 });
    shipper.hold = true;
    for (const line of lines(0, 12)) p.write(line);
    let closed = false;
    const closing = p.close().then(() => {
      closed = true;
    });
    await clock.tickAsync(4_999);
    expect(closed).to.equal(false);
    await clock.tickAsync(1);
    await closing;
    expect(shipper.batches).to.have.length(1);
    expect(reports.at(-1)).to.deep.include({ level: 'error', unsent: 12, dropped: 0 });
  });
});

import { expect } from 'chai';
import { LogBatcher } from '../../../src/logging/log-batcher.js';
import { CLOUDWATCH_LIMITS, type LogEvent } from '../../../src/logging/log-event.js';

const T0 = Date.parse('2024-05-01T00:00:00.000Z');
const HOUR = 60 * 60 * 1000;

function line(n: number, time = T0 + n, pad = ''): string {
  return JSON.stringify({ level: 'info', time: new Date(time).toISOString(), n, msg: `line ${n}${pad}` });
}

function numbers(batch: LogEvent[]): number[] {
  return batch.map((event) => (JSON.parse(event.message) as { n: number }).n);
}

function sumBytes(batch: LogEvent[]): number {
  return batch.reduce((sum, event) => sum + Buffer.byteLength(event.message) + 26, 0);
}

describe('log batcher', () => {
  it('cuts batches at 10,000 events', () => {
    const batcher = new LogBatcher({ maxBufferedEvents: 20_000 });
    for (let n = 0; n < 10_001; n += 1) batcher.add(line(n));
    expect(batcher.hasFullBatch()).to.equal(true);
    const first = batcher.take();
    expect(first).to.have.length(CLOUDWATCH_LIMITS.maxBatchEvents);
    expect(numbers(first).slice(0, 3)).to.deep.equal([0, 1, 2]);
    expect(batcher.hasFullBatch()).to.equal(false);
    expect(numbers(batcher.take())).to.deep.equal([10_000]);
    expect(batcher.take()).to.deep.equal([]);
    expect(batcher.length).to.equal(0);
    expect(batcher.bytes).to.equal(0);
  });

  it('cuts batches at 1 MiB counting 26 bytes per event, filling each as far as it goes', () => {
    const batcher = new LogBatcher();
    const pad = 'x'.repeat(100 * 1024);
    for (let n = 0; n < 25; n += 1) batcher.add(line(n, T0 + n, pad));
    const perEvent = Buffer.byteLength(line(10, T0 + 10, pad)) + 26;
    const fit = Math.floor(CLOUDWATCH_LIMITS.maxBatchBytes / perEvent);
    expect(batcher.hasFullBatch()).to.equal(true);
    const sizes: number[] = [];
    let total = 0;
    for (let batch = batcher.take(); batch.length > 0; batch = batcher.take()) {
      expect(sumBytes(batch)).to.be.at.most(CLOUDWATCH_LIMITS.maxBatchBytes);
      sizes.push(batch.length);
      total += batch.length;
    }
    expect(sizes[0]).to.equal(fit);
    expect(total).to.equal(25);
  });

  it('accepts a batch of exactly 1 MiB, and not one byte more', () => {
    // Two events whose sizes (with overhead) add up to exactly the limit.
    const half = CLOUDWATCH_LIMITS.maxBatchBytes / 2 - 26;
    const exact = new LogBatcher({ maxEventBytes: CLOUDWATCH_LIMITS.maxBatchBytes });
    exact.add('a'.repeat(half));
    exact.add('b'.repeat(half));
    expect(exact.take()).to.have.length(2);

    const over = new LogBatcher({ maxEventBytes: CLOUDWATCH_LIMITS.maxBatchBytes });
    over.add('a'.repeat(half));
    over.add('b'.repeat(half + 1));
    expect(over.take()).to.have.length(1);
    expect(over.take()).to.have.length(1);
  });

  it('puts events in chronological order, keeping arrival order for equal times', () => {
    const batcher = new LogBatcher();
    batcher.add(line(1, T0 + 30));
    batcher.add(line(2, T0 + 10));
    batcher.add(line(3, T0 + 20));
    batcher.add(line(4, T0 + 10));
    batcher.add(line(5, T0 + 40));
    expect(numbers(batcher.take())).to.deep.equal([2, 4, 3, 1, 5]);
  });

  it('never lets a batch span more than 24 hours', () => {
    const batcher = new LogBatcher();
    batcher.add(line(1, T0));
    batcher.add(line(2, T0 + 23 * HOUR));
    batcher.add(line(3, T0 + 24 * HOUR));
    batcher.add(line(4, T0 + 24 * HOUR + 1));
    batcher.add(line(5, T0 + 30 * HOUR));
    expect(numbers(batcher.take())).to.deep.equal([1, 2, 3]);
    expect(numbers(batcher.take())).to.deep.equal([4, 5]);
  });

  it('stamps lines without a time with the injected clock', () => {
    const batcher = new LogBatcher({ now: () => 1234 });
    batcher.add('{"msg":"no time"}');
    expect(batcher.take()[0]?.timestamp).to.equal(1234);
  });

  it('drops the oldest events beyond the event bound, and counts them once', () => {
    const batcher = new LogBatcher({ maxBufferedEvents: 3 });
    for (let n = 0; n < 10; n += 1) batcher.add(line(n));
    expect(batcher.length).to.equal(3);
    expect(batcher.takeDropped()).to.equal(7);
    expect(batcher.takeDropped()).to.equal(0);
    expect(numbers(batcher.take())).to.deep.equal([7, 8, 9]);
  });

  it('drops the oldest events beyond the byte bound', () => {
    const one = Buffer.byteLength(line(0)) + 26;
    const batcher = new LogBatcher({ maxBufferedBytes: one * 4 });
    for (let n = 0; n < 6; n += 1) batcher.add(line(n));
    expect(batcher.bytes).to.be.at.most(one * 4);
    expect(batcher.takeDropped()).to.equal(2);
    expect(numbers(batcher.take())).to.deep.equal([2, 3, 4, 5]);
  });

  it('keeps its accounting straight across many takes and drops (compaction)', () => {
    const batcher = new LogBatcher({ maxBufferedEvents: 5_000, maxBatchEvents: 700 });
    const seen: number[] = [];
    for (let n = 0; n < 20_000; n += 1) {
      batcher.add(line(n));
      if (n % 1_000 === 999) seen.push(...numbers(batcher.take()));
    }
    const expected = 20_000 - seen.length - batcher.takeDropped();
    expect(batcher.length).to.equal(expected);
    const rest: number[] = [];
    for (let batch = batcher.take(); batch.length > 0; batch = batcher.take()) rest.push(...numbers(batch));
    expect(rest).to.have.length(expected);
    expect(rest.at(-1)).to.equal(19_999);
    expect(batcher.bytes).to.equal(0);
    const all = [...seen, ...rest];
    expect([...all].sort((a, b) => a - b)).to.deep.equal(all);
  });
});

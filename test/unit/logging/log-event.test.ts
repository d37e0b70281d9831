import { expect } from 'chai';
import {
  CLOUDWATCH_LIMITS,
  defaultStreamName,
  eventBytes,
  timestampOf,
  toLogEvent,
  truncateMessage,
} from '../../../src/logging/log-event.js';

describe('log event rules', () => {
  it('counts UTF-8 bytes plus the 26 bytes CloudWatch adds per event', () => {
    expect(eventBytes('abc')).to.equal(3 + 26);
    expect(eventBytes('é')).to.equal(2 + 26);
    expect(eventBytes('🎬')).to.equal(4 + 26);
  });

  it('leaves an event that fits alone, byte for byte', () => {
    const fits = 'x'.repeat(CLOUDWATCH_LIMITS.maxEventBytes - 26);
    expect(truncateMessage(fits)).to.equal(fits);
  });

  it('truncates an oversized event to exactly the limit, marked, without splitting a character', () => {
    const ascii = truncateMessage('x'.repeat(300 * 1024));
    expect(eventBytes(ascii)).to.equal(CLOUDWATCH_LIMITS.maxEventBytes);
    expect(ascii.endsWith('…[truncated]')).to.equal(true);

    // 3-byte characters: the cut must step back to a character boundary.
    const wide = truncateMessage('€'.repeat(100_000));
    expect(eventBytes(wide)).to.be.at.most(CLOUDWATCH_LIMITS.maxEventBytes);
    expect(eventBytes(wide)).to.be.above(CLOUDWATCH_LIMITS.maxEventBytes - 3);
    expect(wide).not.to.include('\uFFFD');
    expect(wide.replace('…[truncated]', '')).to.match(/^€+$/);
  });

  it('takes the time pino wrote (epoch ms or ISO), else the fallback', () => {
    expect(timestampOf('{"level":30,"time":1700000000123,"msg":"x"}', 1)).to.equal(1_700_000_000_123);
    expect(timestampOf('{"level":"info","time":"2024-05-01T12:00:00.250Z","msg":"x"}', 1)).to.equal(
      Date.parse('2024-05-01T12:00:00.250Z'),
    );
    expect(timestampOf('{"level":"info","msg":"no time"}', 42)).to.equal(42);
    expect(timestampOf('{"time":"not a date at all"}', 42)).to.equal(42);
    expect(timestampOf('plain text', 42)).to.equal(42);
  });

  it('builds an event with its timestamp and size', () => {
    const line = '{"level":"info","time":"2024-05-01T12:00:00.000Z","msg":"hi"}';
    expect(toLogEvent(line, 5)).to.deep.equal({
      timestamp: Date.parse('2024-05-01T12:00:00.000Z'),
      message: line,
      bytes: Buffer.byteLength(line) + 26,
    });
  });

  it('names the default stream after the host and start time, in allowed characters', () => {
    const name = defaultStreamName('ip-10-0-0-7.ec2:internal', new Date('2024-05-01T12:34:56.789Z'));
    expect(name).to.equal('ip-10-0-0-7.ec2-internal-2024-05-01T12-34-56.789Z');
    expect(name).not.to.match(/[:*]/);
  });
});

import { expect } from 'chai';
import pino from 'pino';
import sinon from 'sinon';
import { progressLog } from '../../../src/download/progress-log.js';

describe('progressLog', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => clock.restore());

  function capture() {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    return { lines, logger };
  }

  it('hands every update to the store but logs at most once per interval', () => {
    const { lines, logger } = capture();
    const stored: Array<[number, number | null]> = [];
    const report = progressLog((b, t) => stored.push([b, t]), logger, 10_000);
    for (let second = 1; second <= 25; second++) {
      clock.tick(1000);
      report(second * 1_000_000, 100_000_000);
    }
    expect(stored).to.have.length(25);
    expect(lines.map((l) => l.bytes)).to.deep.equal([10_000_000, 20_000_000]);
    expect(lines[0]).to.include({
      msg: 'download progress',
      totalBytes: 100_000_000,
      percent: 10,
      bytesPerSecond: 1_000_000,
    });
  });

  it('omits the percentage when the size is unknown', () => {
    const { lines, logger } = capture();
    const report = progressLog(() => {}, logger, 1000);
    clock.tick(1500);
    report(3000, null);
    expect(lines).to.have.length(1);
    expect(lines[0]).not.to.have.property('percent');
  });
});

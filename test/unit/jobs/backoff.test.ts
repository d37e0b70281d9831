import { expect } from 'chai';
import { fullJitterDelayMs, retryDelayMs } from '../../../src/jobs/backoff.js';

const policy = { baseMs: 1000, maxMs: 60_000 };

describe('backoff', () => {
  it('doubles per attempt between half and all of the ceiling', () => {
    expect(retryDelayMs(1, policy, () => 0)).to.equal(500);
    expect(retryDelayMs(1, policy, () => 0.999_999)).to.equal(1000);
    expect(retryDelayMs(3, policy, () => 0)).to.equal(2000);
    expect(retryDelayMs(3, policy, () => 0.999_999)).to.equal(4000);
  });

  it('never exceeds the maximum, even after very many attempts', () => {
    for (const attempt of [7, 20, 100, 10_000]) {
      const delay = retryDelayMs(attempt, policy, () => 0.999_999);
      expect(delay).to.be.at.most(60_000).and.at.least(30_000);
    }
  });

  it('honours a longer server hint (Retry-After), capped at the maximum', () => {
    expect(retryDelayMs(1, policy, () => 0, 20_000)).to.equal(20_000);
    expect(retryDelayMs(1, policy, () => 0, 10)).to.equal(500);
    expect(retryDelayMs(1, policy, () => 0, 10_000_000)).to.equal(60_000);
  });

  it('full jitter for poll loops stays within [base, ceiling]', () => {
    expect(fullJitterDelayMs(1, policy, () => 0.5)).to.equal(1000);
    expect(fullJitterDelayMs(4, policy, () => 0)).to.equal(1000);
    expect(fullJitterDelayMs(4, policy, () => 0.999_999)).to.be.closeTo(8000, 1);
    expect(fullJitterDelayMs(50, policy, () => 0.999_999)).to.be.closeTo(60_000, 1);
  });
});

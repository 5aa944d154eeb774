import { describe, expect, it } from 'vitest';
import { constantBackoff, exponentialBackoff } from './index.js';

const seq = (backoff: ReturnType<typeof exponentialBackoff>, n: number) => {
  const out: number[] = [];
  let previousDelayMs = 0;
  for (let attempt = 1; attempt <= n; attempt++) {
    previousDelayMs = backoff({ attempt, previousDelayMs, error: new Error('x') });
    out.push(previousDelayMs);
  }
  return out;
};

describe('backoff', () => {
  it('constantBackoff returns the same delay', () => {
    expect(seq(constantBackoff(250), 4)).toEqual([250, 250, 250, 250]);
    expect(seq(constantBackoff(), 2)).toEqual([0, 0]);
  });

  it('exponential without jitter doubles and caps at max', () => {
    expect(seq(exponentialBackoff({ initial: 100, max: 1000, jitter: 'none' }), 6)).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(seq(exponentialBackoff({ initial: 10, factor: 3, jitter: 'none' }), 3)).toEqual([10, 30, 90]);
  });

  it('full jitter is uniform in [0, base]', () => {
    expect(seq(exponentialBackoff({ initial: 100, jitter: 'full', random: () => 0.5 }), 3)).toEqual([50, 100, 200]);
    expect(seq(exponentialBackoff({ initial: 100, jitter: 'full', random: () => 0 }), 2)).toEqual([0, 0]);
  });

  it('equal jitter keeps at least half of the base', () => {
    expect(seq(exponentialBackoff({ initial: 100, jitter: 'equal', random: () => 0 }), 3)).toEqual([50, 100, 200]);
    expect(seq(exponentialBackoff({ initial: 100, jitter: 'equal', random: () => 0.5 }), 2)).toEqual([75, 150]);
  });

  it('decorrelated jitter grows from the previous delay and stays within [initial, max]', () => {
    // random 1 -> always the upper bound previous*3 (capped)
    expect(seq(exponentialBackoff({ initial: 100, max: 5000, jitter: 'decorrelated', random: () => 0.999999 }), 5).map(Math.round)).toEqual([
      100, 300, 900, 2700, 5000,
    ]);
    const values = seq(exponentialBackoff({ initial: 100, max: 2000, jitter: 'decorrelated' }), 200);
    for (const v of values) {
      expect(v).toBeGreaterThanOrEqual(100);
      expect(v).toBeLessThanOrEqual(2000);
    }
  });

  it('default is full jitter capped at 30 s', () => {
    const values = seq(exponentialBackoff(), 30);
    for (const v of values) expect(v).toBeLessThanOrEqual(30_000);
  });
});

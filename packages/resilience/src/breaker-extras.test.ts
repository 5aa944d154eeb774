/** Breaker: a count-based sliding window, a growing break duration, N successful probes (manual clock). */
import { CircuitOpenError, ConfigurationError } from '@armor/errors';
import { describe, expect, it } from 'vitest';
import { breakerRegistry, circuitBreaker, exponentialBackoff, manualClock, type CircuitBreaker } from './index.js';

const ok = () => 'ok';
const fail = () => Promise.reject(new Error('down'));
const run = (b: CircuitBreaker, fn: () => unknown) => b.execute(fn).then(() => 'ok', (e: unknown) => (e instanceof CircuitOpenError ? 'rejected' : 'failed'));

describe('count-based window (windowSize)', () => {
  it('judges the last windowSize calls, however far apart in time', async () => {
    const clock = manualClock();
    const breaker = circuitBreaker({ clock, failureRate: 0.5, windowSize: 4, minimumThroughput: 4 });
    for (const fn of [fail, ok, ok, ok, ok, fail]) {
      await run(breaker, fn);
      clock.advance(3_600_000); // an hour between calls: a time window would have forgotten them
    }
    expect(breaker.state).toBe('closed'); // last 4: ok ok ok fail = 25 %
    expect(breaker.stats()).toMatchObject({ windowCalls: 4, currentFailures: 1 });
    await run(breaker, fail); // last 4: ok ok fail fail = 50 %
    expect(breaker.state).toBe('open');
  });

  it('waits for minimumThroughput calls (default: min(10, windowSize))', async () => {
    const breaker = circuitBreaker({ clock: manualClock(), failureRate: 0.5, windowSize: 3 });
    await run(breaker, fail);
    await run(breaker, fail);
    expect(breaker.state).toBe('closed');
    await run(breaker, fail);
    expect(breaker.state).toBe('open');
  });

  it('refuses inconsistent options', () => {
    expect(() => circuitBreaker({ windowSize: 5 })).toThrow(/windowSize/);
    expect(() => circuitBreaker({ failureRate: 0.5, windowSize: 5, windowMs: 1_000 })).toThrow(/windowSize/);
    expect(() => circuitBreaker({ failureRate: 0.5, windowSize: 5, minimumThroughput: 6 })).toThrow(/minimumThroughput/);
    expect(() => circuitBreaker({ failureRate: 0.5, windowSize: 0 })).toThrow(/windowSize/);
  });

  it('refuses a rate-strategy option without failureRate (it would be silently ignored), naming both options', () => {
    for (const [option, options] of [
      ['windowMs', { windowMs: 10_000 }],
      ['buckets', { buckets: 5 }],
      ['minimumThroughput', { minimumThroughput: 20 }],
      ['windowMs', { failureThreshold: 3, windowMs: 10_000 }],
    ] as const) {
      const attempt = () => circuitBreaker(options);
      expect(attempt, option).toThrow(ConfigurationError);
      expect(attempt, option).toThrow(new RegExp(`${option}.*failureRate`));
      expect(() => breakerRegistry({ breaker: options }), `registry ${option}`).toThrow(new RegExp(`${option}.*failureRate`));
    }
    expect(() => circuitBreaker({ failureRate: 0.5, windowMs: 10_000, buckets: 5, minimumThroughput: 20 })).not.toThrow();
  });
});

describe('growing break duration (halfOpenAfterMs as a backoff)', () => {
  it('each reopening without a close waits longer; a close starts over', async () => {
    const clock = manualClock();
    const breaker = circuitBreaker({
      clock,
      failureThreshold: 1,
      halfOpenAfterMs: exponentialBackoff({ initial: 1_000, factor: 2, max: 8_000, jitter: 'none' }),
    });
    const breaks: number[] = [];
    const openAndMeasure = async (fn: () => unknown) => {
      await run(breaker, fn);
      breaks.push(breaker.stats().openUntil - clock.now());
    };
    await openAndMeasure(fail); // opens: 1 s
    for (let i = 0; i < 4; i++) {
      clock.advance(breaks.at(-1)!);
      await openAndMeasure(fail); // the probe fails: 2, 4, 8, 8 s
    }
    expect(breaks).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    clock.advance(8_000);
    await run(breaker, ok); // probe succeeds: closed
    expect(breaker.state).toBe('closed');
    await run(breaker, fail);
    expect(breaker.stats().openUntil - clock.now()).toBe(1_000);
  });

  it('refuses a bad halfOpenAfterMs', () => {
    expect(() => circuitBreaker({ halfOpenAfterMs: 'soon' as never })).toThrow(/halfOpenAfterMs/);
  });
});

describe('halfOpenSuccesses', () => {
  it('closes only after N successful probes; a failed probe reopens', async () => {
    const clock = manualClock();
    const breaker = circuitBreaker({ clock, failureThreshold: 1, halfOpenAfterMs: 100, halfOpenSuccesses: 3 });
    await run(breaker, fail);
    clock.advance(100);
    expect(await run(breaker, ok)).toBe('ok');
    expect(await run(breaker, ok)).toBe('ok');
    expect(breaker.state).toBe('half-open');
    expect(await run(breaker, fail)).toBe('failed');
    expect(breaker.state).toBe('open');
    clock.advance(100);
    for (let i = 0; i < 3; i++) {
      expect(breaker.state).toBe('half-open');
      expect(await run(breaker, ok)).toBe('ok');
    }
    expect(breaker.state).toBe('closed');
  });

  it('refuses halfOpenSuccesses 0', () => {
    expect(() => circuitBreaker({ halfOpenSuccesses: 0 })).toThrow(/halfOpenSuccesses/);
  });
});

/**
 * Model-based test: random sequences of successes, failures, time advances, isolate and
 * reset, run against the real breaker and a small reference model of the state machine.
 * They must never disagree (state, whether fn ran, retryAfterMs).
 */
import { CircuitOpenError } from '@armor/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, manualClock, type BreakerState } from './index.js';

type Op = { t: 'success' } | { t: 'failure' } | { t: 'advance'; ms: number } | { t: 'isolate' } | { t: 'reset' };

interface Config {
  strategy: 'consecutive' | 'rate';
  threshold: number;
  rate: number;
  minimumThroughput: number;
  halfOpenAfterMs: number;
}

const WINDOW = 1000;
const BUCKETS = 10;

class Model {
  state: BreakerState = 'closed';
  openUntil = 0;
  consecutive = 0;
  window: { bucket: number; failed: boolean }[] = [];
  constructor(readonly c: Config) {}

  refresh(now: number) {
    if (this.state === 'open' && now >= this.openUntil) this.to('half-open', 0);
  }
  to(state: BreakerState, openUntil: number) {
    if (state !== this.state) {
      this.consecutive = 0;
      this.window = [];
    }
    this.state = state;
    this.openUntil = state === 'open' ? openUntil : 0;
  }
  /** Returns 'ran' or the retryAfterMs of the rejection. */
  call(failed: boolean, now: number): 'ran' | { retryAfterMs: number | undefined } {
    this.refresh(now);
    if (this.state === 'open') return { retryAfterMs: this.openUntil - now };
    if (this.state === 'isolated') return { retryAfterMs: undefined };
    if (this.state === 'half-open') {
      if (failed) this.to('open', now + this.c.halfOpenAfterMs);
      else this.to('closed', 0);
      return 'ran';
    }
    if (this.c.strategy === 'consecutive') {
      this.consecutive = failed ? this.consecutive + 1 : 0;
      if (this.consecutive >= this.c.threshold) this.to('open', now + this.c.halfOpenAfterMs);
      return 'ran';
    }
    const bucket = Math.floor(now / (WINDOW / BUCKETS));
    this.window.push({ bucket, failed });
    if (failed) {
      const live = this.window.filter((e) => e.bucket > bucket - BUCKETS);
      const failures = live.filter((e) => e.failed).length;
      if (live.length >= this.c.minimumThroughput && failures / live.length >= this.c.rate) this.to('open', now + this.c.halfOpenAfterMs);
    }
    return 'ran';
  }
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ t: 'success' as const }) },
  { weight: 4, arbitrary: fc.constant({ t: 'failure' as const }) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 700 }).map((ms) => ({ t: 'advance' as const, ms })) },
  { weight: 1, arbitrary: fc.constant({ t: 'isolate' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'reset' as const }) },
);

const configArb: fc.Arbitrary<Config> = fc.record({
  strategy: fc.constantFrom('consecutive' as const, 'rate' as const),
  threshold: fc.integer({ min: 1, max: 5 }),
  rate: fc.constantFrom(0.25, 0.5, 0.75, 1),
  minimumThroughput: fc.integer({ min: 1, max: 6 }),
  halfOpenAfterMs: fc.integer({ min: 0, max: 1500 }),
});

describe('circuit breaker state machine vs reference model', () => {
  it('never disagrees', async () => {
    await fc.assert(
      fc.asyncProperty(configArb, fc.array(opArb, { maxLength: 80 }), async (c, ops) => {
        const clock = manualClock(1_000_000);
        const breaker = circuitBreaker({
          clock,
          halfOpenAfterMs: c.halfOpenAfterMs,
          ...(c.strategy === 'consecutive'
            ? { failureThreshold: c.threshold }
            : { failureRate: c.rate, minimumThroughput: c.minimumThroughput, windowMs: WINDOW, buckets: BUCKETS }),
        });
        const model = new Model(c);
        for (const op of ops) {
          const now = clock.now();
          if (op.t === 'advance') clock.advance(op.ms);
          else if (op.t === 'isolate') {
            await breaker.isolate();
            model.to('isolated', 0);
          } else if (op.t === 'reset') {
            await breaker.reset();
            model.to('closed', 0);
            model.consecutive = 0; // reset clears the counters even when already closed
            model.window = [];
          } else {
            const failed = op.t === 'failure';
            let ran = false;
            const outcome = await breaker
              .execute(() => {
                ran = true;
                return failed ? Promise.reject(new Error('x')) : Promise.resolve(1);
              })
              .then(
                () => 'ok',
                (e: unknown) => e,
              );
            const expected = model.call(failed, now);
            if (expected === 'ran') {
              expect(ran).toBe(true);
              expect(outcome === 'ok').toBe(!failed);
            } else {
              expect(ran).toBe(false);
              expect(outcome).toBeInstanceOf(CircuitOpenError);
              expect((outcome as CircuitOpenError).retryAfterMs).toBe(expected.retryAfterMs);
            }
          }
          model.refresh(clock.now());
          expect(breaker.state).toBe(model.state);
        }
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * Model-based test: random sequences of successes, failures, time advances, isolate, reset,
 * calls left hanging and their late outcomes, run against the real breaker and a small
 * reference model of the state machine (with half-open probe leases). They must never
 * disagree (state, whether fn ran, retryAfterMs, probes in flight, abandoned probes).
 */
import { CircuitOpenError } from '@armor/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, manualClock, type BreakerState } from './index.js';

type Op =
  | { t: 'success' }
  | { t: 'failure' }
  | { t: 'advance'; ms: number }
  | { t: 'isolate' }
  | { t: 'reset' }
  /** Start a call that stays pending (a slow or hung dependency). */
  | { t: 'hang' }
  /** Settle one pending call, late. */
  | { t: 'settle'; index: number; failed: boolean }
  /** Compare stats() (which also frees expired probe slots, like a new call would). */
  | { t: 'stats' };

interface Config {
  strategy: 'consecutive' | 'rate';
  threshold: number;
  rate: number;
  minimumThroughput: number;
  halfOpenAfterMs: number;
  halfOpenMaxConcurrent: number;
  probeLeaseMs: number;
}

const WINDOW = 1000;
const BUCKETS = 10;

/** A call the model admitted: its probe slot id (0 = ordinary call) and its generation. */
interface Handle {
  probe: number;
  gen: number;
}

class Model {
  state: BreakerState = 'closed';
  openUntil = 0;
  consecutive = 0;
  window: { bucket: number; failed: boolean }[] = [];
  gen = 0;
  probes = new Map<number, number>();
  probeSeq = 0;
  abandoned = 0;
  constructor(readonly c: Config) {}

  refresh(now: number) {
    if (this.state === 'open' && now >= this.openUntil) this.to('half-open', 0, now);
  }
  reclaim(now: number) {
    for (const [id, until] of this.probes) {
      if (now >= until) {
        this.probes.delete(id);
        this.abandoned++;
      }
    }
  }
  to(state: BreakerState, openUntil: number, now: number) {
    if (state !== this.state) {
      if (this.state === 'half-open') this.reclaim(now);
      this.probes.clear();
      this.gen++;
      this.consecutive = 0;
      this.window = [];
    }
    this.state = state;
    this.openUntil = state === 'open' ? openUntil : 0;
  }
  /** Admits a call: its handle, or the retryAfterMs of the rejection. */
  start(now: number): Handle | { retryAfterMs: number | undefined } {
    this.refresh(now);
    if (this.state === 'open') return { retryAfterMs: this.openUntil - now };
    if (this.state === 'isolated') return { retryAfterMs: undefined };
    if (this.state === 'half-open') {
      this.reclaim(now);
      if (this.probes.size >= this.c.halfOpenMaxConcurrent) return { retryAfterMs: undefined };
      const id = ++this.probeSeq;
      this.probes.set(id, now + this.c.probeLeaseMs);
      return { probe: id, gen: this.gen };
    }
    return { probe: 0, gen: this.gen };
  }
  /** The outcome of an admitted call arrives at `now`. */
  settle(h: Handle, failed: boolean, now: number) {
    if (h.gen !== this.gen) return; // stale
    if (h.probe !== 0) {
      const until = this.probes.get(h.probe);
      if (until === undefined) return; // reclaimed
      this.probes.delete(h.probe);
      if (now >= until) {
        this.abandoned++; // lease ran out: abandoned
        return;
      }
      if (failed) this.to('open', now + this.c.halfOpenAfterMs, now);
      else this.to('closed', 0, now);
      return;
    }
    if (this.c.strategy === 'consecutive') {
      this.consecutive = failed ? this.consecutive + 1 : 0;
      if (this.consecutive >= this.c.threshold) this.to('open', now + this.c.halfOpenAfterMs, now);
      return;
    }
    const bucket = Math.floor(now / (WINDOW / BUCKETS));
    this.window.push({ bucket, failed });
    if (failed) {
      const live = this.window.filter((e) => e.bucket > bucket - BUCKETS);
      const failures = live.filter((e) => e.failed).length;
      if (live.length >= this.c.minimumThroughput && failures / live.length >= this.c.rate) this.to('open', now + this.c.halfOpenAfterMs, now);
    }
  }
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ t: 'success' as const }) },
  { weight: 3, arbitrary: fc.constant({ t: 'failure' as const }) },
  {
    weight: 3,
    arbitrary: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 700 }) }, { weight: 1, arbitrary: fc.integer({ min: 700, max: 2500 }) }).map((ms) => ({ t: 'advance' as const, ms })),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'isolate' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'reset' as const }) },
  { weight: 3, arbitrary: fc.constant({ t: 'hang' as const }) },
  {
    weight: 3,
    // index counts from the most recent pending call, biased towards it
    arbitrary: fc.record({ t: fc.constant('settle' as const), index: fc.oneof(fc.constant(0), fc.nat(5)), failed: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'stats' as const }) },
);

const configArb: fc.Arbitrary<Config> = fc.record({
  strategy: fc.constantFrom('consecutive' as const, 'rate' as const),
  threshold: fc.integer({ min: 1, max: 5 }),
  rate: fc.constantFrom(0.25, 0.5, 0.75, 1),
  minimumThroughput: fc.integer({ min: 1, max: 6 }),
  halfOpenAfterMs: fc.integer({ min: 0, max: 1500 }),
  halfOpenMaxConcurrent: fc.integer({ min: 1, max: 3 }),
  probeLeaseMs: fc.integer({ min: 1, max: 1500 }),
});

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

interface Pending {
  handle: Handle;
  settle: (failed: boolean) => void;
  outcome: Promise<unknown>;
}

describe('circuit breaker state machine vs reference model', () => {
  it('never disagrees (including hung probes, leases and late outcomes)', async () => {
    await fc.assert(
      fc.asyncProperty(configArb, fc.array(opArb, { maxLength: 80, size: 'max' }), async (c, ops) => {
        const clock = manualClock(1_000_000);
        const breaker = circuitBreaker({
          clock,
          halfOpenAfterMs: c.halfOpenAfterMs,
          halfOpenMaxConcurrent: c.halfOpenMaxConcurrent,
          probeLeaseMs: c.probeLeaseMs,
          ...(c.strategy === 'consecutive'
            ? { failureThreshold: c.threshold }
            : { failureRate: c.rate, minimumThroughput: c.minimumThroughput, windowMs: WINDOW, buckets: BUCKETS }),
        });
        const model = new Model(c);
        const pending: Pending[] = [];
        const expectRejected = (outcome: unknown, ran: boolean, retryAfterMs: number | undefined) => {
          expect(ran).toBe(false);
          expect(outcome).toBeInstanceOf(CircuitOpenError);
          expect((outcome as CircuitOpenError).retryAfterMs).toBe(retryAfterMs);
        };
        const checkStats = () => {
          const at = clock.now();
          model.refresh(at);
          if (model.state === 'half-open') model.reclaim(at);
          const stats = breaker.stats();
          expect(stats.state).toBe(model.state);
          expect(stats.halfOpenInFlight).toBe(model.probes.size);
          expect(stats.abandonedProbes).toBe(model.abandoned);
        };
        for (const op of ops) {
          const now = clock.now();
          if (op.t === 'stats') checkStats();
          else if (op.t === 'advance') clock.advance(op.ms);
          else if (op.t === 'isolate') {
            await breaker.isolate();
            model.to('isolated', 0, now);
          } else if (op.t === 'reset') {
            await breaker.reset();
            model.to('closed', 0, now);
            model.consecutive = 0; // reset clears the counters even when already closed
            model.window = [];
          } else if (op.t === 'hang') {
            let ran = false;
            let settle!: (failed: boolean) => void;
            const outcome = breaker
              .execute(() => {
                ran = true;
                return new Promise((resolve, reject) => {
                  settle = (failed) => (failed ? reject(new Error('x')) : resolve(1));
                });
              })
              .then(
                () => 'ok',
                (e: unknown) => e,
              );
            await flush();
            const expected = model.start(now);
            if ('gen' in expected) {
              expect(ran).toBe(true);
              pending.push({ handle: expected, settle, outcome });
            } else expectRejected(await outcome, ran, expected.retryAfterMs);
          } else if (op.t === 'settle') {
            if (pending.length > 0) {
              const [p] = pending.splice(pending.length - 1 - (op.index % pending.length), 1);
              p!.settle(op.failed);
              const outcome = await p!.outcome;
              expect(outcome === 'ok').toBe(!op.failed); // the caller always gets fn's own result
              model.settle(p!.handle, op.failed, now);
            }
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
            const expected = model.start(now);
            if ('gen' in expected) {
              expect(ran).toBe(true);
              expect(outcome === 'ok').toBe(!failed);
              model.settle(expected, failed, now);
            } else expectRejected(outcome, ran, expected.retryAfterMs);
          }
          model.refresh(clock.now());
          expect(breaker.state).toBe(model.state);
        }
        checkStats();
      }),
      { numRuns: 300 },
    );
  });
});

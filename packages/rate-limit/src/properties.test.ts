import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRateLimiter, memoryStore, rateLimitHeaders, type Algorithm } from './index.js';

/** Random arrivals: gaps in ms (often 0, i.e. simultaneous) and costs. */
const arrivals = fc.array(fc.record({ gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 1_500 })), cost: fc.integer({ min: 1, max: 3 }) }), {
  minLength: 1,
  maxLength: 250,
});
const params = fc.record({ limit: fc.integer({ min: 3, max: 20 }), windowMs: fc.integer({ min: 10, max: 2_000 }), start: fc.integer({ min: 0, max: 10_000_000 }) });

function admitted(algorithm: Algorithm, p: { limit: number; windowMs: number; start: number }, seq: { gap: number; cost: number }[], burst?: number) {
  const clock = { t: p.start, now: () => clock.t };
  const limiter = createRateLimiter({ algorithm, limit: p.limit, windowMs: p.windowMs, clock, ...(burst ? { burst } : {}) });
  const out: { t: number; cost: number }[] = [];
  for (const { gap, cost } of seq) {
    clock.t += gap;
    if (cost > limiter.policy.capacity) continue;
    if (limiter.consumeSync('k', cost).allowed) out.push({ t: clock.t, cost });
  }
  return { out, limiter };
}

const sumIn = (xs: { t: number; cost: number }[], from: number, to: number) => xs.filter((x) => x.t >= from && x.t < to).reduce((s, x) => s + x.cost, 0);

describe('no window admits more than the limit (any arrival sequence)', () => {
  it('fixed window: every aligned window admits at most `limit`', () => {
    fc.assert(
      fc.property(params, arrivals, (p, seq) => {
        const { out } = admitted('fixed-window', p, seq);
        for (const { t } of out) {
          const ws = Math.floor(t / p.windowMs) * p.windowMs;
          expect(sumIn(out, ws, ws + p.windowMs)).toBeLessThanOrEqual(p.limit);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('sliding window: aligned windows ≤ limit; any interval of windowMs ≤ limit + previous count × elapsed fraction (< 2 × limit)', () => {
    fc.assert(
      fc.property(params, arrivals, (p, seq) => {
        const { out } = admitted('sliding-window', p, seq);
        const W = p.windowMs;
        for (const { t } of out) {
          const ws = Math.floor(t / W) * W;
          expect(sumIn(out, ws, ws + W)).toBeLessThanOrEqual(p.limit);
          // The sliding interval (t - W, t]
          const inInterval = out.filter((x) => x.t > t - W && x.t <= t).reduce((s, x) => s + x.cost, 0);
          const prev = sumIn(out, ws - W, ws);
          const f = (t - ws) / W;
          expect(inInterval).toBeLessThanOrEqual(p.limit + prev * f + 1e-6);
          expect(inInterval).toBeLessThan(2 * p.limit);
        }
      }),
      { numRuns: 300 },
    );
  });

  for (const algorithm of ['token-bucket', 'gcra'] as const) {
    it(`${algorithm}: any interval [a, b] admits at most burst + (b − a) × rate`, () => {
      fc.assert(
        fc.property(params, arrivals, fc.integer({ min: 1, max: 20 }), (p, seq, burst) => {
          const { out, limiter } = admitted(algorithm, p, seq, burst);
          const { capacity, msPerPoint } = limiter.policy;
          for (let i = 0; i < out.length; i++) {
            let sum = 0;
            for (let j = i; j < out.length; j++) {
              sum += out[j]!.cost;
              expect(sum).toBeLessThanOrEqual(capacity + (out[j]!.t - out[i]!.t) / msPerPoint + 1e-6);
            }
          }
          // With a burst of `limit`, that is at most 2 × limit per window and exactly `limit` at once.
        }),
        { numRuns: 200 },
      );
    });
  }

  it('a refused consume never changes what later calls see', () => {
    fc.assert(
      fc.property(fc.constantFrom<Algorithm>('fixed-window', 'sliding-window', 'token-bucket', 'gcra'), params, fc.integer({ min: 1, max: 3 }), (algorithm, p, cost) => {
        const clock = { t: p.start, now: () => clock.t };
        const limiter = createRateLimiter({ algorithm, limit: p.limit, windowMs: p.windowMs, clock });
        while (limiter.consumeSync('k', cost).allowed) {
          /* drain */
        }
        const before = limiter.consumeSync('k', 0);
        for (let i = 0; i < 5; i++) limiter.consumeSync('k', cost);
        expect(limiter.consumeSync('k', 0).remaining).toBe(before.remaining);
      }),
      { numRuns: 200 },
    );
  });
});

describe('headers agree with the decision (every algorithm, random sequences)', () => {
  const field = (text: string, name: string) => Number(new RegExp(`;${name}=(\\d+)`).exec(text)![1]);
  const steps = fc.array(
    fc.record({ gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 5_000 })), cost: fc.integer({ min: 0, max: 4 }) }),
    { minLength: 1, maxLength: 60 },
  );
  it('limit, remaining, reset, policy and Retry-After describe the same state as the result', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Algorithm>('fixed-window', 'sliding-window', 'token-bucket', 'gcra'),
        fc.integer({ min: 4, max: 30 }),
        fc.integer({ min: 100, max: 120_000 }),
        fc.option(fc.integer({ min: 4, max: 40 }), { nil: undefined }),
        fc.boolean(),
        steps,
        (algorithm, limit, windowMs, burstOption, blocks, seq) => {
          const bucketLike = algorithm === 'token-bucket' || algorithm === 'gcra';
          const burst = bucketLike ? burstOption : undefined;
          const clock = { t: 1_700_000_000_000, now: () => clock.t };
          const store = memoryStore();
          const limiter = createRateLimiter({ algorithm, limit, windowMs, clock, store, ...(burst ? { burst } : {}), ...(blocks ? { blockDurationMs: 1_000 } : {}) });
          for (const { gap, cost } of seq) {
            clock.t += gap;
            const result = limiter.consumeSync('k', Math.min(cost, limiter.policy.capacity));
            const h = rateLimitHeaders(result, limiter.policy, { legacy: true, now: clock.t });
            const q = field(h['ratelimit-policy']!, 'q');
            const w = field(h['ratelimit-policy']!, 'w');
            const r = field(h['ratelimit']!, 'r');
            const t = field(h['ratelimit']!, 't');
            expect(q).toBe(result.limit);
            expect(Number(h['x-ratelimit-limit'])).toBe(q);
            expect(r).toBe(result.remaining);
            expect(Number(h['x-ratelimit-remaining'])).toBe(r);
            expect(r).toBeGreaterThanOrEqual(0);
            expect(r).toBeLessThanOrEqual(q);
            expect(t).toBe(Math.ceil(result.resetMs / 1000));
            expect(Number(h['x-ratelimit-reset'])).toBe(Math.ceil((clock.t + result.resetMs) / 1000));
            // The advertised window is the time to regain the advertised quota.
            const p = limiter.policy;
            expect(w).toBe(Math.ceil((bucketLike ? p.capacity * p.msPerPoint : p.windowMs) / 1000));
            if (!blocks) expect(t).toBeLessThanOrEqual(algorithm === 'sliding-window' ? 2 * w : w);
            if (result.allowed) {
              expect(h['retry-after']).toBeUndefined();
            } else {
              const retry = Number(h['retry-after']);
              expect(retry).toBe(Math.ceil(result.retryAfterMs / 1000));
              expect(retry).toBeLessThanOrEqual(t);
              if (result.reason === 'blocked') expect(r).toBe(0);
            }
            // `remaining` is what the next request may take: r >= 1 exactly when a 1-point request would pass now.
            if (result.reason !== 'blocked') {
              const [peek] = store.applySync({ ops: [{ key: `${limiter.prefix}k`, prefix: limiter.prefix, id: 'k', policy: p, kind: 'peek', cost: 1 }], allOrNothing: false, now: clock.t });
              expect(peek!.allowed).toBe(r >= 1);
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../test/conformance.js';
import { createRateLimiter, memoryStore, type RateLimitResult, type RateLimitStore } from './index.js';

/** A remote-like store (no synchronous path, so the limiter's block cache is on) over a memory store. */
function remoteLike() {
  const inner = memoryStore();
  const store = { calls: 0, apply: (request: Parameters<RateLimitStore['apply']>[0]) => (store.calls++, inner.apply(request)) };
  return store;
}

/** Everything but the times, which are compared to the millisecond of the store's rounding. */
const exact = (r: RateLimitResult) => ({ allowed: r.allowed, remaining: r.remaining, reason: r.reason, blocked: r.blockedMs !== undefined });

const pick = (r: RateLimitResult) => ({
  allowed: r.allowed,
  remaining: r.remaining,
  resetMs: r.resetMs,
  retryAfterMs: r.retryAfterMs,
  reason: r.reason,
  blockedMs: r.blockedMs,
});

describe('local block cache: its answers are the store\'s', () => {
  it('the reported cases: a smaller cost during a block, a larger cost after a limit refusal', async () => {
    const clock = { t: 1_000_000, now: () => clock.t };
    // Sliding window with blocks: a refused cost-4 consume starts a 2 s block, but cost 4 only
    // fits much later; a cost-1 consume is refused only for the block.
    const options = { algorithm: 'sliding-window' as const, limit: 4, windowMs: 60_000, blockDurationMs: 2_000, clock };
    const cached = createRateLimiter({ ...options, store: remoteLike() });
    const truth = createRateLimiter({ ...options, store: memoryStore() });
    for (const l of [cached, truth]) {
      await l.consume('k', 3);
      clock.t -= 0; // same instant for both
    }
    const a = await cached.consume('k', 4);
    const b = await truth.consume('k', 4);
    expect(pick(a)).toEqual(pick(b));
    expect(a.retryAfterMs).toBeGreaterThan(a.blockedMs!); // cost 4 waits past the block
    clock.t += 500;
    expect(pick(await cached.consume('k', 1))).toEqual(pick(await truth.consume('k', 1)));
    expect(pick(await cached.consume('k', 4))).toEqual(pick(await truth.consume('k', 4)));

    // Token bucket without blocks: refused at cost 1, then asked for cost 3.
    const bucket = { algorithm: 'token-bucket' as const, limit: 4, windowMs: 60_000, clock };
    const cachedBucket = createRateLimiter({ ...bucket, store: remoteLike() });
    const truthBucket = createRateLimiter({ ...bucket, store: memoryStore() });
    for (const l of [cachedBucket, truthBucket]) await l.consume('k', 4);
    expect(pick(await cachedBucket.consume('k', 1))).toEqual(pick(await truthBucket.consume('k', 1)));
    clock.t += 1_000;
    expect(pick(await cachedBucket.consume('k', 3))).toEqual(pick(await truthBucket.consume('k', 3)));
  });

  it('equals the store on random sequences of every call, cost and time step (one clock, so exactly)', async () => {
    const op = fc.record({
      kind: fc.constantFrom('consume', 'consume', 'consume', 'consume', 'peek', 'penalize', 'reward', 'reset'),
      key: fc.constantFrom('x', 'y'),
      cost: fc.integer({ min: 0, max: 4 }),
      advance: fc.constantFrom(0, 0, 1, 250, 999, 7_000, 30_000),
    });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ALGORITHMS), fc.boolean(), fc.array(op, { maxLength: 40 }), async (algorithm, blocks, ops) => {
        const clock = { t: 1_000_000, now: () => clock.t };
        const options = { algorithm, limit: 4, windowMs: 60_000, clock, ...(blocks ? { blockDurationMs: 5_000, blockGrowth: 2 } : {}) };
        const store = remoteLike();
        const cached = createRateLimiter({ ...options, store });
        const truth = createRateLimiter({ ...options, store: memoryStore() });
        for (const { kind, key, cost, advance } of ops) {
          clock.t += advance;
          if (kind === 'reset') {
            await Promise.all([cached.reset(key), truth.reset(key)]);
            continue;
          }
          const [c, t] = await Promise.all([cached[kind](key, cost), truth[kind](key, cost)]);
          // Exactly the store's answer; its times up to the store's own rounding: the store
          // rounds fractional milliseconds up when it answers, the cache counts down from the
          // rounded answer it saw, so a time can differ by the 1 ms of that rounding.
          expect(exact(c)).toEqual(exact(t));
          for (const field of ['resetMs', 'retryAfterMs', 'blockedMs'] as const) {
            expect(Math.abs((c[field] ?? 0) - (t[field] ?? 0)), `${field}: ${c[field]} vs ${t[field]}`).toBeLessThanOrEqual(1);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('still keeps a hammered key off the store (same cost, cost 1, blocks)', async () => {
    const clock = { t: 1_000_000, now: () => clock.t };
    for (const algorithm of ALGORITHMS) {
      for (const blocks of [false, true]) {
        const store = remoteLike();
        const limiter = createRateLimiter({ algorithm, limit: 2, windowMs: 60_000, clock, store, ...(blocks ? { blockDurationMs: 60_000 } : {}) });
        for (let i = 0; i < 3; i++) await limiter.consume('k');
        const calls = store.calls;
        for (let i = 0; i < 100; i++) {
          clock.t += 10;
          expect((await limiter.consume('k')).allowed).toBe(false);
        }
        expect(store.calls).toBe(calls);
      }
    }
  });

  it('stays bounded under a flood of refused keys, keeping the most recent ones', async () => {
    const clock = { t: 1_000_000, now: () => clock.t };
    const store = remoteLike();
    const limiter = createRateLimiter({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000, clock, store, blockCache: 100 });
    for (let i = 0; i < 1_000; i++) {
      await limiter.consume(`k${i}`);
      await limiter.consume(`k${i}`);
    }
    // The last 100 refused keys are answered locally; older ones went out of the bounded cache.
    const calls = store.calls;
    await limiter.consume('k999');
    await limiter.consume('k0');
    expect(store.calls).toBe(calls + 1);
  });
});

import { ConfigurationError, isArmorError } from '@armor/errors';
import { manualClock } from '@armor/core';
import { describe, expect, it, vi } from 'vitest';
import { ALGORITHMS, storeConformance } from '../test/conformance.js';
import {
  RateLimitInputError,
  consumeAll,
  createAuthLimiter,
  createRateLimiter,
  memoryStore,
  tiers,
  transactionalStore,
  type RateLimitResult,
  type RateLimitStore,
  type StoredLimit,
} from './index.js';

storeConformance('memoryStore', () => memoryStore());
storeConformance('transactionalStore (Map)', () => {
  const rows = new Map<string, StoredLimit>();
  return transactionalStore({
    get: async (key) => rows.get(key),
    set: async (key, value) => void rows.set(key, structuredClone(value)),
    delete: async (key) => void rows.delete(key),
  });
});

function fakeClock(start = 1_700_000_000_000) {
  const clock = { t: start, now: () => clock.t };
  return clock;
}

describe('algorithms (memory store, fake clock)', () => {
  it('fixed window: resets at the aligned boundary', async () => {
    const clock = fakeClock(1_000_000);
    const l = createRateLimiter({ algorithm: 'fixed-window', limit: 3, windowMs: 1_000, clock });
    for (let i = 0; i < 3; i++) expect((await l.consume('k')).allowed).toBe(true);
    const refused = await l.consume('k');
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: 1_000, resetMs: 1_000 });
    clock.t += 999;
    expect((await l.consume('k')).allowed).toBe(false);
    clock.t += 1;
    expect(await l.consume('k')).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('sliding window: weights the previous window and says exactly when to retry', async () => {
    const clock = fakeClock(1_000_000);
    const l = createRateLimiter({ algorithm: 'sliding-window', limit: 10, windowMs: 1_000, clock });
    await l.consume('k', 10);
    clock.t += 1_000; // next window, previous count 10 fully weighted
    const refused = await l.consume('k');
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBe(100); // weight 0.9 leaves room for 1 point
    clock.t += 100;
    expect(await l.consume('k')).toMatchObject({ allowed: true, remaining: 0 });
    clock.t += 400; // weight 0.5: 5 + 1 used
    expect((await l.consume('k', 4)).allowed).toBe(true);
    expect((await l.consume('k')).allowed).toBe(false);
  });

  it('token bucket: refills continuously at refillRate up to burst', async () => {
    const clock = fakeClock();
    const l = createRateLimiter({ algorithm: 'token-bucket', limit: 10, refillRate: 2, burst: 4, clock });
    expect(l.policy).toMatchObject({ capacity: 4, msPerPoint: 500, windowMs: 5_000 });
    expect((await l.consume('k', 4)).allowed).toBe(true);
    const refused = await l.consume('k');
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: 500, limit: 4 });
    clock.t += 500;
    expect((await l.consume('k')).allowed).toBe(true);
    clock.t += 60_000;
    expect((await l.peek('k')).remaining).toBe(4);
  });

  it('gcra: spaces requests at windowMs / limit after the burst', async () => {
    const clock = fakeClock();
    const l = createRateLimiter({ algorithm: 'gcra', limit: 10, windowMs: 1_000, burst: 2, clock });
    expect((await l.consume('k')).allowed).toBe(true);
    expect((await l.consume('k')).allowed).toBe(true);
    expect(await l.consume('k')).toMatchObject({ allowed: false, retryAfterMs: 100 });
    clock.t += 100;
    expect((await l.consume('k')).allowed).toBe(true);
    expect((await l.consume('k')).allowed).toBe(false);
  });
});

describe('concurrency (memory store)', () => {
  for (const algorithm of ALGORITHMS) {
    it(`${algorithm}: 10,000 concurrent consumes admit exactly the limit`, async () => {
      const limiter = createRateLimiter({ algorithm, limit: 100, windowMs: 3_600_000 });
      const results = await Promise.all(Array.from({ length: 10_000 }, () => limiter.consume('hot')));
      expect(results.filter((r) => r.allowed)).toHaveLength(100);
      expect(limiter.stats()).toEqual({ name: 'rate-limit', allowed: 100, limited: 9_900, storeErrors: 0 });
    });
  }

  it('consumeSync is the same limiter without a promise', () => {
    const limiter = createRateLimiter({ algorithm: 'gcra', limit: 3, windowMs: 60_000 });
    expect([1, 2, 3, 4].map(() => limiter.consumeSync('k').allowed)).toEqual([true, true, true, false]);
    const asyncOnly = createRateLimiter({ algorithm: 'gcra', limit: 3, windowMs: 60_000, store: { apply: async () => [] } });
    expect(() => asyncOnly.consumeSync('k')).toThrow(ConfigurationError);
  });

  it('peekSync answers what peek answers, without a promise and without taking', async () => {
    for (const algorithm of ['fixed-window', 'sliding-window', 'token-bucket', 'gcra'] as const) {
      // A manual clock: both answers are read at the same instant (times in them are equal).
      const limiter = createRateLimiter({ algorithm, limit: 2, windowMs: 60_000, clock: manualClock(1_000_000) });
      expect(limiter.peekSync('k')).toMatchObject({ allowed: true });
      expect(limiter.peekSync('k', 2).allowed).toBe(true);
      expect(() => limiter.peekSync('k', 3)).toThrow(/larger than the limit/);
      limiter.consumeSync('k', 2);
      const sync = limiter.peekSync('k');
      expect(sync).toEqual(await limiter.peek('k'));
      expect(sync.allowed).toBe(false);
      expect(() => limiter.peekSync('')).toThrow();
    }
    const asyncOnly = createRateLimiter({ algorithm: 'gcra', limit: 3, windowMs: 60_000, store: { apply: async () => [] } });
    expect(() => asyncOnly.peekSync('k')).toThrow(ConfigurationError);
  });
});

describe('bad input', () => {
  const limiter = createRateLimiter({ algorithm: 'fixed-window', limit: 10, windowMs: 1_000 });
  const cases: [string, unknown, unknown, RegExp][] = [
    ['cost larger than limit', 'k', 11, /larger than the limit 10/],
    ['negative cost', 'k', -1, /finite number >= 0/],
    ['NaN cost', 'k', Number.NaN, /finite number >= 0/],
    ['infinite cost', 'k', Number.POSITIVE_INFINITY, /finite number >= 0/],
    ['string cost', 'k', '1', /finite number >= 0/],
    ['empty key', '', 1, /must not be empty/],
    ['non-string key', 42, 1, /must be a string/],
    ['key over 512 bytes', 'x'.repeat(513), 1, /at most 512 bytes/],
    ['multi-byte key over 512 bytes', 'é'.repeat(257), 1, /at most 512 bytes/],
  ];
  for (const [label, key, cost, message] of cases) {
    it(`rejects ${label}`, async () => {
      await expect(limiter.consume(key as string, cost as number)).rejects.toThrow(message);
      await expect(limiter.consume(key as string, cost as number)).rejects.toBeInstanceOf(RateLimitInputError);
      expect(() => limiter.consumeSync(key as string, cost as number)).toThrow(message);
    });
  }
  it('accepts a key of exactly 512 bytes and a zero cost', async () => {
    expect((await limiter.consume('é'.repeat(256))).allowed).toBe(true);
    expect((await limiter.consume('k', 0)).remaining).toBe(10);
  });
  it('input errors are 400 ArmorErrors', async () => {
    const error = await limiter.consume('', 1).catch((e: unknown) => e);
    expect(isArmorError(error, 'BAD_REQUEST')).toBe(true);
  });
});

describe('options', () => {
  const base = { algorithm: 'fixed-window', limit: 10, windowMs: 1_000 } as const;
  const bad: [string, Record<string, unknown>][] = [
    ['algorithm', { algorithm: 'leaky' }],
    ['limit', { limit: 0 }],
    ['limit', { limit: 1.5 }],
    ['windowMs', { windowMs: undefined }],
    ['windowMs', { windowMs: -5 }],
    ['refillRate', { refillRate: 5 }],
    ['refillRate', { algorithm: 'token-bucket', refillRate: 0 }],
    ['burst', { burst: 5 }],
    ['burst', { algorithm: 'gcra', burst: 0 }],
    ['blockDurationMs', { blockDurationMs: Number.NaN }],
    ['blockGrowth', { blockGrowth: 0.5 }],
    ['maxBlockDurationMs', { blockDurationMs: 1_000, maxBlockDurationMs: 10 }],
    ['store', { store: {} }],
    ['insurance', { insurance: 'memory' }],
    ['onStoreError', { onStoreError: 'ignore' }],
    ['clock', { clock: {} }],
    ['name', { name: '' }],
  ];
  for (const [option, patch] of bad) {
    it(`rejects a bad ${option} (${JSON.stringify(patch)})`, () => {
      const attempt = () => createRateLimiter({ ...base, ...patch } as never);
      expect(attempt).toThrow(ConfigurationError);
      expect(attempt).toThrow(`"${option}"`);
    });
  }
  it('refuses unknown options with the closest known name, in every factory', () => {
    expect(() => createRateLimiter({ ...base, window: 5 } as never)).toThrow(/Unknown option "window" of createRateLimiter \(did you mean "windowMs"\?\)/);
    expect(() => createRateLimiter({ ...base, blockDuration: 5 } as never)).toThrow(/did you mean "blockDurationMs"/);
    expect(() => memoryStore({ maxKey: 5 } as never)).toThrow(/Unknown option "maxKey" of memoryStore \(did you mean "maxKeys"\?\)/);
    expect(() => createAuthLimiter({ acount: {} } as never)).toThrow(/Unknown option "acount".*did you mean "account"/);
    expect(() => createAuthLimiter({ account: { limt: 3 } } as never)).toThrow(/Unknown option "limt"/);
    expect(() => transactionalStore({ get: () => undefined } as never)).toThrow('"set"');
  });
  it('says what it is (kind) for metrics bridges', () => {
    expect(createRateLimiter(base).kind).toBe('rate-limiter');
  });
  it('rejects bad memory store options', () => {
    expect(() => memoryStore({ maxKeys: 0 })).toThrow('"maxKeys"');
    expect(() => memoryStore({ sweepIntervalMs: -1 })).toThrow('"sweepIntervalMs"');
  });
});

describe('memoryStore', () => {
  it('is bounded by maxKeys', async () => {
    const store = memoryStore({ maxKeys: 100 });
    const limiter = createRateLimiter({ algorithm: 'fixed-window', limit: 5, windowMs: 60_000, store });
    for (let i = 0; i < 1_000; i++) await limiter.consume(`k${i}`);
    expect(store.size).toBeLessThanOrEqual(100);
    expect((await limiter.consume('k999')).remaining).toBe(3);
  });

  it('evicts keys that restrict nothing first: 1,000 new keys neither unblock a blocked account nor refill an exhausted one', async () => {
    const clock = fakeClock();
    const store = memoryStore({ maxKeys: 100 });
    const login = createRateLimiter({ algorithm: 'fixed-window', limit: 3, windowMs: 3_600_000, store, clock, name: 'login', blockDurationMs: 3_600_000 });
    const api = createRateLimiter({ algorithm: 'gcra', limit: 2, windowMs: 3_600_000, store, clock, name: 'api' });
    for (let i = 0; i < 4; i++) await login.consume('victim@example.com');
    expect((await login.consume('victim@example.com')).reason).toBe('blocked');
    await api.penalize('abuser', 5);
    await api.consume('spender', 2);
    for (let i = 0; i < 1_000; i++) {
      clock.t += 1;
      await (i % 2 ? login : api).consume(`churn${i}`);
    }
    // Ordinary keys stay within maxKeys; the victim's block sits in the block table.
    expect(store.size - store.blockedSize).toBeLessThanOrEqual(100);
    expect(store.blockedSize).toBe(1);
    expect(await login.consume('victim@example.com')).toMatchObject({ allowed: false, reason: 'blocked' });
    expect((await api.consume('abuser')).allowed).toBe(false);
    expect((await api.consume('spender')).allowed).toBe(false);
    // The bounds still hold when every key restricts: blocks beyond the block table are kept
    // among ordinary keys, whose oldest then go; the blocks in the table survive.
    const tight = memoryStore({ maxKeys: 3 });
    const blocker = createRateLimiter({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000, store: tight, clock, blockDurationMs: 60_000 });
    for (let i = 0; i < 10; i++) {
      blocker.consumeSync(`b${i}`);
      blocker.consumeSync(`b${i}`);
    }
    expect(tight.size).toBe(6);
    expect(tight.blockedSize).toBe(3);
    expect(tight.blockOverflows).toBe(7);
    expect(blocker.consumeSync('b0').reason).toBe('blocked');
    expect(blocker.consumeSync('b9').reason).toBe('blocked');
  });

  it('stays bounded and keeps limiting when limiters with different prefixes share a full store', async () => {
    // Regression: a sweep or eviction dropped a key space that had become empty while a write
    // into it was pending; the key then went into the dropped space, counted but unreachable,
    // until `size` stayed at maxKeys and every write evicted everything (no limit held).
    const clock = fakeClock();
    const store = memoryStore({ maxKeys: 2 });
    const limiters = ['a', 'b', 'c'].map((name) => createRateLimiter({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000, store, clock, name }));
    for (let i = 0; i < 30; i++) await limiters[i % 3]!.consume(`k${i}`);
    for (let i = 0; i < 30; i++) await consumeAll([limiters[i % 3]!, limiters[(i + 1) % 3]!], `all${i}`);
    expect(store.size).toBeLessThanOrEqual(2);
    const a = limiters[0]!;
    const b = limiters[1]!;
    expect((await a.consume('hot')).allowed).toBe(true);
    expect((await a.consume('hot')).allowed).toBe(false);
    expect(a.consumeSync('hot').allowed).toBe(false);
    expect((await b.consume('hot')).allowed).toBe(true);
    expect(store.size).toBe(2);
    store.clear();
    expect(store.size).toBe(0);
  });

  it('sweeps expired keys during calls, without timers', async () => {
    // Fake timers: a timer the store creates stays pending (nothing advances them), so
    // getTimerCount() sees it; the spies also catch a timer created and cleared in between.
    vi.useFakeTimers();
    const timerApis = ['setTimeout', 'setInterval', 'setImmediate'] as const;
    const spies = timerApis.filter((api) => typeof globalThis[api] === 'function').map((api) => vi.spyOn(globalThis, api));
    try {
      const clock = fakeClock();
      const store = memoryStore({ sweepIntervalMs: 1_000 });
      const limiter = createRateLimiter({ algorithm: 'fixed-window', limit: 5, windowMs: 500, store, clock });
      for (let i = 0; i < 50; i++) await limiter.consume(`k${i}`);
      expect(store.size).toBe(50);
      clock.t += 2_000;
      await limiter.consume('fresh');
      expect(store.size).toBe(1);

      // Every algorithm and call, many keys across many windows, blocks, eviction at maxKeys.
      const small = memoryStore({ maxKeys: 200, sweepIntervalMs: 300 });
      const limiters = ALGORITHMS.flatMap((algorithm) => [
        createRateLimiter({ algorithm, limit: 3, windowMs: 1_000, store: small, clock, name: `${algorithm}-plain` }),
        createRateLimiter({ algorithm, limit: 3, windowMs: 1_000, store: small, clock, name: `${algorithm}-blocks`, blockDurationMs: 5_000 }),
      ]);
      for (let window = 0; window < 20; window++) {
        for (const l of limiters) {
          for (let i = 0; i < 10; i++) {
            const key = `w${window}-k${i % 7}`;
            await l.consume(key);
            l.consumeSync(key);
            await l.peek(key);
            if (i % 3 === 0) await l.penalize(key, 2);
            if (i % 4 === 0) await l.reward(key);
            if (i % 5 === 0) await l.reset(key);
          }
        }
        await consumeAll(limiters.slice(0, 4), `w${window}-all`);
        clock.t += 700;
      }
      expect(small.size - small.blockedSize).toBeLessThanOrEqual(200);
      expect(small.blockedSize).toBeLessThanOrEqual(200);
      expect(vi.getTimerCount()).toBe(0);
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
      vi.useRealTimers();
    }
  });
});

describe('store failures', () => {
  const broken: RateLimitStore = { apply: () => Promise.reject(new Error('ECONNREFUSED')) };

  it("onStoreError 'allow' fails open with reason 'store-error' and an event", async () => {
    const limiter = createRateLimiter({ algorithm: 'gcra', limit: 1, windowMs: 1_000, store: broken });
    const errors: unknown[] = [];
    limiter.on('storeError', (e) => errors.push(e.error));
    limiter.on('storeError', () => {
      throw new Error('listener bug');
    });
    const results = await Promise.all([limiter.consume('k'), limiter.consume('k')]);
    expect(results.every((r) => r.allowed && r.reason === 'store-error')).toBe(true);
    expect(errors).toHaveLength(2);
    expect(limiter.stats()).toMatchObject({ allowed: 2, limited: 0, storeErrors: 2 });
  });

  it("onStoreError 'deny' fails closed without rejecting", async () => {
    const limiter = createRateLimiter({ algorithm: 'gcra', limit: 1, windowMs: 1_000, store: broken, onStoreError: 'deny' });
    expect(await limiter.consume('k')).toMatchObject({ allowed: false, reason: 'store-error', retryAfterMs: 1_000 });
  });

  it('insurance keeps limiting per process', async () => {
    const limiter = createRateLimiter({ algorithm: 'fixed-window', limit: 2, windowMs: 60_000, store: broken, insurance: memoryStore() });
    const results = await Promise.all([1, 2, 3].map(() => limiter.consume('k')));
    expect(results.map((r) => r.allowed)).toEqual([true, true, false]);
    expect(results.every((r) => r.reason === 'store-error')).toBe(true);
    expect(results.every((r) => r.source === 'insurance')).toBe(true);
  });

  it('marks only the made-up refusals of onStoreError deny with source "onStoreError" (what adapters answer with 503)', async () => {
    const deny = createRateLimiter({ algorithm: 'gcra', limit: 1, windowMs: 1_000, store: broken, onStoreError: 'deny' });
    expect(await deny.consume('k')).toMatchObject({ allowed: false, reason: 'store-error', source: 'onStoreError' });
    expect(await deny.peek('k')).toMatchObject({ allowed: false, reason: 'store-error', source: 'onStoreError' });
    const both = await consumeAll([deny, createRateLimiter({ algorithm: 'gcra', limit: 1, windowMs: 1_000, store: broken, onStoreError: 'deny', name: 'second' })], 'k');
    expect(both.results.map((r) => [r.allowed, r.source])).toEqual([[false, 'onStoreError'], [false, 'onStoreError']]);
    const bothDown = createRateLimiter({ algorithm: 'gcra', limit: 1, windowMs: 1_000, store: broken, insurance: broken, onStoreError: 'deny' });
    expect(await bothDown.consume('k')).toMatchObject({ allowed: false, source: 'onStoreError' });
    const open = createRateLimiter({ algorithm: 'gcra', limit: 1, windowMs: 1_000, store: broken });
    // Fail open: allowed, so never a 503 (the policy answered, nothing was refused).
    expect(await open.consume('k')).toMatchObject({ allowed: true, reason: 'store-error', source: 'onStoreError' });
    const healthy = createRateLimiter({ algorithm: 'gcra', limit: 1, windowMs: 1_000, onStoreError: 'deny' });
    await healthy.consume('k');
    const limited = await healthy.consume('k');
    expect(limited.reason).toBe('limit');
    expect(limited).not.toHaveProperty('source');
  });
});

describe('events', () => {
  it('emits allowed/limited to listeners and option callbacks; unsubscribe works', async () => {
    const seen: string[] = [];
    const limiter = createRateLimiter({
      algorithm: 'fixed-window',
      limit: 1,
      windowMs: 60_000,
      name: 'login',
      onLimited: (e) => seen.push(`opt:${e.key}`),
    });
    const off = limiter.on('allowed', (e) => seen.push(`allowed:${e.key}:${e.result.remaining}`));
    limiter.on('limited', (e) => seen.push(`limited:${e.result.reason}`));
    await limiter.consume('a');
    off();
    await limiter.consume('a');
    await limiter.consume('b');
    expect(seen).toEqual(['allowed:a:0', 'opt:a', 'limited:limit']);
    expect(limiter.stats()).toEqual({ name: 'login', allowed: 2, limited: 1, storeErrors: 0 });
  });
});

describe('tiers', () => {
  it('has the five documented presets', () => {
    expect(Object.keys(tiers)).toEqual(['strict', 'standard', 'relaxed', 'api', 'auth']);
    expect(tiers.strict).toMatchObject({ limit: 10, windowMs: 60_000 });
    expect(tiers.standard).toMatchObject({ limit: 100, windowMs: 60_000 });
    expect(tiers.relaxed).toMatchObject({ limit: 1_000, windowMs: 60_000 });
    expect(tiers.api).toMatchObject({ algorithm: 'gcra', limit: 600, burst: 60 });
    expect(tiers.auth).toMatchObject({ limit: 5, windowMs: 900_000, blockGrowth: 2 });
    for (const name of ['strict', 'standard', 'relaxed', 'api'] as const) expect(() => createRateLimiter({ ...tiers[name] })).not.toThrow();
  });

  it('every tier, auth included, spreads into createRateLimiter (tiers.auth.ip is not copied by a spread)', async () => {
    const store = memoryStore();
    for (const name of ['strict', 'standard', 'relaxed', 'api', 'auth'] as const) {
      expect(() => createRateLimiter({ ...tiers[name], store })).not.toThrow();
    }
    const auth = createRateLimiter({ ...tiers.auth, store });
    expect(auth.policy).toMatchObject({ algorithm: 'sliding-window', limit: 5, windowMs: 900_000, blockDurationMs: 900_000, blockGrowth: 2 });
    for (let i = 0; i < 5; i++) expect((await auth.consume('k')).allowed).toBe(true);
    expect(await auth.consume('k')).toMatchObject({ allowed: false, blockedMs: 900_000 });
    // The per-IP half is still there, and spreads too.
    expect(tiers.auth.ip).toMatchObject({ limit: 100, windowMs: 900_000 });
    expect(() => createRateLimiter({ ...tiers.auth.ip, store })).not.toThrow();
    expect(Object.keys(tiers.auth)).not.toContain('ip');
  });

  it('auth: counts failures per account and per IP, with growing blocks', async () => {
    const clock = fakeClock();
    const auth = createAuthLimiter({ clock, ip: { limit: 8 } });
    const victim = { account: 'alice@example.com', ip: '203.0.113.9' };
    for (let i = 0; i < 4; i++) expect((await auth.failure(victim)).allowed).toBe(true);
    const fifth = await auth.failure(victim);
    expect(fifth).toMatchObject({ allowed: false, reason: 'blocked', retryAfterMs: 900_000 });
    expect((await auth.check({ account: 'alice@example.com', ip: '198.51.100.1' })).allowed).toBe(false); // account blocked from any IP
    clock.t += 900_000 * 3; // block over, failures out of the sliding window
    expect((await auth.check(victim)).allowed).toBe(true);
    // Strikes are remembered: the next block lasts twice as long.
    for (let i = 0; i < 4; i++) await auth.failure({ ...victim, ip: `192.0.2.${i}` });
    expect((await auth.failure({ ...victim, ip: '192.0.2.99' })).retryAfterMs).toBe(1_800_000);
    // A success clears the account.
    await auth.success(victim);
    expect((await auth.check({ ...victim, ip: '192.0.2.50' })).allowed).toBe(true);
    // Credential stuffing: one IP over many accounts hits the IP limit (8 here).
    const stuffer = '198.51.100.66';
    const verdicts = [];
    for (let i = 0; i < 8; i++) verdicts.push(await auth.failure({ account: `user${i}`, ip: stuffer }));
    expect(verdicts.at(-1)).toMatchObject({ allowed: false, reason: 'blocked' });
    expect((await auth.check({ account: 'fresh-user', ip: stuffer })).allowed).toBe(false);
  });
});

/** A remote-like store (no sync path) over the memory store that counts its calls. */
function countingStore() {
  const inner = memoryStore();
  const store = { calls: 0, apply: (request: Parameters<RateLimitStore['apply']>[0]) => (store.calls++, inner.apply(request)) };
  return store;
}

describe('local block cache', () => {
  it('refuses a key over its limit in-process until its retry time, without calling the store', async () => {
    const clock = fakeClock(1_000_000);
    const store = countingStore();
    const limiter = createRateLimiter({ algorithm: 'fixed-window', limit: 2, windowMs: 1_000, store, clock });
    await limiter.consume('k');
    await limiter.consume('k');
    const refused = await limiter.consume('k');
    expect(refused).toMatchObject({ allowed: false, reason: 'limit', retryAfterMs: 1_000 });
    expect(store.calls).toBe(3);
    clock.t += 400;
    for (let i = 0; i < 100; i++) expect(await limiter.consume('k')).toMatchObject({ allowed: false, reason: 'limit', retryAfterMs: 600, remaining: 0 });
    expect(store.calls).toBe(3);
    expect(limiter.stats()).toMatchObject({ allowed: 2, limited: 101 });
    expect((await limiter.consume('k', 0)).allowed).toBe(true); // a smaller cost still asks the store
    expect(store.calls).toBe(4);
    clock.t += 600;
    expect((await limiter.consume('k')).allowed).toBe(true);
    expect(store.calls).toBe(5);
  });

  it('covers blocks until they end; reset, reward and penalize drop the entry; blockCache: false turns it off', async () => {
    const clock = fakeClock(1_000_000);
    const store = countingStore();
    const limiter = createRateLimiter({ algorithm: 'gcra', limit: 1, windowMs: 60_000, store, clock, blockDurationMs: 5_000, blockGrowth: 2 });
    await limiter.consume('k');
    expect(await limiter.consume('k')).toMatchObject({ reason: 'limit', blockedMs: 5_000 });
    const calls = store.calls;
    clock.t += 1_000;
    expect(await limiter.consume('k')).toMatchObject({ allowed: false, reason: 'blocked', blockedMs: 4_000, remaining: 0 });
    expect(store.calls).toBe(calls);
    clock.t += 4_000; // the block is over: the store answers (a limit again, and a longer block)
    expect(await limiter.consume('k')).toMatchObject({ allowed: false, reason: 'limit', blockedMs: 10_000 });
    expect(store.calls).toBe(calls + 1);
    await limiter.reset('k');
    expect((await limiter.consume('k')).allowed).toBe(true);

    const off = countingStore();
    const uncached = createRateLimiter({ algorithm: 'gcra', limit: 1, windowMs: 60_000, store: off, clock, blockCache: false });
    for (let i = 0; i < 5; i++) await uncached.consume('k');
    expect(off.calls).toBe(5);
    expect(() => createRateLimiter({ algorithm: 'gcra', limit: 1, windowMs: 1, blockCache: 0 })).toThrow('"blockCache"');
  });

  it('is bounded (blockCache: n keys)', async () => {
    const clock = fakeClock(1_000_000);
    const store = countingStore();
    const limiter = createRateLimiter({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000, store, clock, blockCache: 2 });
    for (const key of ['a', 'b', 'c']) {
      await limiter.consume(key);
      await limiter.consume(key);
    }
    const before = store.calls;
    await limiter.consume('a'); // evicted from the cache: asks the store
    await limiter.consume('c'); // cached
    expect(store.calls).toBe(before + 1);
  });
});

describe('waitFor', () => {
  it('waits for the next permit on the limiter clock, within maxWaitMs', async () => {
    const clock = manualClock(1_000_000);
    const limiter = createRateLimiter({ algorithm: 'gcra', limit: 2, windowMs: 1_000, clock });
    expect((await limiter.waitFor('k')).allowed).toBe(true);
    expect((await limiter.waitFor('k')).allowed).toBe(true);
    let settled: unknown;
    const waiting = limiter.waitFor('k').then((r) => (settled = r));
    await clock.advanceAsync(0); // let waitFor reach its sleep
    await clock.advanceAsync(499);
    expect(settled).toBeUndefined();
    await clock.advanceAsync(1);
    await waiting;
    expect(settled).toMatchObject({ allowed: true });
    // Too far away: resolves the refusal at once, without waiting.
    const refused = await limiter.waitFor('k', { maxWaitMs: 100 });
    expect(refused).toMatchObject({ allowed: false, reason: 'limit', retryAfterMs: 500 });
    expect(clock.pending).toBe(0);
  });

  it('waits a monthly quota (beyond 2^31 − 1 ms) with one timer: the store is asked once, then at the window end', async () => {
    const MONTH = 30 * 24 * 3_600_000;
    const clock = manualClock(0);
    const store = countingStore();
    const limiter = createRateLimiter({ algorithm: 'fixed-window', limit: 1, windowMs: MONTH, clock, store });
    await limiter.consume('k');
    let settled: RateLimitResult | undefined;
    const waiting = limiter.waitFor('k').then((r) => (settled = r));
    await clock.advanceAsync(0); // let waitFor reach its sleep
    expect(store.calls).toBe(2);
    for (let day = 1; day < 30; day++) {
      await clock.advanceAsync(24 * 3_600_000);
      expect(settled).toBeUndefined();
    }
    expect(store.calls).toBe(2); // never asked again before the retry time: no spin
    await clock.advanceAsync(24 * 3_600_000);
    await waiting;
    expect(settled).toMatchObject({ allowed: true });
    expect(store.calls).toBe(3);
    expect(clock.pending).toBe(0);
  });

  it('rejects at once with the abort reason (and takes nothing)', async () => {
    const clock = manualClock(1_000_000);
    const limiter = createRateLimiter({ algorithm: 'fixed-window', limit: 1, windowMs: 10_000, clock });
    await limiter.consume('k');
    const controller = new AbortController();
    const waiting = limiter.waitFor('k', { signal: controller.signal, maxWaitMs: 60_000 });
    await clock.advanceAsync(0); // let waitFor reach its sleep
    await clock.advanceAsync(10);
    controller.abort(new Error('client went away'));
    await expect(waiting).rejects.toThrow('client went away');
    expect(clock.pending).toBe(0);
    await expect(limiter.waitFor('k', { signal: AbortSignal.abort('early') })).rejects.toBe('early');
    clock.advance(10_000);
    expect((await limiter.peek('k')).remaining).toBe(1);
  });

  it('answers a store failure at once (no waiting on a dead store) and checks its input', async () => {
    const broken: RateLimitStore = { apply: () => Promise.reject(new Error('down')) };
    const limiter = createRateLimiter({ algorithm: 'gcra', limit: 1, windowMs: 1_000, store: broken, onStoreError: 'deny' });
    expect(await limiter.waitFor('k')).toMatchObject({ allowed: false, reason: 'store-error' });
    await expect(limiter.waitFor('k', { maxWait: 5 } as never)).rejects.toThrow(/did you mean "maxWaitMs"/);
    await expect(limiter.waitFor('k', { cost: 2 })).rejects.toBeInstanceOf(RateLimitInputError);
    await expect(limiter.waitFor('', {})).rejects.toBeInstanceOf(RateLimitInputError);
  });
});

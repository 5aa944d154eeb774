/**
 * Issue 16 (cache part): no hung keys, fail-safe grace, and what lru-cache / cache-manager /
 * bentocache users expect. Runs in Node and the edge runtime.
 */
import { kindOf, manualClock } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import { describe, expect, it } from 'vitest';
import { createCache, type LoaderContext } from './cache.js';
import { CacheLoaderTimeoutError } from './errors.js';
import { createLoader } from './loader.js';
import { memoize } from './memoize.js';
import { memoryStore } from './stores/memory.js';
import type { CacheEvents } from './types.js';

const never = () => new Promise<string>(() => undefined);
const flush = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('a loader that never settles', () => {
  it('rejects every waiter with CacheLoaderTimeoutError after loaderTimeoutMs, aborts its signal, and frees the key', async () => {
    const clock = manualClock(1_000);
    const cache = createCache<string>({ ttlMs: 60_000, clock, loaderTimeoutMs: 500 });
    let signal: AbortSignal | undefined;
    const hung = (ctx: LoaderContext) => ((signal = ctx.signal), never());
    const first = cache.getOrSet('k', hung);
    const second = cache.getOrSet('k', hung);
    const outcomes = Promise.allSettled([first, second]);
    await flush();
    expect(cache.stats().loadsInFlight).toBe(1);
    await clock.advanceAsync(499);
    expect(signal?.aborted).toBe(false);
    await clock.advanceAsync(1);
    const [a, b] = await outcomes;
    expect(a.status === 'rejected' && a.reason).toBeInstanceOf(CacheLoaderTimeoutError);
    expect(b.status === 'rejected' && b.reason).toBe(a.status === 'rejected' && a.reason);
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(CacheLoaderTimeoutError);
    expect(cache.stats()).toMatchObject({ loaderTimeouts: 1, loadsInFlight: 0 });
    expect(await cache.getOrSet('k', () => 'fresh')).toBe('fresh');
  });

  it('times out after the documented default of 10 s', async () => {
    const clock = manualClock();
    const cache = createCache<string>({ ttlMs: 60_000, clock });
    const pending = cache.getOrSet('k', never);
    let settled = false;
    pending.catch(() => undefined).finally(() => (settled = true));
    await flush();
    await clock.advanceAsync(9_999);
    expect(settled).toBe(false);
    await clock.advanceAsync(1);
    await expect(pending).rejects.toThrow(/did not settle within 10000 ms/);
  });

  it('does not block its key after delete: the next getOrSet runs its own loader', async () => {
    const cache = createCache<string>({ ttlMs: 60_000, loaderTimeoutMs: Infinity });
    const hung = cache.getOrSet('k', never);
    hung.catch(() => undefined);
    await flush();
    await cache.delete('k');
    let calls = 0;
    expect(await cache.getOrSet('k', () => (calls++, 'mine'))).toBe('mine');
    expect(calls).toBe(1);
    expect(await cache.get('k')).toBe('mine');
  });

  it('does not block its key after set: the next getOrSet sees the set value', async () => {
    const cache = createCache<string>({ ttlMs: 60_000, loaderTimeoutMs: Infinity });
    void cache.getOrSet('k', never);
    await flush();
    await cache.set('k', 'written');
    expect(await cache.getOrSet('k', () => 'loader')).toBe('written');
  });

  it('a superseded load does not overwrite what the new loader stored', async () => {
    const cache = createCache<string>({ ttlMs: 60_000 });
    let release!: (v: string) => void;
    const old = cache.getOrSet('k', () => new Promise<string>((r) => (release = r)));
    await flush();
    await cache.delete('k');
    expect(await cache.getOrSet('k', () => 'new')).toBe('new');
    release('old');
    expect(await old).toBe('old');
    expect(await cache.get('k')).toBe('new');
  });

  it('refuses a bad loaderTimeoutMs', () => {
    expect(() => createCache({ ttlMs: 1, loaderTimeoutMs: 0 })).toThrow(ConfigurationError);
    expect(() => createCache({ ttlMs: 1, loaderTimeoutMs: -1 })).toThrow(/loaderTimeoutMs/);
  });
});

describe('fail-safe grace window', () => {
  it('serves the old value when the loader fails after the SWR window, within graceMs; emits grace and counts it', async () => {
    const clock = manualClock(1_000_000);
    const grace: CacheEvents['grace'][] = [];
    const cache = createCache<number>({ ttlMs: 1_000, staleWhileRevalidateMs: 1_000, graceMs: 10_000, clock, onGrace: (e) => grace.push(e) });
    expect(await cache.getOrSet('k', () => 1)).toBe(1);
    clock.advance(5_000); // past fresh + SWR, inside grace
    expect(await cache.get('k')).toBeUndefined(); // not served on its own
    const failure = new Error('db down');
    expect(
      await cache.getOrSet('k', () => {
        throw failure;
      }),
    ).toBe(1);
    expect(grace).toEqual([{ key: 'k', error: failure }]);
    expect(cache.stats().graceServed).toBe(1);
    expect(await cache.getOrSet('k', () => 2)).toBe(2); // a working loader replaces it
    clock.advance(20_000); // past grace
    await expect(
      cache.getOrSet('k', () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
  });

  it('serves the grace value when the loader times out', async () => {
    const clock = manualClock(0);
    const cache = createCache<string>({ ttlMs: 100, graceMs: 60_000, loaderTimeoutMs: 50, clock });
    await cache.set('k', 'old');
    clock.advance(200);
    const pending = cache.getOrSet('k', never);
    await flush();
    await clock.advanceAsync(50);
    expect(await pending).toBe('old');
  });

  it('does not serve a grace value for a key deleted meanwhile', async () => {
    const clock = manualClock(0);
    const cache = createCache<string>({ ttlMs: 100, graceMs: 60_000, clock });
    await cache.set('k', 'old');
    clock.advance(200);
    await cache.delete('k');
    await expect(cache.getOrSet('k', () => Promise.reject(new Error('x')))).rejects.toThrow('x');
  });

  it('a failed background refresh keeps the stale value and reports refreshError', async () => {
    const clock = manualClock(0);
    const errors: unknown[] = [];
    const cache = createCache<number>({ ttlMs: 100, staleWhileRevalidateMs: 1_000, clock, onRefreshError: (e) => errors.push(e.error) });
    await cache.set('k', 1);
    clock.advance(150);
    expect(await cache.getOrSet('k', () => Promise.reject(new Error('boom')))).toBe(1);
    await expect.poll(() => errors.length).toBe(1);
    expect(cache.stats().refreshErrors).toBe(1);
  });
});

describe('skip caching, negative caching', () => {
  it('cacheIf (cache-level and per call) returns but does not store refused values', async () => {
    const cache = createCache<number>({ ttlMs: 60_000, cacheIf: (v) => (v as number) > 0 });
    expect(await cache.getOrSet('neg', () => -1)).toBe(-1);
    expect(await cache.has('neg')).toBe(false);
    expect(await cache.getOrSet('pos', () => 1)).toBe(1);
    expect(await cache.has('pos')).toBe(true);
    expect(await cache.getOrSet('pos2', () => 2, { cacheIf: () => false })).toBe(2);
    expect(await cache.has('pos2')).toBe(false);
  });

  it('ctx.skip() returns the value without caching it', async () => {
    const cache = createCache<string>({ ttlMs: 60_000 });
    expect(await cache.getOrSet('k', (ctx) => (ctx.skip(), 'transient'))).toBe('transient');
    expect(await cache.has('k')).toBe(false);
  });

  it('negativeTtlMs: a loaded null/undefined lives for its own TTL', async () => {
    const clock = manualClock(0);
    const cache = createCache<string | null>({ ttlMs: 60_000, negativeTtlMs: 1_000, clock });
    let loads = 0;
    expect(await cache.getOrSet('missing', () => (loads++, null))).toBeNull();
    expect(await cache.getOrSet('missing', () => (loads++, null))).toBeNull();
    expect(loads).toBe(1);
    expect(await cache.getOrSet('found', () => 'v')).toBe('v');
    clock.advance(1_000);
    expect(await cache.has('missing')).toBe(false);
    expect(await cache.has('found')).toBe(true);
    expect(await cache.getOrSet('missing', () => (loads++, 'now here'), { negativeTtlMs: 5 })).toBe('now here');
    expect(loads).toBe(2);
  });
});

describe('bulk operations and has', () => {
  it('getMany / setMany / deleteMany / has', async () => {
    const cache = createCache<number>({ ttlMs: 60_000, namespace: 'n' });
    await cache.setMany([
      { key: 'a', value: 1 },
      { key: 'b', value: 2, options: { tags: ['t'] } },
    ]);
    expect(await cache.getMany(['a', 'x', 'b'])).toEqual([1, undefined, 2]);
    expect(await cache.has('a')).toBe(true);
    expect(await cache.has('x')).toBe(false);
    const before = cache.stats();
    await cache.has('a');
    expect(cache.stats().hits).toBe(before.hits); // has() is not a lookup
    expect(await cache.deleteMany(['a', 'x', 'b'])).toBe(2);
    expect(await cache.getMany(['a', 'b'])).toEqual([undefined, undefined]);
  });

  it('has() sees a cached undefined', async () => {
    const cache = createCache({ ttlMs: 60_000 });
    await cache.getOrSet('u', () => undefined);
    expect(await cache.has('u')).toBe(true);
  });
});

describe('kinds and option checks', () => {
  it('says what it is', () => {
    expect(createCache({ ttlMs: 1 }).kind).toBe('cache');
    expect(kindOf(createCache({ ttlMs: 1 }))).toBe('cache');
    expect(createLoader(async (ks: readonly string[]) => ks).kind).toBe('batch-loader');
    expect(kindOf(createLoader(async (ks: readonly string[]) => ks))).toBe('batch-loader');
  });

  it('refuses unknown options with the closest known name, in every factory', () => {
    expect(() => createCache({ ttlMs: 1, ttl: 5 } as never)).toThrow(/Unknown option "ttl".*did you mean "ttlMs"/);
    expect(() => createCache({ ttlMs: 1, staleWhileRevalidate: 5 } as never)).toThrow(/did you mean "staleWhileRevalidateMs"/);
    expect(() => createCache({ ttlMs: 1, lock: { wait: 1 } } as never)).toThrow(ConfigurationError);
    expect(() => memoryStore({ max: 1, maxSize: 5 } as never)).toThrow(/did you mean "maxSizeBytes"/);
    expect(() => createLoader(async (k: readonly string[]) => k, { maxBatch: 2 } as never)).toThrow(/did you mean "maxBatchSize"/);
    expect(() => memoize(async () => 1, { ttlMs: 1, keyFn: () => 'x' } as never)).toThrow(/Unknown option "keyFn"/);
    expect(() => createCache({} as never)).toThrow(/ttlMs/);
    expect(() => createCache({ ttlMs: 1, clock: {} as never })).toThrow(/clock/);
  });

  it('per-call options are checked too', async () => {
    const cache = createCache({ ttlMs: 1_000 });
    await expect(cache.getOrSet('k', () => 1, { ttl: 5 } as never)).rejects.toThrow(/did you mean "ttlMs"/);
    await expect(cache.set('k', 1, { tag: ['x'] } as never)).rejects.toThrow(/did you mean "tags"/);
  });
});

describe('batch loader scheduling', () => {
  it('batchScheduleFn decides when a batch runs; maxBatchSize splits it', async () => {
    const calls: string[][] = [];
    const dispatchers: (() => void)[] = [];
    const loader = createLoader(
      async (ids: readonly string[]) => {
        calls.push([...ids]);
        return ids.map((id) => id.toUpperCase());
      },
      { batchScheduleFn: (run) => void dispatchers.push(run), maxBatchSize: 2 },
    );
    const a = loader.load('a');
    await flush();
    const rest = [loader.load('b'), loader.load('c')]; // a later tick: still the same batch
    await flush();
    expect(calls).toEqual([]);
    expect(dispatchers).toHaveLength(2); // [a, b] full, then [c]
    for (const run of dispatchers) run();
    expect(await Promise.all([a, ...rest])).toEqual(['A', 'B', 'C']);
    expect(calls).toEqual([['a', 'b'], ['c']]);
  });

  it('refuses a bad batchScheduleFn or maxBatchSize', () => {
    expect(() => createLoader(async (k: readonly string[]) => k, { batchScheduleFn: 5 as never })).toThrow(/batchScheduleFn/);
    expect(() => createLoader(async (k: readonly string[]) => k, { maxBatchSize: 0 })).toThrow(/maxBatchSize/);
  });
});

describe('load events', () => {
  it('report each loader run with its duration, and its error when it fails or times out', async () => {
    const clock = manualClock(1_000);
    const cache = createCache<string>({ ttlMs: 60_000, clock, loaderTimeoutMs: 50 });
    const loads: CacheEvents['load'][] = [];
    cache.on('load', (e) => loads.push(e));
    const ok = cache.getOrSet('a', async () => {
      await new Promise<void>((r) => clock.setTimeout(r, 20));
      return 'A';
    });
    await new Promise((r) => setTimeout(r, 0)); // let the loader start and schedule its timer
    await clock.advanceAsync(20);
    await expect(ok).resolves.toBe('A');
    await expect(cache.getOrSet('b', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    const hung = cache.getOrSet('c', () => new Promise<string>(() => undefined));
    await new Promise((r) => setTimeout(r, 0));
    await clock.advanceAsync(50);
    await expect(hung).rejects.toBeInstanceOf(CacheLoaderTimeoutError);
    expect(loads.map((l) => [l.key, l.durationMs, l.error === undefined ? undefined : (l.error as Error).name])).toEqual([
      ['a', 20, undefined],
      ['b', 0, 'Error'],
      ['c', 50, 'CacheLoaderTimeoutError'],
    ]);
  });
});

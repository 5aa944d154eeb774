import { ConfigurationError, isArmorError } from '@armor/errors';
import { describe, expect, it, vi } from 'vitest';
import { createCache } from './cache.js';
import { CacheLoaderTimeoutError } from './errors.js';
import { memoryStore } from './stores/memory.js';
import type { CacheEvents } from './types.js';

const fakeClock = (start = 1_000_000) => {
  const clock = { t: start, now: () => clock.t };
  return clock;
};
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('createCache getOrSet stampede guard', () => {
  it('1,000 concurrent misses for one key call the loader once', async () => {
    const cache = createCache<{ id: number }>({ ttlMs: 60_000 });
    let calls = 0;
    const loader = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      return { id: 7 };
    };
    const results = await Promise.all(Array.from({ length: 1_000 }, () => cache.getOrSet('user:7', loader)));
    expect(calls).toBe(1);
    expect(new Set(results).size).toBe(1);
    expect(results[0]).toEqual({ id: 7 });
    expect(cache.stats()).toMatchObject({ misses: 1_000, hits: 0, loadsInFlight: 0 });
    await cache.getOrSet('user:7', loader);
    expect(calls).toBe(1);
    expect(cache.stats().hits).toBe(1);
  });

  it('shares a loader rejection with every waiter and does not cache it', async () => {
    const cache = createCache({ ttlMs: 60_000 });
    let calls = 0;
    const failing = async () => {
      calls++;
      await tick();
      throw new Error('db down');
    };
    const settled = await Promise.allSettled(Array.from({ length: 50 }, () => cache.getOrSet('k', failing)));
    expect(settled.every((s) => s.status === 'rejected' && (s.reason as Error).message === 'db down')).toBe(true);
    expect(calls).toBe(1);
    expect(await cache.getOrSet('k', () => 'ok')).toBe('ok');
  });

  it('coalesces per key: different keys load independently', async () => {
    const cache = createCache<string>({ ttlMs: 60_000 });
    const seen: string[] = [];
    await Promise.all(['a', 'b', 'a', 'c', 'b'].map((k) => cache.getOrSet(k, async () => (seen.push(k), k))));
    expect(seen.sort()).toEqual(['a', 'b', 'c']);
  });

  it('does not store a value loaded before a concurrent delete', async () => {
    const cache = createCache<string>({ ttlMs: 60_000 });
    let release!: () => void;
    const pending = cache.getOrSet('k', () => new Promise<string>((r) => (release = () => r('old'))));
    await tick();
    await cache.delete('k');
    release();
    expect(await pending).toBe('old');
    expect(await cache.get('k')).toBeUndefined();
  });

  it('does not let an in-flight load overwrite a newer set', async () => {
    const cache = createCache<string>({ ttlMs: 60_000 });
    let release!: () => void;
    const pending = cache.getOrSet('k', () => new Promise<string>((r) => (release = () => r('old'))));
    await tick();
    await cache.set('k', 'new');
    release();
    await pending;
    expect(await cache.get('k')).toBe('new');
  });
});

describe('createCache TTL and stale-while-revalidate', () => {
  it('expires entries after ttlMs (per call override too)', async () => {
    const clock = fakeClock();
    const evicted: CacheEvents['evict'][] = [];
    const cache = createCache<string>({ ttlMs: 1_000, clock, onEvict: (e) => evicted.push(e) });
    await cache.set('a', 'A');
    await cache.set('b', 'B', { ttlMs: 5_000 });
    clock.t += 999;
    expect(cache.getSync('a')).toBe('A');
    clock.t += 1;
    expect(cache.getSync('a')).toBeUndefined();
    expect(await cache.get('b')).toBe('B');
    expect(evicted).toEqual([{ key: 'a', reason: 'expired' }]);
    expect(cache.stats().size).toBe(1);
  });

  it('serves the stale value at once and refreshes it in the background once', async () => {
    const clock = fakeClock();
    const cache = createCache<number>({ ttlMs: 1_000, staleWhileRevalidateMs: 10_000, clock });
    const stale: string[] = [];
    cache.on('stale', (e) => stale.push(e.key));
    let version = 0;
    let release!: () => void;
    const loader = () => (version === 0 ? Promise.resolve(++version) : new Promise<number>((r) => (release = () => r(++version))));
    expect(await cache.getOrSet('k', loader)).toBe(1);
    clock.t += 1_500;
    const served = await Promise.all(Array.from({ length: 100 }, () => cache.getOrSet('k', loader)));
    expect(served.every((v) => v === 1)).toBe(true);
    expect(cache.stats().loadsInFlight).toBe(1);
    expect(stale.length).toBe(100);
    release();
    await expect.poll(() => cache.getSync('k')).toBe(2);
    expect(version).toBe(2);
    expect(cache.stats()).toMatchObject({ staleServed: 100, loadsInFlight: 0 });
  });

  it('keeps the stale value and emits refreshError when the refresh fails', async () => {
    const clock = fakeClock();
    const errors: CacheEvents['refreshError'][] = [];
    const cache = createCache<string>({ ttlMs: 1_000, staleWhileRevalidateMs: 10_000, clock, onRefreshError: (e) => errors.push(e) });
    await cache.getOrSet('k', () => 'v1');
    clock.t += 2_000;
    const boom = new Error('upstream 500');
    expect(await cache.getOrSet('k', () => Promise.reject(boom))).toBe('v1');
    await expect.poll(() => errors.length).toBe(1);
    expect(errors[0]).toEqual({ key: 'k', error: boom });
    expect(await cache.getOrSet('k', () => 'v2')).toBe('v1'); // still stale, refresh retried
    await expect.poll(() => cache.getSync('k')).toBe('v2');
    expect(cache.stats().refreshErrors).toBe(1);
  });

  it('loads synchronously (for the caller) once past the SWR window', async () => {
    const clock = fakeClock();
    const cache = createCache<string>({ ttlMs: 1_000, staleWhileRevalidateMs: 1_000, clock });
    await cache.getOrSet('k', () => 'v1');
    clock.t += 2_001;
    expect(await cache.getOrSet('k', () => 'v2')).toBe('v2');
  });
});

describe('createCache tags, namespaces, events and stats', () => {
  it('invalidates by tag', async () => {
    const cache = createCache<number>({ ttlMs: 60_000 });
    await cache.set('p1', 1, { tags: ['team:1'] });
    await cache.set('p2', 2, { tags: ['team:1', 'x'] });
    await cache.getOrSet('p3', () => 3, { tags: ['team:2'] });
    expect(await cache.invalidateTag('team:1')).toBe(2);
    expect(cache.getSync('p1')).toBeUndefined();
    expect(cache.getSync('p2')).toBeUndefined();
    expect(cache.getSync('p3')).toBe(3);
  });

  it('isolates namespaces sharing one store (keys, tags, clear, evictions)', async () => {
    const store = memoryStore({ max: 100 });
    const a = createCache<string>({ store, ttlMs: 60_000, namespace: 'a' });
    const b = createCache<string>({ store, ttlMs: 60_000, namespace: 'b' });
    await a.set('k', 'A', { tags: ['t'] });
    await b.set('k', 'B', { tags: ['t'] });
    expect(a.getSync('k')).toBe('A');
    expect(b.getSync('k')).toBe('B');
    expect(await a.invalidateTag('t')).toBe(1);
    expect(b.getSync('k')).toBe('B');
    await a.set('k2', 'A2');
    await a.clear();
    expect(a.getSync('k2')).toBeUndefined();
    expect(b.getSync('k')).toBe('B');
    expect(a.name).toBe('a');
  });

  it('emits hit/miss/set/evict events with the caller key, isolating throwing listeners', async () => {
    const cache = createCache<number>({ ttlMs: 60_000, namespace: 'ns' });
    const log: string[] = [];
    cache.on('hit', () => {
      throw new Error('listener bug');
    });
    const off = cache.on('hit', (e) => log.push(`hit:${e.key}`));
    cache.on('miss', (e) => log.push(`miss:${e.key}`));
    cache.on('set', (e) => log.push(`set:${e.key}`));
    cache.on('evict', (e) => log.push(`evict:${e.key}:${e.reason}`));
    expect(await cache.getOrSet('a', () => 1)).toBe(1);
    expect(await cache.getOrSet('a', () => 2)).toBe(1);
    expect(cache.getSync('a')).toBe(1);
    off();
    expect(cache.getSync('a')).toBe(1);
    expect(await cache.delete('a')).toBe(true);
    expect(await cache.get('a')).toBeUndefined();
    expect(log).toEqual(['miss:a', 'set:a', 'hit:a', 'hit:a', 'evict:a:deleted', 'miss:a']);
    expect(cache.stats()).toEqual({
      name: 'ns',
      hits: 3,
      misses: 2,
      hitRate: 0.6,
      size: 0,
      evictions: 1,
      loadsInFlight: 0,
      staleServed: 0,
      graceServed: 0,
      loaderTimeouts: 0,
      refreshErrors: 0,
      storeErrors: 0,
    });
  });

  it('emits hit and miss to listeners added and removed at any time, and to the option callbacks', async () => {
    const log: string[] = [];
    const cache = createCache<number>({ ttlMs: 60_000, onHit: (e) => log.push(`onHit:${e.key}`) });
    await cache.set('a', 1);
    cache.getSync('a');
    const offHit = cache.on('hit', (e) => log.push(`hit:${e.key}`));
    const offMiss = cache.on('miss', (e) => log.push(`miss:${e.key}`));
    cache.getSync('a');
    cache.getSync('b');
    offHit();
    offMiss();
    cache.getSync('a');
    cache.getSync('b');
    cache.on('miss', (e) => log.push(`again:${e.key}`));
    cache.getSync('b');
    expect(log).toEqual(['onHit:a', 'onHit:a', 'hit:a', 'miss:b', 'onHit:a', 'again:b']);
    expect(cache.stats()).toMatchObject({ hits: 3, misses: 3 });
  });

  it('reports hitRate 0 before any lookup and works with the default clock', async () => {
    const cache = createCache({ ttlMs: 60_000 });
    expect(cache.stats()).toMatchObject({ name: 'cache', hitRate: 0 });
    await cache.set('k', 'v');
    expect(cache.getSync('k')).toBe('v');
  });

  it('caches falsy values', async () => {
    const cache = createCache({ ttlMs: 60_000 });
    let calls = 0;
    for (let i = 0; i < 3; i++) await cache.getOrSet('zero', () => (calls++, 0));
    expect(calls).toBe(1);
  });

  it('rejects a non-function loader without throwing synchronously', async () => {
    const cache = createCache({ ttlMs: 60_000 });
    await expect(cache.getOrSet('k', 'nope' as never)).rejects.toThrow(ConfigurationError);
  });
});

describe('createCache loaderTimeoutMs beyond the runtime timer limit', () => {
  // vitest's fake timers behave like Node: a raw setTimeout above 2^31 - 1 ms fires after 1 ms
  it.each([
    ['the cache option', { loaderTimeoutMs: 2 ** 31 }, undefined],
    ['a per-call override', {}, { loaderTimeoutMs: 30 * 24 * 3_600_000 }],
  ])('a timeout of 2^31 ms or more (%s) does not fire early, and fires when it is due', async (_label, cacheOptions, callOptions) => {
    vi.useFakeTimers();
    try {
      const cache = createCache<string>({ ttlMs: 1_000, ...cacheOptions });
      const timeoutMs = callOptions?.loaderTimeoutMs ?? 2 ** 31;
      let outcome: unknown = 'pending';
      void cache.getOrSet('slow', () => new Promise<string>(() => undefined), callOptions).then(
        (value) => (outcome = value),
        (error: unknown) => (outcome = error),
      );
      await vi.advanceTimersByTimeAsync(10);
      expect(outcome).toBe('pending');
      await vi.advanceTimersByTimeAsync(timeoutMs - 20);
      expect(outcome).toBe('pending');
      expect(cache.stats().loaderTimeouts).toBe(0);
      await vi.advanceTimersByTimeAsync(20);
      expect(outcome).toBeInstanceOf(CacheLoaderTimeoutError);
      expect(cache.stats().loaderTimeouts).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('createCache bad options', () => {
  const store = memoryStore({ max: 1 });
  it.each([
    ['options', undefined],
    ['ttlMs', {}],
    ['ttlMs', { ttlMs: 0 }],
    ['ttlMs', { ttlMs: -5 }],
    ['ttlMs', { ttlMs: Number.POSITIVE_INFINITY }],
    ['ttlMs', { ttlMs: '100' }],
    ['staleWhileRevalidateMs', { ttlMs: 1, staleWhileRevalidateMs: -1 }],
    ['namespace', { ttlMs: 1, namespace: '' }],
    ['serializer', { ttlMs: 1, serializer: {} }],
    ['clock', { ttlMs: 1, clock: Date.now }],
    ['failOpen', { ttlMs: 1, failOpen: 'yes' }],
    ['store', { ttlMs: 1, store: {} }],
    ['lock', { ttlMs: 1, store, lock: true }],
    ['onHit', { ttlMs: 1, onHit: 'x' }],
  ])('throws ConfigurationError naming %s', (option, options) => {
    let thrown: unknown;
    try {
      createCache(options as never);
    } catch (error) {
      thrown = error;
    }
    expect(isArmorError(thrown, 'CONFIGURATION_ERROR')).toBe(true);
    expect((thrown as Error).message).toContain(`"${option}"`);
  });

  it('validates per-call options', async () => {
    const cache = createCache({ ttlMs: 1_000 });
    await expect(cache.set('k', 1, { ttlMs: -1 })).rejects.toThrow(ConfigurationError);
    await expect(cache.set('k', 1, { tags: [''] })).rejects.toThrow('"tags"');
    await expect(cache.invalidateTag('')).rejects.toThrow('"tag"');
  });
});

/**
 * The store conformance suite: every @armor/cache store driver must pass it. Each driver's
 * test file calls `describeStoreConformance(name, makeStore)`.
 */
import { manualClock } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCache } from '../src/cache.js';
import type { CacheEntry, CacheStore } from '../src/types.js';

export interface ConformanceTarget {
  store: CacheStore;
  /** A second store instance sharing the same backing data (e.g. another Redis client), when the driver is shared. */
  cleanup?: () => Promise<void>;
}

const entry = <V>(value: V, freshUntil = 2_000_000_000_000, staleUntil = freshUntil): CacheEntry<V> => ({ value, freshUntil, staleUntil });
const opts = { ttlMs: 60_000 };

export function describeStoreConformance(name: string, make: () => Promise<ConformanceTarget> | ConformanceTarget): void {
  describe(`store conformance: ${name}`, () => {
    let target: ConformanceTarget;
    let store: CacheStore;
    beforeEach(async () => {
      target = await make();
      store = target.store;
    });
    afterEach(async () => {
      await target.cleanup?.();
    });

    it('resolves undefined for a missing key', async () => {
      expect(await store.get('missing')).toBeUndefined();
    });

    it('round-trips an entry with its freshness window', async () => {
      const value = { id: 1, name: 'Ada', tags: ['a', 'b'], nested: { ok: true, n: null } };
      await store.set('user:1', entry(value, 1_900_000_000_000, 1_900_000_100_000), opts);
      const got = await store.get('user:1');
      expect(got?.value).toEqual(value);
      expect(got?.freshUntil).toBe(1_900_000_000_000);
      expect(got?.staleUntil).toBe(1_900_000_100_000);
    });

    it('overwrites an existing key', async () => {
      await store.set('k', entry('one'), opts);
      await store.set('k', entry('two'), opts);
      expect((await store.get('k'))?.value).toBe('two');
    });

    it('stores falsy values (0, "", false, null)', async () => {
      for (const [i, v] of [0, '', false, null].entries()) {
        await store.set(`falsy:${i}`, entry(v), opts);
        expect((await store.get(`falsy:${i}`))?.value).toBe(v);
      }
    });

    it('handles keys with glob, separator and non-ASCII characters', async () => {
      const key = 'a:b*c?[x]\\ y ü 🙂 |';
      await store.set(key, entry('odd'), opts);
      await store.set('a:bz', entry('other'), opts);
      expect((await store.get(key))?.value).toBe('odd');
      await store.clear('a:b*');
      expect(await store.get(key)).toBeUndefined();
      expect((await store.get('a:bz'))?.value).toBe('other');
    });

    it('deletes a key and reports whether it existed', async () => {
      await store.set('d', entry(1), opts);
      expect(await store.delete('d')).toBe(true);
      expect(await store.get('d')).toBeUndefined();
      expect(await store.delete('d')).toBe(false);
    });

    it('clears by prefix, and everything with an empty prefix', async () => {
      await store.set('ns1:a', entry(1), opts);
      await store.set('ns1:b', entry(2), opts);
      await store.set('ns2:a', entry(3), opts);
      await store.clear('ns1:');
      expect(await store.get('ns1:a')).toBeUndefined();
      expect(await store.get('ns1:b')).toBeUndefined();
      expect((await store.get('ns2:a'))?.value).toBe(3);
      await store.clear('');
      expect(await store.get('ns2:a')).toBeUndefined();
    });

    it('invalidates every key of a tag and only those', async () => {
      await store.set('p:1', entry(1), { ...opts, tags: ['team:a', 'all'] });
      await store.set('p:2', entry(2), { ...opts, tags: ['team:a'] });
      await store.set('p:3', entry(3), { ...opts, tags: ['team:b', 'all'] });
      await store.set('p:4', entry(4), opts);
      const removed = await store.invalidateTag('team:a');
      expect([...removed].sort()).toEqual(['p:1', 'p:2']);
      expect(await store.get('p:1')).toBeUndefined();
      expect(await store.get('p:2')).toBeUndefined();
      expect((await store.get('p:3'))?.value).toBe(3);
      expect((await store.get('p:4'))?.value).toBe(4);
      expect(await store.invalidateTag('team:a')).toEqual([]);
      expect(await store.invalidateTag('all')).toEqual(['p:3']);
      expect(await store.invalidateTag('never-used')).toEqual([]);
    });

    it('does not resurrect a deleted tagged key on invalidation', async () => {
      await store.set('t:1', entry(1), { ...opts, tags: ['x'] });
      await store.delete('t:1');
      expect(await store.invalidateTag('x')).toEqual([]);
    });

    it('backs a cache: getMany answers in order (in one round trip where the store can)', async () => {
      const cache = createCache({ store, ttlMs: 60_000, namespace: 'many' });
      await cache.setMany([
        { key: 'a', value: 1 },
        { key: 'c', value: new Date(3) },
        { key: 'u', value: undefined },
      ]);
      expect(await cache.getMany(['a', 'b', 'c', 'u'])).toEqual([1, undefined, new Date(3), undefined]);
      expect(await cache.getMany([])).toEqual([]);
      if (store.getMany) expect(await store.getMany(['many:a', 'many:b'])).toMatchObject([{ value: 1 }, undefined]);
    });

    it('a plain set over a tagged key drops its old tag memberships', async () => {
      await store.set('o', entry('old'), { ...opts, tags: ['old-tag'] });
      await store.set('o', entry('new'), opts);
      expect(await store.invalidateTag('old-tag')).toEqual([]);
      expect((await store.get('o'))?.value).toBe('new');
    });

    it('re-tagging a key moves it from the old tags to the new ones', async () => {
      await store.set('r', entry(1), { ...opts, tags: ['a', 'shared'] });
      await store.set('r', entry(2), { ...opts, tags: ['b', 'shared'] });
      expect(await store.invalidateTag('a')).toEqual([]);
      expect((await store.get('r'))?.value).toBe(2);
      expect(await store.invalidateTag('b')).toEqual(['r']);
      expect(await store.get('r')).toBeUndefined();
      expect(await store.invalidateTag('shared')).toEqual([]);
    });

    it('a key deleted and re-set without tags is not removed by its old tag', async () => {
      await store.set('d2', entry(1), { ...opts, tags: ['gone'] });
      await store.delete('d2');
      await store.set('d2', entry(2), opts);
      expect(await store.invalidateTag('gone')).toEqual([]);
      expect((await store.get('d2'))?.value).toBe(2);
    });

    it('backs a cache: plain set after a tagged set survives invalidating the old tag', async () => {
      const cache = createCache({ store, ttlMs: 60_000, namespace: 'tags' });
      await cache.set('user', 'v1', { tags: ['team'] });
      await cache.set('user', 'v2');
      expect(await cache.invalidateTag('team')).toBe(0);
      expect(await cache.get('user')).toBe('v2');
    });

    it('backs a cache: undefined, null, Date, Map, Set, BigInt and non-finite numbers come back as they went in', async () => {
      const cache = createCache({ store, ttlMs: 60_000, namespace: 'values' });
      const values: [string, unknown][] = [
        ['undefined', undefined],
        ['null', null],
        ['date', new Date(86_400_000)],
        ['map', new Map<unknown, unknown>([['a', 1], [2, { b: [new Date(0)] }]])],
        ['set', new Set(['x', 1])],
        ['bigint', 12_345_678_901_234_567_890n],
        ['numbers', [Number.NaN, Infinity, -Infinity, 0, 1.5]],
        ['nested', { at: new Date(5), ids: new Set([1n]), missing: undefined, list: [undefined, null] }],
        ['looks-tagged', { $armor: 'Date', v: 1 }],
        ['string-tilde', '~{"not":"tagged"}'],
      ];
      for (const [key, value] of values) {
        let loads = 0;
        expect(await cache.getOrSet(key, () => (loads++, value))).toEqual(value);
        expect(await cache.getOrSet(key, () => (loads++, 'reloaded'))).toEqual(value); // cached, even undefined
        expect(loads, key).toBe(1);
        expect(await cache.has(key), key).toBe(true);
        const read = await cache.get(key);
        expect(read, key).toEqual(value);
        if (value instanceof Date) expect(read).toBeInstanceOf(Date);
        if (value instanceof Map) expect(read).toBeInstanceOf(Map);
      }
      await cache.set('set-date', new Date(7));
      expect(await cache.get('set-date')).toEqual(new Date(7));
    });

    it('backs a cache: TTL edges (exclusive end, fractional ms, per-call overrides, bad values refused)', async () => {
      const clock = manualClock(1_000_000);
      const cache = createCache({ store, ttlMs: 1_000, clock, namespace: 'ttl' });
      // (Redis also enforces the TTL in real time: keep real-time windows well above one round trip)
      await cache.set('one', 1, { ttlMs: 2_000 });
      clock.advance(1_999);
      expect(await cache.get('one')).toBe(1);
      clock.advance(1);
      expect(await cache.get('one')).toBeUndefined(); // fresh until now + ttl, exclusive
      await expect(cache.set('half', 1, { ttlMs: 0.5 })).resolves.toBeUndefined(); // fractional ms accepted (Redis rounds up)
      await cache.set('long', 'year', { ttlMs: 365 * 86_400_000 });
      clock.advance(364 * 86_400_000);
      expect(await cache.get('long')).toBe('year');
      await cache.set('swr', 's', { ttlMs: 10, staleWhileRevalidateMs: 0 });
      clock.advance(10);
      expect(await cache.getOrSet('swr', () => 'reloaded')).toBe('reloaded');
      for (const bad of [0, -1, Infinity, Number.NaN]) {
        await expect(cache.set('bad', 1, { ttlMs: bad })).rejects.toThrow(ConfigurationError);
        expect(() => createCache({ store, ttlMs: bad })).toThrow(ConfigurationError);
      }
      await expect(cache.set('bad', 1, { staleWhileRevalidateMs: -1 })).rejects.toThrow(ConfigurationError);
    });

    it('takes and releases the cross-process lock when it has one', async () => {
      if (!store.lock || !store.unlock) {
        expect(store.lock).toBeUndefined();
        return;
      }
      const token = await store.lock('job', 5_000);
      expect(typeof token).toBe('string');
      expect(await store.lock('job', 5_000)).toBeUndefined();
      await store.unlock('job', 'not-the-token');
      expect(await store.lock('job', 5_000)).toBeUndefined();
      await store.unlock('job', token!);
      const again = await store.lock('job', 5_000);
      expect(typeof again).toBe('string');
      await store.unlock('job', again!);
    });

    it('backs a cache: 200 concurrent getOrSet misses call the loader once', async () => {
      const cache = createCache({ store, ttlMs: 60_000, namespace: 'conf' });
      let calls = 0;
      const loader = async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 10));
        return { v: 42 };
      };
      const results = await Promise.all(Array.from({ length: 200 }, () => cache.getOrSet('hot', loader)));
      expect(calls).toBe(1);
      expect(results.every((r) => r.v === 42)).toBe(true);
      expect(await cache.get('hot')).toEqual({ v: 42 });
      expect(calls).toBe(1);
    });

    it('backs a cache: stale-while-revalidate serves stale once-refreshed values', async () => {
      let now = 1_000_000;
      const cache = createCache<number>({ store, ttlMs: 1_000, staleWhileRevalidateMs: 60_000, clock: { now: () => now } });
      let version = 0;
      const loader = async () => ++version;
      expect(await cache.getOrSet('swr', loader)).toBe(1);
      now += 2_000; // past ttl, inside the SWR window
      const served = await Promise.all(Array.from({ length: 20 }, () => cache.getOrSet('swr', loader)));
      expect(served.every((v) => v === 1)).toBe(true);
      await expect.poll(() => cache.get('swr')).toBe(2);
      expect(version).toBe(2);
    });
  });
}

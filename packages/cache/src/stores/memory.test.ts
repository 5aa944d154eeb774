import { ConfigurationError } from '@armor/errors';
import { describe, expect, it } from 'vitest';
import { describeStoreConformance } from '../../test/store-conformance.js';
import { createCache } from '../cache.js';
import { estimateSize, memoryStore } from './memory.js';
import type { CacheEvents } from '../types.js';

describeStoreConformance('memory', () => ({ store: memoryStore({ max: 1_000 }) }));

describe('memoryStore', () => {
  it('evicts the least recently used entry beyond max and reports it as capacity', async () => {
    const evicted: CacheEvents['evict'][] = [];
    const cache = createCache({ store: memoryStore({ max: 2 }), ttlMs: 60_000, onEvict: (e) => evicted.push(e) });
    await cache.set('a', 1);
    await cache.set('b', 2);
    expect(cache.getSync('a')).toBe(1); // a is now most recent
    await cache.set('c', 3);
    expect(cache.getSync('b')).toBeUndefined();
    expect(cache.getSync('a')).toBe(1);
    expect(evicted).toEqual([{ key: 'b', reason: 'capacity' }]);
    expect(cache.stats()).toMatchObject({ size: 2, evictions: 1 });
  });

  it('bounds the estimated size with maxSizeBytes', async () => {
    const store = memoryStore({ max: 1_000, maxSizeBytes: 1_000 });
    const cache = createCache({ store, ttlMs: 60_000 });
    for (let i = 0; i < 20; i++) await cache.set(`k${i}`, 'x'.repeat(100)); // ~200 bytes each
    expect(store.size()).toBeLessThanOrEqual(5);
    expect(cache.getSync('k19')).toBe('x'.repeat(100));
    expect(cache.getSync('k0')).toBeUndefined();
  });

  it('does not keep an entry larger than maxSizeBytes, nor its tags', async () => {
    const store = memoryStore({ max: 10, maxSizeBytes: 100, sizeOf: () => 1_000 });
    await store.set('big', { value: 1, freshUntil: 1, staleUntil: 1 }, { ttlMs: 1, tags: ['t'] });
    expect(store.getSync('big')).toBeUndefined();
    expect(await store.invalidateTag('t')).toEqual([]);
  });

  it('drops evicted keys from the tag index', async () => {
    const store = memoryStore({ max: 1 });
    await store.set('a', { value: 1, freshUntil: 1, staleUntil: 1 }, { ttlMs: 1, tags: ['t'] });
    await store.set('b', { value: 2, freshUntil: 1, staleUntil: 1 }, { ttlMs: 1, tags: ['t'] });
    expect(await store.invalidateTag('t')).toEqual(['b']);
  });

  it('re-tags a key on overwrite', async () => {
    const store = memoryStore({ max: 10 });
    await store.set('a', { value: 1, freshUntil: 1, staleUntil: 1 }, { ttlMs: 1, tags: ['old'] });
    await store.set('a', { value: 2, freshUntil: 1, staleUntil: 1 }, { ttlMs: 1, tags: ['new'] });
    expect(await store.invalidateTag('old')).toEqual([]);
    expect(await store.invalidateTag('new')).toEqual(['a']);
  });

  it('estimates sizes structurally', () => {
    expect(estimateSize('abcd')).toBe(8);
    expect(estimateSize(1)).toBe(8);
    expect(estimateSize(new Uint8Array(100))).toBe(100);
    expect(estimateSize({ a: 'xx' })).toBeGreaterThan(estimateSize({}));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(Number.isFinite(estimateSize(cyclic))).toBe(true);
  });

  it.each([
    ['max', { max: 0 }],
    ['max', { max: 1.5 }],
    ['max', {}],
    ['maxSizeBytes', { max: 1, maxSizeBytes: 0 }],
    ['maxSizeBytes', { max: 1, maxSizeBytes: Number.NaN }],
    ['sizeOf', { max: 1, sizeOf: 'x' }],
  ])('rejects a bad %s', (option, options) => {
    expect(() => memoryStore(options as never)).toThrow(ConfigurationError);
    expect(() => memoryStore(options as never)).toThrow(`"${option}"`);
  });
});

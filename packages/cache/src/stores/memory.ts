import { checkFunction, checkInt, checkNumber, checkOptions, Emitter } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import { LRUCache } from 'lru-cache';
import type { CacheEntry, CacheStore, EvictReason } from '../types.js';

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** Maximum number of entries; the least recently used entry is evicted beyond it. Integer >= 1. */
  max: number;
  /**
   * Optional bound on the estimated size of all values, in bytes. Entries are measured with
   * `sizeOf` when written; the least recently used ones are evicted to stay under it.
   * @default no size bound
   */
  maxSizeBytes?: number | undefined;
  /**
   * Estimates the size of one value in bytes (only used with `maxSizeBytes`).
   * @default a structural estimate (strings 2 bytes/char, numbers 8, objects 16 + members)
   */
  sizeOf?: ((value: unknown) => number) | undefined;
}

/** A {@link CacheStore} held in process memory; adds synchronous reads and `size()`. */
export interface MemoryStore extends CacheStore {
  readonly kind: 'memory';
  readonly local: true;
  evictExpired(key: string): void;
  getSync(key: string): CacheEntry | undefined;
  size(): number;
  onEvict(listener: (key: string, reason: EvictReason) => void): () => void;
}

/** Rough size of a value in bytes (UTF-16 strings, 8-byte numbers, small object overheads). */
export function estimateSize(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'string':
      return 2 * value.length;
    case 'number':
    case 'bigint':
      return 8;
    case 'boolean':
      return 4;
    case 'object': {
      if (value === null) return 4;
      if (depth > 32) return 16;
      if (value instanceof ArrayBuffer) return value.byteLength;
      if (ArrayBuffer.isView(value)) return value.byteLength;
      let size = 16;
      if (Array.isArray(value)) {
        for (const item of value) size += 8 + estimateSize(item, depth + 1);
        return size;
      }
      if (value instanceof Map) {
        for (const [k, v] of value as Map<unknown, unknown>) size += estimateSize(k, depth + 1) + estimateSize(v, depth + 1);
        return size;
      }
      for (const k of Object.keys(value)) size += 2 * k.length + 8 + estimateSize((value as Record<string, unknown>)[k], depth + 1);
      return size;
    }
    default:
      return 8;
  }
}

/**
 * In-process LRU store built on lru-cache: the embedded default of `createCache`. Values are
 * kept by reference (no copy, no serialization), reads are synchronous, and tags are indexed
 * in memory. Time-based expiry is decided by the cache (lazily, on read); `max` and
 * `maxSizeBytes` bound memory.
 *
 * @example
 * ```ts
 * const cache = createCache({ store: memoryStore({ max: 10_000, maxSizeBytes: 50e6 }), ttlMs: 60_000 });
 * ```
 */
export function memoryStore(options: MemoryStoreOptions): MemoryStore {
  checkOptions('memoryStore', options, ['max', 'maxSizeBytes', 'sizeOf']);
  const { max, maxSizeBytes, sizeOf = estimateSize } = options ?? ({} as MemoryStoreOptions);
  if (max === undefined) throw new ConfigurationError('max', 'is required: the largest number of entries (integer >= 1)', { received: max });
  checkInt('max', max, 1);
  checkNumber('maxSizeBytes', maxSizeBytes, { min: 1, unit: 'bytes' });
  checkFunction('sizeOf', sizeOf);

  const tagIndex = new Map<string, Set<string>>();
  const events = new Emitter<{ evict: { key: string; reason: EvictReason } }>({ component: 'cache memory store' });

  const untag = (key: string, entry: CacheEntry) => {
    if (!entry.tags) return;
    for (const tag of entry.tags) {
      const keys = tagIndex.get(tag);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) tagIndex.delete(tag);
    }
  };

  const lru = new LRUCache<string, CacheEntry>({
    max,
    ...(maxSizeBytes !== undefined
      ? { maxSize: maxSizeBytes, sizeCalculation: (entry: CacheEntry) => Math.max(1, Math.ceil(sizeOf(entry.value)) || 1) }
      : {}),
    dispose: (entry, key, reason) => {
      untag(key, entry);
      if (reason === 'evict' && events.has('evict')) events.emit('evict', { key, reason: 'capacity' });
    },
  });

  return {
    kind: 'memory',
    local: true,
    evictExpired: (key) => {
      lru.delete(key);
    },
    getSync: (key) => lru.get(key),
    get: async (key) => lru.get(key),
    set: async (key, entry, { tags }) => {
      const stored: CacheEntry = tags && tags.length > 0 ? { ...entry, tags: [...tags] } : entry.tags ? { ...entry, tags: undefined } : entry;
      lru.set(key, stored);
      if (stored.tags && lru.has(key)) {
        for (const tag of stored.tags) {
          let keys = tagIndex.get(tag);
          if (!keys) tagIndex.set(tag, (keys = new Set()));
          keys.add(key);
        }
      }
    },
    delete: async (key) => lru.delete(key),
    clear: async (prefix) => {
      if (prefix === '') {
        lru.clear();
        tagIndex.clear();
        return;
      }
      for (const key of [...lru.keys()]) if (key.startsWith(prefix)) lru.delete(key);
    },
    invalidateTag: async (tag) => {
      const keys = tagIndex.get(tag);
      if (!keys) return [];
      const removed = [...keys];
      for (const key of removed) lru.delete(key);
      tagIndex.delete(tag);
      return removed;
    },
    size: () => lru.size,
    onEvict: (listener) => events.on('evict', ({ key, reason }) => listener(key, reason)),
  };
}

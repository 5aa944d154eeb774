/**
 * Shared types of `@armor/cache`: the entry format, the store driver interface, serializers
 * and the event map.
 *
 * @module
 */
export type { Clock } from '@armor/core';

/**
 * One cached value with its freshness window, as stores keep it.
 *
 * Times are epoch milliseconds from the cache's clock.
 */
export interface CacheEntry<V = unknown> {
  /** The cached value (memory stores keep the reference; Redis stores a serialized copy). */
  value: V;
  /** Until this time (ms, exclusive) the entry is fresh and served as a hit. */
  freshUntil: number;
  /**
   * Until this time (ms, exclusive) the entry may be served stale by `getOrSet` while it is
   * refreshed in the background. Equal to `freshUntil` when stale-while-revalidate is off.
   */
  staleUntil: number;
  /**
   * Until this time (ms, exclusive) the entry is kept as a fail-safe: served by `getOrSet` only
   * when the loader replacing it fails. Absent (= `staleUntil`) when the grace window is off.
   */
  graceUntil?: number | undefined;
  /** Tags the entry was written with (for `invalidateTag`). */
  tags?: readonly string[] | undefined;
}

/** Turns values into strings for stores that hold bytes (Redis) and back. */
export interface Serializer {
  /**
   * Encodes `value`. Must throw (preferably a `CacheSerializationError`) for values it cannot
   * round-trip, so no corrupt entry is ever written.
   */
  serialize(value: unknown): string;
  /** Decodes what `serialize` produced. */
  deserialize(text: string): unknown;
}

/** Why an entry left the cache. */
export type EvictReason =
  /** pushed out by the memory store's `max` / `maxSizeBytes` bound */
  | 'capacity'
  /** past its stale-while-revalidate window */
  | 'expired'
  /** `cache.delete(key)` */
  | 'deleted'
  /** `cache.invalidateTag(tag)` */
  | 'tag'
  /** another instance wrote or invalidated the key (tiered store pub/sub) */
  | 'remote';

/** Options of {@link CacheStore.set}. */
export interface StoreSetOptions {
  /** How long the store must keep the entry (ms; `graceUntil - now` (or `staleUntil - now`), always > 0). */
  ttlMs: number;
  /** Tags to index the key under. */
  tags?: readonly string[] | undefined;
  /** Serializer chosen on the cache (stores that hold bytes use it instead of their default). */
  serializer?: Serializer | undefined;
}

/**
 * A cache storage driver. Implemented by {@link memoryStore}, {@link redisStore} and
 * {@link tieredStore}; every driver passes the same conformance suite. Keys arrive already
 * namespaced by the cache.
 */
export interface CacheStore {
  /** Driver name, e.g. `memory`, `redis`, `tiered` (not an `ArmorKind`: a store is part of a cache). */
  readonly kind: string;
  /** Reads an entry. Resolves `undefined` when absent. Rejects on infrastructure failure. */
  get(key: string, serializer?: Serializer): Promise<CacheEntry | undefined>;
  /**
   * Reads several entries in one round trip (Redis `MGET`), in order. Optional: the cache falls
   * back to one `get` per key.
   */
  getMany?(keys: readonly string[], serializer?: Serializer): Promise<(CacheEntry | undefined)[]>;
  /**
   * Synchronous read for stores that hold entries in process memory (memory, tiered L1).
   * Absent on stores that cannot answer synchronously.
   */
  getSync?(key: string): CacheEntry | undefined;
  /** Writes an entry, replacing any previous one and its tags. */
  set(key: string, entry: CacheEntry, options: StoreSetOptions): Promise<void>;
  /** Removes a key. Resolves `true` when it existed. */
  delete(key: string): Promise<boolean>;
  /** Removes every key starting with `prefix` (`''`: every key of this store). */
  clear(prefix: string): Promise<void>;
  /** Removes every key written with `tag`; resolves the removed keys. */
  invalidateTag(tag: string): Promise<string[]>;
  /**
   * `true` when {@link CacheStore.getSync} sees every entry the store has (a pure memory
   * store), so a synchronous miss is final. Tiered stores answer `getSync` from L1 only.
   */
  readonly local?: boolean;
  /** Drops a local copy the cache found past its window (memory, tiered L1). Stores with their own TTL (Redis) omit it. */
  evictExpired?(key: string): void;
  /** Number of entries held in process memory, when known. */
  size?(): number;
  /** Subscribes to evictions that the store decides on its own (capacity, remote). */
  onEvict?(listener: (key: string, reason: EvictReason) => void): () => void;
  /**
   * Tries to take a short cross-process lock (`SET NX PX`). Resolves a token when taken,
   * `undefined` when another process holds it.
   */
  lock?(key: string, ttlMs: number): Promise<string | undefined>;
  /** Releases a lock taken with {@link CacheStore.lock} (only if the token still owns it). */
  unlock?(key: string, token: string): Promise<void>;
  /** Releases connections the store opened itself (never the user's client). */
  close?(): Promise<void>;
}

/** Payloads of the events a cache emits (see `cache.on`). Times are epoch ms. */
export interface CacheEvents {
  /** A fresh value was served. `key` is the caller's key (without namespace). */
  hit: { key: string };
  /** No fresh value was found. */
  miss: { key: string };
  /** A value was written. */
  set: { key: string };
  /** An entry left the cache. */
  evict: { key: string; reason: EvictReason };
  /** A stale value was served while a background refresh runs. */
  stale: { key: string };
  /**
   * The loader failed (or timed out) for an entry past its stale window but inside its grace
   * window: the old value was served instead of rejecting.
   */
  grace: { key: string; error: unknown };
  /**
   * A loader run settled (`getOrSet` or a background refresh): how long it took, and its error
   * when it failed or timed out. Bridges turn it into load spans and latency figures.
   */
  load: { key: string; durationMs: number; error?: unknown };
  /** A background refresh failed; the stale value stays. */
  refreshError: { key: string; error: unknown };
  /**
   * The store failed (e.g. Redis down), or refused a loaded value (`error` is then a
   * `CacheSerializationError` and the callers still got the value). `operation` is `get`,
   * `set`, `delete`, `lock`, ...
   */
  storeError: { operation: string; error: unknown };
}

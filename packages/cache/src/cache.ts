import { ConfigurationError, isArmorError } from '@armor/errors';
import { coarseClock } from './clock.js';
import { Emitter } from './emitter.js';
import { CacheSerializationError, CacheStoreError } from './errors.js';
import { memoryStore } from './stores/memory.js';
import type { CacheEntry, CacheEvents, CacheStore, Clock, Serializer } from './types.js';

/** Cross-process stampede lock settings (stores with `lock`, i.e. Redis and tiered). */
export interface CacheLockOptions {
  /** How long a lock is held at most, in ms (`SET NX PX`). @default 5000 */
  ttlMs?: number | undefined;
  /** How long other processes wait for the holder's value before calling the loader themselves, in ms. @default 5000 */
  waitMs?: number | undefined;
  /** Interval between reads while waiting, in ms. @default 25 */
  pollMs?: number | undefined;
}

/** Options of {@link createCache}. */
export interface CacheOptions {
  /**
   * Where entries live.
   * @default memoryStore({ max: 10_000 })
   */
  store?: CacheStore | undefined;
  /** Default time an entry stays fresh, in ms (> 0, finite). */
  ttlMs: number;
  /**
   * Default stale-while-revalidate window after `ttlMs`, in ms: `getOrSet` serves the stale
   * value at once and refreshes it in the background (once).
   * @default 0 (off)
   */
  staleWhileRevalidateMs?: number | undefined;
  /** Prefix for every key and tag (`<namespace>:`), so several caches can share one store. @default none */
  namespace?: string | undefined;
  /**
   * Serializer for stores that hold bytes (Redis). Memory stores keep references.
   * @default the store's own default (strict JSON, {@link jsonSerializer})
   */
  serializer?: Serializer | undefined;
  /** Name used in `stats()` and as the metric label. @default namespace, else `'cache'` */
  name?: string | undefined;
  /** Time source (epoch ms). @default `Date.now` read at most once per ms */
  clock?: Clock | undefined;
  /**
   * On a store failure (e.g. Redis down), `true` treats reads as misses and skips writes
   * (emitting `storeError`), so `getOrSet` falls back to the loader; `false` rejects with
   * {@link CacheStoreError}. `delete`, `clear` and `invalidateTag` always reject on failure.
   * @default true
   */
  failOpen?: boolean | undefined;
  /**
   * Cross-process stampede guard for `getOrSet` misses: one process takes a short
   * `SET NX PX` lock and loads; the others poll for its value and fall back to their own
   * loader after `waitMs`. Needs a store with `lock` (Redis, tiered). `true` uses defaults.
   * @default false
   */
  lock?: boolean | CacheLockOptions | undefined;
  /** Called on every `hit` event. */
  onHit?: ((event: CacheEvents['hit']) => void) | undefined;
  /** Called on every `miss` event. */
  onMiss?: ((event: CacheEvents['miss']) => void) | undefined;
  /** Called on every `set` event. */
  onSet?: ((event: CacheEvents['set']) => void) | undefined;
  /** Called on every `evict` event. */
  onEvict?: ((event: CacheEvents['evict']) => void) | undefined;
  /** Called on every `stale` event. */
  onStale?: ((event: CacheEvents['stale']) => void) | undefined;
  /** Called on every `refreshError` event. */
  onRefreshError?: ((event: CacheEvents['refreshError']) => void) | undefined;
  /** Called on every `storeError` event. */
  onStoreError?: ((event: CacheEvents['storeError']) => void) | undefined;
}

/** Per-write options of `set` and `getOrSet`. */
export interface CacheSetOptions {
  /** Fresh time for this entry, in ms. @default the cache's `ttlMs` */
  ttlMs?: number | undefined;
  /** Stale-while-revalidate window for this entry, in ms. @default the cache's `staleWhileRevalidateMs` */
  staleWhileRevalidateMs?: number | undefined;
  /** Tags for `invalidateTag`. @default none */
  tags?: readonly string[] | undefined;
}

/** Plain-JSON statistics (maps onto `cacheStatsSchema` of `@armor/metrics`). */
export interface CacheStats {
  name: string;
  /** Lookups answered with a fresh value. */
  hits: number;
  /** Lookups without a fresh value (stale serves count as misses). */
  misses: number;
  /** hits / (hits + misses); 0 before the first lookup. */
  hitRate: number;
  /** Entries held in process memory by the store (whole store, all namespaces), when known. */
  size?: number;
  /** Entries that left the cache (capacity, expiry, delete, tag, remote). */
  evictions: number;
  /** Loader calls currently running (misses and background refreshes). */
  loadsInFlight: number;
  /** Stale values served while refreshing. */
  staleServed: number;
  /** Background refreshes that failed. */
  refreshErrors: number;
  /** Store failures (see `storeError`). */
  storeErrors: number;
}

/** A cache created by {@link createCache}. */
export interface Cache<V = unknown> {
  /** The `name` option. */
  readonly name: string;
  /** The store this cache writes to. */
  readonly store: CacheStore;
  /** Resolves the fresh value of `key`, or `undefined` (miss, stale, or store down with `failOpen`). */
  get<T extends V = V>(key: string): Promise<T | undefined>;
  /**
   * Synchronous fast path: the fresh value of `key` from a store held in process memory
   * (memory store, tiered L1), or `undefined`. Throws `ConfigurationError` for stores that
   * cannot read synchronously (Redis).
   */
  getSync<T extends V = V>(key: string): T | undefined;
  /** Writes `value`. Rejects with {@link CacheSerializationError} for values the store cannot hold. */
  set(key: string, value: V, options?: CacheSetOptions): Promise<void>;
  /** Removes `key`; resolves `true` when it existed. */
  delete(key: string): Promise<boolean>;
  /** Removes every entry of this cache (its namespace, or the whole store without one). */
  clear(): Promise<void>;
  /**
   * Returns the cached value or calls `loader` once for all concurrent callers, stores the
   * result and returns it. Within the stale-while-revalidate window the stale value is
   * returned at once and `loader` runs once in the background.
   */
  getOrSet<T extends V>(key: string, loader: () => T | Promise<T>, options?: CacheSetOptions): Promise<T>;
  /** Removes every entry written with `tag`; resolves how many were removed. */
  invalidateTag(tag: string): Promise<number>;
  /** Counters as plain JSON. */
  stats(): CacheStats;
  /** Subscribes to an event; returns the unsubscribe function. Throwing listeners are isolated. */
  on<K extends keyof CacheEvents>(event: K, listener: (payload: CacheEvents[K]) => void): () => void;
  /** Detaches from the store's eviction feed and closes connections the store opened itself. */
  close(): Promise<void>;
}

interface Flight {
  promise: Promise<unknown>;
  /** set when the leader knows the outcome */
  outcome: 'hit' | 'miss' | 'stale' | undefined;
  /** a write/delete/invalidation happened meanwhile: do not store the loaded value */
  invalidated: boolean;
  tags: readonly string[] | undefined;
}

const positive = (name: string, value: unknown, allowZero = false): number => {
  if (typeof value !== 'number' || !Number.isFinite(value) || (allowZero ? value < 0 : value <= 0)) {
    throw new ConfigurationError(name, allowZero ? 'must be a finite number of ms >= 0' : 'must be a finite number of ms > 0', {
      received: value,
    });
  }
  return value;
};

const checkTags = (tags: unknown): readonly string[] | undefined => {
  if (tags === undefined) return undefined;
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || t === '')) {
    throw new ConfigurationError('tags', 'must be an array of non-empty strings', { received: tags });
  }
  return tags as string[];
};

const isSerializationError = (error: unknown) =>
  error instanceof CacheSerializationError || (isArmorError(error) && error.name === 'CacheSerializationError');

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(() => resolve(), ms);
    (t as { unref?: () => void }).unref?.();
  });

/**
 * Creates a TTL cache over a pluggable store, with stampede protection (concurrent misses of
 * a key share one loader call, optionally across processes), stale-while-revalidate, tags,
 * fail-open behaviour when the store is down, events and stats.
 *
 * @example
 * ```ts
 * const cache = createCache({ ttlMs: 60_000, staleWhileRevalidateMs: 300_000 });
 * const user = await cache.getOrSet(`user:${id}`, () => db.users.find(id), { tags: [`team:${teamId}`] });
 * await cache.invalidateTag(`team:${teamId}`);
 * ```
 */
export function createCache<V = unknown>(options: CacheOptions): Cache<V> {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError('options', 'must be an object with at least ttlMs', { received: options });
  }
  const defaultTtl = positive('ttlMs', options.ttlMs);
  const defaultSwr = positive('staleWhileRevalidateMs', options.staleWhileRevalidateMs ?? 0, true);
  const { namespace, serializer, clock = coarseClock, failOpen = true } = options;
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace === '')) {
    throw new ConfigurationError('namespace', 'must be a non-empty string', { received: namespace });
  }
  if (
    serializer !== undefined &&
    (typeof serializer !== 'object' || serializer === null || typeof serializer.serialize !== 'function' || typeof serializer.deserialize !== 'function')
  ) {
    throw new ConfigurationError('serializer', 'must be an object with serialize(value) and deserialize(text)', { received: serializer });
  }
  if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function') {
    throw new ConfigurationError('clock', 'must be an object with now(): number', { received: clock });
  }
  if (typeof failOpen !== 'boolean') throw new ConfigurationError('failOpen', 'must be a boolean', { received: failOpen });
  const name = options.name ?? namespace ?? 'cache';
  if (typeof name !== 'string' || name === '') throw new ConfigurationError('name', 'must be a non-empty string', { received: name });
  const store = options.store ?? memoryStore({ max: 10_000 });
  if (typeof store !== 'object' || store === null || typeof store.get !== 'function' || typeof store.set !== 'function') {
    throw new ConfigurationError('store', 'must be a cache store (memoryStore(), redisStore(), tieredStore())', { received: store });
  }
  let lock: { ttlMs: number; waitMs: number; pollMs: number } | undefined;
  if (options.lock !== undefined && options.lock !== false) {
    if (typeof store.lock !== 'function' || typeof store.unlock !== 'function') {
      throw new ConfigurationError('lock', `needs a store with lock() (redisStore or tieredStore); the ${store.kind} store has none`, {
        received: options.lock,
      });
    }
    const l = options.lock === true ? {} : options.lock;
    if (typeof l !== 'object' || l === null) throw new ConfigurationError('lock', 'must be a boolean or an object', { received: l });
    lock = {
      ttlMs: positive('lock.ttlMs', l.ttlMs ?? 5000),
      waitMs: positive('lock.waitMs', l.waitMs ?? 5000, true),
      pollMs: positive('lock.pollMs', l.pollMs ?? 25),
    };
  }

  const prefix = namespace === undefined ? '' : `${namespace}:`;
  const hasSync = typeof store.getSync === 'function';
  const events = new Emitter<CacheEvents>();
  const callbacks: [keyof CacheEvents, unknown][] = [
    ['hit', options.onHit],
    ['miss', options.onMiss],
    ['set', options.onSet],
    ['evict', options.onEvict],
    ['stale', options.onStale],
    ['refreshError', options.onRefreshError],
    ['storeError', options.onStoreError],
  ];
  for (const [event, fn] of callbacks) {
    if (fn === undefined) continue;
    if (typeof fn !== 'function') {
      throw new ConfigurationError(`on${event[0]!.toUpperCase()}${event.slice(1)}`, 'must be a function', { received: fn });
    }
    events.on(event, fn as (payload: unknown) => void);
  }

  let hits = 0;
  let misses = 0;
  let evictions = 0;
  let loadsInFlight = 0;
  let staleServed = 0;
  let refreshErrors = 0;
  let storeErrors = 0;
  const inflight = new Map<string, Flight>();
  const refreshing = new Map<string, Flight>();

  const hit = (key: string) => {
    hits++;
    if (events.active.hit) events.emit('hit', { key });
  };
  const miss = (key: string) => {
    misses++;
    if (events.has('miss')) events.emit('miss', { key });
  };
  const servedStale = (key: string) => {
    miss(key);
    staleServed++;
    if (events.has('stale')) events.emit('stale', { key });
  };
  const evicted = (key: string, reason: CacheEvents['evict']['reason']) => {
    evictions++;
    if (events.has('evict')) events.emit('evict', { key, reason });
  };
  const storeFailed = (operation: string, error: unknown): CacheStoreError => {
    storeErrors++;
    const wrapped = isArmorError(error) && error instanceof CacheStoreError ? error : new CacheStoreError(operation, undefined, { cause: error });
    events.emit('storeError', { operation, error: wrapped });
    return wrapped;
  };
  const invalidateFlights = (match: (k: string, flight: Flight) => boolean) => {
    for (const [k, flight] of inflight) if (match(k, flight)) flight.invalidated = true;
    for (const [k, flight] of refreshing) if (match(k, flight)) flight.invalidated = true;
  };

  const unsubscribeEvict = store.onEvict?.((k, reason) => {
    if (prefix !== '' && !k.startsWith(prefix)) return;
    evicted(k.slice(prefix.length), reason);
  });

  /** Reads an entry, honouring failOpen. `undefined` + ok=false when the store failed open. */
  const read = async (k: string, skipSync = false): Promise<{ entry: CacheEntry | undefined; ok: boolean }> => {
    if (hasSync && !skipSync) {
      const entry = store.getSync!(k);
      if (entry !== undefined || store.local === true) return { entry, ok: true };
    }
    try {
      return { entry: await store.get(k, serializer), ok: true };
    } catch (error) {
      const wrapped = storeFailed('get', error);
      if (!failOpen) throw wrapped;
      return { entry: undefined, ok: false };
    }
  };

  const makeEntry = (value: unknown, opts: CacheSetOptions | undefined, now: number) => {
    const ttl = opts?.ttlMs === undefined ? defaultTtl : positive('ttlMs', opts.ttlMs);
    const swr = opts?.staleWhileRevalidateMs === undefined ? defaultSwr : positive('staleWhileRevalidateMs', opts.staleWhileRevalidateMs, true);
    const tags = checkTags(opts?.tags);
    const entry: CacheEntry = { value, freshUntil: now + ttl, staleUntil: now + ttl + swr };
    return { entry, ttlMs: ttl + swr, tags: tags && prefix !== '' ? tags.map((t) => prefix + t) : tags };
  };

  /** Writes; serialization errors always reject, store failures follow failOpen. */
  const write = async (k: string, key: string, value: unknown, opts: CacheSetOptions | undefined): Promise<void> => {
    const { entry, ttlMs, tags } = makeEntry(value, opts, clock.now());
    try {
      await store.set(k, entry, { ttlMs, tags, serializer });
    } catch (error) {
      if (isSerializationError(error)) throw error;
      const wrapped = storeFailed('set', error);
      if (!failOpen) throw wrapped;
      return;
    }
    if (events.has('set')) events.emit('set', { key });
  };

  const expire = (k: string, key: string) => {
    evicted(key, 'expired');
    store.evictExpired?.(k);
  };

  /** A read entry → the value on a fresh hit (counted), else `undefined` (a miss; expired entries evicted). */
  const valueOf = (entry: CacheEntry | undefined, k: string, key: string): unknown => {
    if (entry !== undefined) {
      const now = clock.now();
      if (entry.freshUntil > now) {
        hit(key);
        return entry.value;
      }
      if (entry.staleUntil <= now) expire(k, key);
    }
    miss(key);
    return undefined;
  };

  const refresh = (k: string, key: string, loader: () => unknown, opts: CacheSetOptions | undefined) => {
    if (refreshing.has(k)) return;
    const flight: Flight = { promise: undefined as unknown as Promise<unknown>, outcome: 'miss', invalidated: false, tags: opts?.tags };
    refreshing.set(k, flight);
    loadsInFlight++;
    const done = () => {
      loadsInFlight--;
      if (refreshing.get(k) === flight) refreshing.delete(k);
    };
    flight.promise = Promise.resolve()
      .then(loader)
      .then(
        (value) => {
          done();
          if (flight.invalidated) return;
          return write(k, key, value, opts).catch((error: unknown) => {
            refreshErrors++;
            events.emit('refreshError', { key, error });
          });
        },
        (error: unknown) => {
          done();
          refreshErrors++;
          events.emit('refreshError', { key, error });
        },
      );
  };

  /** Loads (under the cross-process lock when configured) and stores the value. */
  const loadAndStore = async (k: string, key: string, loader: () => unknown, opts: CacheSetOptions | undefined, flight: Flight, storeOk: boolean) => {
    let token: string | undefined;
    if (lock && storeOk) {
      try {
        token = await store.lock!(k, lock.ttlMs);
        if (token === undefined) {
          // Another process is loading: wait for its value, then fall back to our own loader.
          const attempts = Math.ceil(lock.waitMs / lock.pollMs);
          for (let i = 0; i < attempts; i++) {
            await sleep(lock.pollMs);
            const entry = await store.get(k, serializer);
            if (entry !== undefined && entry.freshUntil > clock.now()) return entry.value;
          }
        }
      } catch (error) {
        const wrapped = storeFailed('lock', error);
        if (!failOpen) throw wrapped;
        storeOk = false;
      }
    }
    loadsInFlight++;
    let value: unknown;
    try {
      value = await loader();
    } finally {
      loadsInFlight--;
    }
    try {
      if (storeOk && !flight.invalidated) await write(k, key, value, opts);
    } finally {
      if (token !== undefined) store.unlock!(k, token).catch((error: unknown) => storeFailed('unlock', error));
    }
    return value;
  };

  const resolve = async (k: string, key: string, loader: () => unknown, opts: CacheSetOptions | undefined, flight: Flight): Promise<unknown> => {
    const { entry, ok } = await read(k);
    if (entry !== undefined) {
      const now = clock.now();
      if (entry.freshUntil > now) {
        flight.outcome = 'hit';
        hit(key);
        return entry.value;
      }
      if (entry.staleUntil > now) {
        flight.outcome = 'stale';
        servedStale(key);
        refresh(k, key, loader, opts);
        return entry.value;
      }
      expire(k, key);
    }
    flight.outcome = 'miss';
    miss(key);
    return loadAndStore(k, key, loader, opts, flight, ok);
  };

  const join = (key: string, flight: Flight): Promise<unknown> => {
    const count = () => (flight.outcome === 'hit' ? hit(key) : flight.outcome === 'stale' ? servedStale(key) : miss(key));
    if (flight.outcome !== undefined) {
      count();
      return flight.promise;
    }
    return flight.promise.then(
      (value) => {
        count();
        return value;
      },
      (error: unknown) => {
        count();
        throw error;
      },
    );
  };

  const cache: Cache<V> = {
    name,
    store,

    getSync<T extends V = V>(key: string): T | undefined {
      if (!hasSync) {
        throw new ConfigurationError('store', `the ${store.kind} store cannot read synchronously; use get()`, { received: store.kind });
      }
      const k = prefix === '' ? key : prefix + key;
      return valueOf(store.getSync!(k), k, key) as T | undefined;
    },

    get<T extends V = V>(key: string): Promise<T | undefined> {
      const k = prefix === '' ? key : prefix + key;
      // One promise for a read answered from process memory (memory store, or the tiered L1),
      // instead of the two an async function awaiting the store would make.
      if (hasSync) {
        try {
          const entry = store.getSync!(k);
          if (entry !== undefined || store.local === true) return Promise.resolve(valueOf(entry, k, key) as T | undefined);
        } catch (error) {
          return Promise.reject(error as Error);
        }
      }
      return read(k, hasSync).then(({ entry }) => valueOf(entry, k, key) as T | undefined);
    },

    async set(key: string, value: V, opts?: CacheSetOptions): Promise<void> {
      const k = prefix + key;
      const flight = inflight.get(k);
      if (flight) flight.invalidated = true;
      const refreshFlight = refreshing.get(k);
      if (refreshFlight) refreshFlight.invalidated = true;
      await write(k, key, value, opts);
    },

    async delete(key: string): Promise<boolean> {
      const k = prefix + key;
      invalidateFlights((fk) => fk === k);
      let existed: boolean;
      try {
        existed = await store.delete(k);
      } catch (error) {
        throw storeFailed('delete', error);
      }
      if (existed) evicted(key, 'deleted');
      return existed;
    },

    async clear(): Promise<void> {
      invalidateFlights(() => true);
      try {
        await store.clear(prefix);
      } catch (error) {
        throw storeFailed('clear', error);
      }
    },

    getOrSet<T extends V>(key: string, loader: () => T | Promise<T>, opts?: CacheSetOptions): Promise<T> {
      const k = prefix === '' ? key : prefix + key;
      if (hasSync) {
        const entry = store.getSync!(k);
        if (entry !== undefined && entry.freshUntil > clock.now()) {
          hit(key);
          return Promise.resolve(entry.value as T);
        }
      }
      const existing = inflight.get(k);
      if (existing !== undefined) return join(key, existing) as Promise<T>;
      if (typeof loader !== 'function') {
        return Promise.reject(new ConfigurationError('loader', 'must be a function', { received: loader }));
      }
      const flight: Flight = { promise: undefined as unknown as Promise<unknown>, outcome: undefined, invalidated: false, tags: opts?.tags };
      inflight.set(k, flight);
      const cleanup = () => {
        if (inflight.get(k) === flight) inflight.delete(k);
      };
      flight.promise = resolve(k, key, loader, opts, flight);
      flight.promise.then(cleanup, cleanup);
      return flight.promise as Promise<T>;
    },

    async invalidateTag(tag: string): Promise<number> {
      if (typeof tag !== 'string' || tag === '') throw new ConfigurationError('tag', 'must be a non-empty string', { received: tag });
      invalidateFlights((_k, flight) => flight.tags?.includes(tag) === true);
      let removed: string[];
      try {
        removed = await store.invalidateTag(prefix + tag);
      } catch (error) {
        throw storeFailed('invalidateTag', error);
      }
      for (const k of removed) evicted(k.startsWith(prefix) ? k.slice(prefix.length) : k, 'tag');
      return removed.length;
    },

    stats(): CacheStats {
      const lookups = hits + misses;
      const stats: CacheStats = {
        name,
        hits,
        misses,
        hitRate: lookups === 0 ? 0 : hits / lookups,
        evictions,
        loadsInFlight,
        staleServed,
        refreshErrors,
        storeErrors,
      };
      const size = store.size?.();
      if (size !== undefined) stats.size = size;
      return stats;
    },

    on: (event, listener) => events.on(event, listener),

    async close(): Promise<void> {
      unsubscribeEvict?.();
      await store.close?.();
    },
  };
  return cache;
}

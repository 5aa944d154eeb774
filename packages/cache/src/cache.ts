import {
  checkBoolean,
  checkClock,
  checkFunction,
  checkMs,
  checkObject,
  checkOptions,
  checkString,
  coarseClock,
  Emitter,
  sleep,
  toScheduler,
  type Clock,
  type Kinded,
  type Scheduler,
} from '@armor/core';
import { ConfigurationError, isArmorError } from '@armor/errors';
import { CacheLoaderTimeoutError, CacheSerializationError, CacheStoreError } from './errors.js';
import { memoryStore } from './stores/memory.js';
import type { CacheEntry, CacheEvents, CacheStore, Serializer } from './types.js';

/** Cross-process stampede lock settings (stores with `lock`, i.e. Redis and tiered). */
export interface CacheLockOptions {
  /**
   * How long a lock is held at most, in ms (`SET NX PX`): the expiry that frees the key when its
   * holder crashes. A holder releases it as soon as its load settles (value or failure).
   * @default the load's `loaderTimeoutMs` (10_000 by default), or 60_000 when the loader has no timeout
   */
  ttlMs?: number | undefined;
  /**
   * How long other processes wait for the holder's value before calling the loader themselves,
   * in ms. A waiter does not sleep through it: when the holder releases the lock without a value
   * (its loader failed) or the lock expires, one waiter takes the lock over and loads.
   * @default 5000
   */
  waitMs?: number | undefined;
  /** Interval between checks (one read of the value, one attempt to take a released lock) while waiting, in ms. @default 25 */
  pollMs?: number | undefined;
}

/** What a `getOrSet` loader receives. */
export interface LoaderContext {
  /** The caller's key (without namespace). */
  readonly key: string;
  /** Aborted (with a {@link CacheLoaderTimeoutError}) when the load passes `loaderTimeoutMs`. */
  readonly signal: AbortSignal;
  /** Returns the loaded value to the callers without caching it (like `cacheIf` returning `false`). */
  skip(): void;
}

/** A `getOrSet` loader: returns (or resolves) the value to cache. */
export type CacheLoader<T> = (context: LoaderContext) => T | Promise<T>;

/** Per-write options of `set`, `setMany` and `getOrSet`. */
export interface CacheSetOptions {
  /** Fresh time for this entry, in ms. @default the cache's `ttlMs` */
  ttlMs?: number | undefined;
  /** Stale-while-revalidate window for this entry, in ms. @default the cache's `staleWhileRevalidateMs` */
  staleWhileRevalidateMs?: number | undefined;
  /** Fail-safe window for this entry, in ms (see {@link CacheOptions.graceMs}). @default the cache's `graceMs` */
  graceMs?: number | undefined;
  /** Tags for `invalidateTag`. @default none */
  tags?: readonly string[] | undefined;
}

/** Options of one `getOrSet` call. */
export interface CacheGetOrSetOptions<T = unknown> extends CacheSetOptions {
  /** Fresh time of a loaded `null`/`undefined` ("not found"), in ms. @default the cache's `negativeTtlMs` */
  negativeTtlMs?: number | undefined;
  /** Caches the loaded value only when this returns `true`. @default the cache's `cacheIf` */
  cacheIf?: ((value: T, key: string) => boolean) | undefined;
  /** Longest time the loader may take, in ms. @default the cache's `loaderTimeoutMs` */
  loaderTimeoutMs?: number | undefined;
}

/** One entry of `setMany`. */
export interface CacheSetManyEntry<V> {
  key: string;
  value: V;
  options?: CacheSetOptions | undefined;
}

/** Options of {@link createCache}; `V` is the type of the cached values. */
export interface CacheOptions<V = unknown> {
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
  /**
   * Fail-safe window after the stale-while-revalidate window, in ms. In it an entry is no longer
   * served on its own, but when the loader that should replace it fails (throws, or passes
   * `loaderTimeoutMs`), `getOrSet` returns the old value instead of rejecting, emits `grace`
   * and counts it in `stats().graceServed` (bentocache's grace period).
   * @default 0 (off)
   */
  graceMs?: number | undefined;
  /**
   * Longest time a `getOrSet` loader may take, in ms. Past it, every caller waiting on that load
   * rejects with `CacheLoaderTimeoutError` (or gets the grace value), the loader's
   * `AbortSignal` is aborted, and the next `getOrSet` of the key runs its own loader.
   * `Infinity` turns the timeout off.
   * @default 10_000
   */
  loaderTimeoutMs?: number | undefined;
  /**
   * Fresh time of a loaded `null` or `undefined` (negative caching: "not found" answers
   * cached for a shorter time than values), in ms.
   * @default the entry's `ttlMs`
   */
  negativeTtlMs?: number | undefined;
  /**
   * Decides whether a loaded value is cached (`getOrSet` and background refreshes; `set` always
   * writes). A skipped value is still returned to the callers.
   * @default every value is cached
   */
  cacheIf?: ((value: V, key: string) => boolean) | undefined;
  /** Prefix for every key and tag (`<namespace>:`), so several caches can share one store. @default none */
  namespace?: string | undefined;
  /**
   * Serializer for stores that hold bytes (Redis). Memory stores keep references.
   * @default the store's own default ({@link taggedJsonSerializer})
   */
  serializer?: Serializer | undefined;
  /** Name used in `stats()` and as the metric label. @default namespace, else `'cache'` */
  name?: string | undefined;
  /**
   * Time source (epoch ms) and scheduler of the loader timeout and lock waits (keep-alive
   * timers: an awaited `getOrSet` at the top level of a script finishes).
   * @default `Date.now` read at most once per ms, and the global timers
   */
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
  /** Called on every `grace` event. */
  onGrace?: ((event: CacheEvents['grace']) => void) | undefined;
  /** Called on every `refreshError` event. */
  onRefreshError?: ((event: CacheEvents['refreshError']) => void) | undefined;
  /** Called on every `storeError` event. */
  onStoreError?: ((event: CacheEvents['storeError']) => void) | undefined;
}

/** Plain-JSON statistics (maps onto `cacheStatsSchema` of `@armor/metrics`). */
export interface CacheStats {
  name: string;
  /** Lookups answered with a fresh value. */
  hits: number;
  /** Lookups without a fresh value (stale and grace serves count as misses). */
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
  /** Values served from the grace window because their loader failed. */
  graceServed: number;
  /** Loader calls that passed `loaderTimeoutMs`. */
  loaderTimeouts: number;
  /** Background refreshes that failed. */
  refreshErrors: number;
  /** Store failures (see `storeError`). */
  storeErrors: number;
}

/** A cache created by {@link createCache}. */
export interface Cache<V = unknown> extends Kinded<'cache'> {
  /** Always `'cache'`. */
  readonly kind: 'cache';
  /** The `name` option. */
  readonly name: string;
  /** The store this cache writes to. */
  readonly store: CacheStore;
  /** Resolves the fresh value of `key`, or `undefined` (miss, stale, or store down with `failOpen`). */
  get<T extends V = V>(key: string): Promise<T | undefined>;
  /** Resolves the fresh values of `keys`, in order (`undefined` where there is none). */
  getMany<T extends V = V>(keys: readonly string[]): Promise<(T | undefined)[]>;
  /**
   * `true` when `key` has a fresh entry (even one whose value is `undefined`). Not counted as a
   * hit or miss.
   */
  has(key: string): Promise<boolean>;
  /**
   * Synchronous fast path: the fresh value of `key` from a store held in process memory
   * (memory store, tiered L1), or `undefined`. Throws `ConfigurationError` for stores that
   * cannot read synchronously (Redis).
   */
  getSync<T extends V = V>(key: string): T | undefined;
  /**
   * Writes `value`, superseding a `getOrSet` load of the key in flight (its value is not stored;
   * the next `getOrSet` runs its own loader). Rejects with {@link CacheSerializationError} for
   * values the store's serializer cannot hold, before anything is written.
   */
  set(key: string, value: V, options?: CacheSetOptions): Promise<void>;
  /** Writes several entries (each as `set`). */
  setMany(entries: readonly CacheSetManyEntry<V>[]): Promise<void>;
  /** Removes `key` (superseding a load in flight); resolves `true` when it existed. */
  delete(key: string): Promise<boolean>;
  /** Removes several keys; resolves how many existed. */
  deleteMany(keys: readonly string[]): Promise<number>;
  /** Removes every entry of this cache (its namespace, or the whole store without one). */
  clear(): Promise<void>;
  /**
   * Returns the cached value or calls `loader` once for all concurrent callers, stores the
   * result and returns it. Within the stale-while-revalidate window the stale value is
   * returned at once and `loader` runs once in the background. A loader that passes
   * `loaderTimeoutMs` rejects every waiting caller and frees the key.
   */
  getOrSet<T extends V>(key: string, loader: CacheLoader<T>, options?: CacheGetOrSetOptions<T>): Promise<T>;
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

const CACHE_OPTIONS = [
  'store', 'ttlMs', 'staleWhileRevalidateMs', 'graceMs', 'loaderTimeoutMs', 'negativeTtlMs', 'cacheIf', 'namespace', 'serializer', 'name',
  'clock', 'failOpen', 'lock', 'onHit', 'onMiss', 'onSet', 'onEvict', 'onStale', 'onGrace', 'onRefreshError', 'onStoreError',
] as const;
const SET_OPTIONS = ['ttlMs', 'staleWhileRevalidateMs', 'graceMs', 'tags'] as const;
const GET_OR_SET_OPTIONS = [...SET_OPTIONS, 'negativeTtlMs', 'cacheIf', 'loaderTimeoutMs'] as const;

/** Lock expiry when neither `lock.ttlMs` nor a loader timeout bounds the load, in ms. */
const UNTIMED_LOCK_TTL_MS = 60_000;

const positive = (name: string, value: unknown): number => {
  checkMs(name, value, { min: Number.MIN_VALUE });
  return value as number;
};
const nonNegative = (name: string, value: unknown): number => {
  checkMs(name, value);
  return value as number;
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

/** The end of an entry's grace window (its stale window when it has none). */
const graceEnd = (entry: CacheEntry) => entry.graceUntil ?? entry.staleUntil;

/**
 * Creates a TTL cache over a pluggable store, with stampede protection (concurrent misses of
 * a key share one loader call, optionally across processes), stale-while-revalidate, a
 * fail-safe grace window, a loader timeout, tags, negative caching, fail-open behaviour when the
 * store is down, events and stats.
 *
 * @example
 * ```ts
 * const cache = createCache({ ttlMs: 60_000, staleWhileRevalidateMs: 300_000 });
 * const user = await cache.getOrSet(`user:${id}`, () => db.users.find(id), { tags: [`team:${teamId}`] });
 * await cache.invalidateTag(`team:${teamId}`);
 * ```
 */
export function createCache<V = unknown>(options: CacheOptions<V>): Cache<V> {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError('options', 'must be an object with at least ttlMs', { received: options });
  }
  checkOptions('createCache', options, CACHE_OPTIONS);
  if (options.ttlMs === undefined) throw new ConfigurationError('ttlMs', 'is required: the fresh time of an entry in ms', { received: undefined });
  const defaultTtl = positive('ttlMs', options.ttlMs);
  const defaultSwr = nonNegative('staleWhileRevalidateMs', options.staleWhileRevalidateMs ?? 0);
  const defaultGrace = nonNegative('graceMs', options.graceMs ?? 0);
  const { namespace, serializer, clock, failOpen = true, negativeTtlMs, loaderTimeoutMs = 10_000 } = options;
  const cacheIf = options.cacheIf as ((value: unknown, key: string) => boolean) | undefined;
  checkMs('loaderTimeoutMs', loaderTimeoutMs, { min: 1, allowInfinity: true });
  if (negativeTtlMs !== undefined) positive('negativeTtlMs', negativeTtlMs);
  checkFunction('cacheIf', cacheIf);
  checkString('namespace', namespace);
  if (
    serializer !== undefined &&
    (typeof serializer !== 'object' || serializer === null || typeof serializer.serialize !== 'function' || typeof serializer.deserialize !== 'function')
  ) {
    throw new ConfigurationError('serializer', 'must be an object with serialize(value) and deserialize(text)', { received: serializer });
  }
  checkClock(clock);
  checkBoolean('failOpen', failOpen);
  const name = options.name ?? namespace ?? 'cache';
  checkString('name', name);
  const store = options.store ?? memoryStore({ max: 10_000 });
  if (typeof store !== 'object' || store === null || typeof store.get !== 'function' || typeof store.set !== 'function') {
    throw new ConfigurationError('store', 'must be a cache store (memoryStore(), redisStore(), tieredStore())', { received: store });
  }
  let lock: { ttlMs: number | undefined; waitMs: number; pollMs: number } | undefined;
  if (options.lock !== undefined && options.lock !== false) {
    if (typeof store.lock !== 'function' || typeof store.unlock !== 'function') {
      throw new ConfigurationError('lock', `needs a store with lock() (redisStore or tieredStore); the ${store.kind} store has none`, {
        received: options.lock,
      });
    }
    const l = options.lock === true ? {} : options.lock;
    checkObject('lock', l);
    checkOptions('createCache lock', l, ['ttlMs', 'waitMs', 'pollMs']);
    lock = {
      ttlMs: l.ttlMs === undefined ? undefined : positive('lock.ttlMs', l.ttlMs),
      waitMs: nonNegative('lock.waitMs', l.waitMs ?? 5000),
      pollMs: positive('lock.pollMs', l.pollMs ?? 25),
    };
  }
  const now: () => number = clock === undefined ? () => coarseClock.now() : () => clock.now();
  /** Keep-alive timers: the loader timeout and lock waits are awaited by callers. */
  const scheduler: Scheduler = toScheduler(clock);

  const prefix = namespace === undefined ? '' : `${namespace}:`;
  const hasSync = typeof store.getSync === 'function';
  /**
   * The store's synchronous read, looked up once (the memory store's is lru-cache's own `get`,
   * bound): the sync hit path is a handful of property reads on top of lru-cache.
   */
  const syncGet: ((key: string) => CacheEntry | undefined) | undefined = hasSync ? store.getSync!.bind(store) : undefined;
  const events = new Emitter<CacheEvents>({ component: `cache ${name}` });
  const callbacks: [keyof CacheEvents, unknown][] = [
    ['hit', options.onHit],
    ['miss', options.onMiss],
    ['set', options.onSet],
    ['evict', options.onEvict],
    ['stale', options.onStale],
    ['grace', options.onGrace],
    ['refreshError', options.onRefreshError],
    ['storeError', options.onStoreError],
  ];
  for (const [event, fn] of callbacks) {
    if (fn === undefined) continue;
    checkFunction(`on${event[0]!.toUpperCase()}${event.slice(1)}`, fn);
    events.on(event, fn as (payload: unknown) => void);
  }

  let hits = 0;
  let misses = 0;
  let evictions = 0;
  let loadsInFlight = 0;
  let staleServed = 0;
  let graceServed = 0;
  let loaderTimeouts = 0;
  let refreshErrors = 0;
  let storeErrors = 0;
  const inflight = new Map<string, Flight>();
  const refreshing = new Map<string, Flight>();

  /** Whether `hit` / `miss` have listeners, kept current by `on` (read on every lookup). */
  let hitHeard = events.has('hit');
  let missHeard = events.has('miss');
  const heard = () => {
    hitHeard = events.has('hit');
    missHeard = events.has('miss');
  };
  const hit = (key: string) => {
    hits++;
    if (hitHeard) events.emit('hit', { key });
  };
  const miss = (key: string) => {
    misses++;
    if (missHeard) events.emit('miss', { key });
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
    const wrapped = error instanceof CacheStoreError || isSerializationError(error) ? (error as CacheStoreError) : new CacheStoreError(operation, undefined, { cause: error });
    events.emit('storeError', { operation, error: wrapped });
    return wrapped;
  };
  /** Marks matching loads as superseded and frees their keys: the next getOrSet runs its own loader. */
  const supersede = (match: (k: string, flight: Flight) => boolean) => {
    for (const [k, flight] of inflight) {
      if (!match(k, flight)) continue;
      flight.invalidated = true;
      inflight.delete(k);
    }
    for (const [k, flight] of refreshing) {
      if (!match(k, flight)) continue;
      flight.invalidated = true;
      refreshing.delete(k);
    }
  };

  const unsubscribeEvict = store.onEvict?.((k, reason) => {
    if (prefix !== '' && !k.startsWith(prefix)) return;
    evicted(k.slice(prefix.length), reason);
  });

  /** Reads an entry, honouring failOpen. `undefined` + ok=false when the store failed open. */
  const read = async (k: string, skipSync = false): Promise<{ entry: CacheEntry | undefined; ok: boolean }> => {
    if (hasSync && !skipSync) {
      const entry = syncGet!(k);
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

  const makeEntry = (value: unknown, opts: CacheGetOrSetOptions | undefined, at: number, loaded: boolean) => {
    let ttl = opts?.ttlMs === undefined ? defaultTtl : positive('ttlMs', opts.ttlMs);
    if (loaded && (value === undefined || value === null)) {
      const negative = opts?.negativeTtlMs ?? negativeTtlMs;
      if (negative !== undefined) ttl = positive('negativeTtlMs', negative);
    }
    const swr = opts?.staleWhileRevalidateMs === undefined ? defaultSwr : nonNegative('staleWhileRevalidateMs', opts.staleWhileRevalidateMs);
    const grace = opts?.graceMs === undefined ? defaultGrace : nonNegative('graceMs', opts.graceMs);
    const tags = checkTags(opts?.tags);
    const entry: CacheEntry = { value, freshUntil: at + ttl, staleUntil: at + ttl + swr };
    if (grace > 0) entry.graceUntil = at + ttl + swr + grace;
    return { entry, ttlMs: ttl + swr + grace, tags: tags && prefix !== '' ? tags.map((t) => prefix + t) : tags };
  };

  /**
   * Writes. `loaded`: the value came from a loader, so a serializer refusal is reported as a
   * `storeError` (the callers still get their value) instead of rejecting after a successful load.
   */
  const write = async (k: string, key: string, value: unknown, opts: CacheGetOrSetOptions | undefined, loaded: boolean): Promise<void> => {
    const { entry, ttlMs, tags } = makeEntry(value, opts, now(), loaded);
    try {
      await store.set(k, entry, { ttlMs, tags, serializer });
    } catch (error) {
      if (isSerializationError(error)) {
        if (!loaded) throw error;
        storeFailed('set', error);
        return;
      }
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
      const t = now();
      if (entry.freshUntil > t) {
        hit(key);
        return entry.value;
      }
      if (graceEnd(entry) <= t) expire(k, key);
    }
    miss(key);
    return undefined;
  };

  const shouldCache = (value: unknown, key: string, opts: CacheGetOrSetOptions | undefined): boolean => {
    const test = opts?.cacheIf ?? cacheIf;
    if (test === undefined) return true;
    try {
      return test(value, key) === true;
    } catch {
      return false;
    }
  };

  /**
   * Calls the loader with its context, under `loaderTimeoutMs` (a keep-alive timer: callers
   * await it). Resolves the value and whether the loader asked to skip caching.
   */
  const runLoader = (key: string, loader: CacheLoader<unknown>, opts: CacheGetOrSetOptions | undefined): Promise<{ value: unknown; skip: boolean }> => {
    const timeoutMs = opts?.loaderTimeoutMs === undefined ? loaderTimeoutMs : opts.loaderTimeoutMs;
    const controller = new AbortController();
    let skip = false;
    const context: LoaderContext = { key, signal: controller.signal, skip: () => void (skip = true) };
    loadsInFlight++;
    const started = events.has('load') ? scheduler.now() : 0;
    const loaded = (error?: unknown) => {
      if (events.has('load')) events.emit('load', error === undefined ? { key, durationMs: scheduler.now() - started } : { key, durationMs: scheduler.now() - started, error });
    };
    return new Promise<{ value: unknown; skip: boolean }>((resolve, reject) => {
      let settled = false;
      const timer =
        timeoutMs === Infinity
          ? undefined
          : scheduler.setTimeout(() => {
              if (settled) return;
              settled = true;
              loadsInFlight--;
              loaderTimeouts++;
              const error = new CacheLoaderTimeoutError(key, timeoutMs);
              controller.abort(error);
              loaded(error);
              reject(error);
            }, timeoutMs);
      const finish = () => {
        if (settled) return false;
        settled = true;
        loadsInFlight--;
        if (timer !== undefined) scheduler.clearTimeout(timer);
        return true;
      };
      let pending: Promise<unknown>;
      try {
        pending = Promise.resolve(loader(context));
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (value) => {
          if (!finish()) return;
          loaded();
          resolve({ value, skip });
        },
        (error: unknown) => {
          if (!finish()) return;
          loaded(error ?? new Error('loader rejected'));
          reject(error);
        },
      );
    });
  };

  const refresh = (k: string, key: string, loader: CacheLoader<unknown>, opts: CacheGetOrSetOptions | undefined) => {
    if (refreshing.has(k)) return;
    const flight: Flight = { promise: undefined as unknown as Promise<unknown>, outcome: 'miss', invalidated: false, tags: opts?.tags };
    refreshing.set(k, flight);
    const done = () => {
      if (refreshing.get(k) === flight) refreshing.delete(k);
    };
    const failed = (error: unknown) => {
      refreshErrors++;
      events.emit('refreshError', { key, error });
    };
    flight.promise = Promise.resolve()
      .then(() => runLoader(key, loader, opts))
      .then(
        ({ value, skip }) => {
          done();
          if (flight.invalidated || skip || !shouldCache(value, key, opts)) return;
          return write(k, key, value, opts, true).catch(failed);
        },
        (error: unknown) => {
          done();
          failed(error);
        },
      );
  };

  /** The lock's expiry for one load: `lock.ttlMs`, else the load's own timeout (60 s without one). */
  const lockTtl = (opts: CacheGetOrSetOptions | undefined): number => {
    if (lock!.ttlMs !== undefined) return lock!.ttlMs;
    const timeout = opts?.loaderTimeoutMs === undefined ? loaderTimeoutMs : opts.loaderTimeoutMs;
    return timeout === Infinity ? UNTIMED_LOCK_TTL_MS : timeout;
  };

  /** A fresh value another process stored meanwhile, or `undefined`. */
  const freshValue = async (k: string): Promise<{ value: unknown } | undefined> => {
    const entry = await store.get(k, serializer);
    return entry !== undefined && entry.freshUntil > now() ? { value: entry.value } : undefined;
  };

  /** Loads (under the cross-process lock when configured) and stores the value. */
  const loadAndStore = async (k: string, key: string, loader: CacheLoader<unknown>, opts: CacheGetOrSetOptions | undefined, flight: Flight, storeOk: boolean) => {
    let token: string | undefined;
    if (lock && storeOk) {
      try {
        const ttlMs = lockTtl(opts);
        token = await store.lock!(k, ttlMs);
        if (token === undefined) {
          // Another process is loading: wait for its value. When it releases the lock without
          // one (its loader failed) or the lock expires, take the lock over and load; after
          // waitMs, fall back to our own loader.
          const attempts = Math.ceil(lock.waitMs / lock.pollMs);
          for (let i = 0; i < attempts && !flight.invalidated; i++) {
            await sleep(lock.pollMs, undefined, scheduler);
            const found = await freshValue(k);
            if (found) return found.value;
            token = await store.lock!(k, ttlMs);
            if (token === undefined) continue;
            // The holder may have stored its value and released the lock just after our read.
            const late = await freshValue(k);
            if (late) {
              const held = token;
              token = undefined;
              store.unlock!(k, held).catch((error: unknown) => storeFailed('unlock', error));
              return late.value;
            }
            break;
          }
        }
      } catch (error) {
        const wrapped = storeFailed('lock', error);
        if (!failOpen) {
          if (token !== undefined) store.unlock!(k, token).catch((e: unknown) => storeFailed('unlock', e));
          throw wrapped;
        }
        storeOk = false;
      }
    }
    try {
      const { value, skip } = await runLoader(key, loader, opts);
      if (storeOk && !flight.invalidated && !skip && shouldCache(value, key, opts)) await write(k, key, value, opts, true);
      return value;
    } finally {
      if (token !== undefined) store.unlock!(k, token).catch((error: unknown) => storeFailed('unlock', error));
    }
  };

  const resolve = async (k: string, key: string, loader: CacheLoader<unknown>, opts: CacheGetOrSetOptions | undefined, flight: Flight): Promise<unknown> => {
    const { entry, ok } = await read(k);
    let graceEntry: CacheEntry | undefined;
    if (entry !== undefined) {
      const t = now();
      if (entry.freshUntil > t) {
        flight.outcome = 'hit';
        hit(key);
        return entry.value;
      }
      if (entry.staleUntil > t) {
        flight.outcome = 'stale';
        servedStale(key);
        refresh(k, key, loader, opts);
        return entry.value;
      }
      if (graceEnd(entry) > t) graceEntry = entry;
      else expire(k, key);
    }
    flight.outcome = 'miss';
    miss(key);
    if (graceEntry === undefined) return loadAndStore(k, key, loader, opts, flight, ok);
    try {
      return await loadAndStore(k, key, loader, opts, flight, ok);
    } catch (error) {
      if (flight.invalidated) throw error;
      graceServed++;
      events.emit('grace', { key, error });
      return graceEntry.value;
    }
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

  const keyOf = (key: string) => (prefix === '' ? key : prefix + key);

  const cache: Cache<V> = {
    kind: 'cache',
    name,
    store,

    getSync<T extends V = V>(key: string): T | undefined {
      if (syncGet === undefined) {
        throw new ConfigurationError('store', `the ${store.kind} store cannot read synchronously; use get()`, { received: store.kind });
      }
      const k = prefix === '' ? key : prefix + key;
      const entry = syncGet(k);
      // the hit path inline (the hot path of a memory cache); everything else in valueOf
      if (entry !== undefined && entry.freshUntil > now()) {
        hits++;
        if (hitHeard) events.emit('hit', { key });
        return entry.value as T;
      }
      return valueOf(entry, k, key) as T | undefined;
    },

    get<T extends V = V>(key: string): Promise<T | undefined> {
      const k = keyOf(key);
      // One promise for a read answered from process memory (memory store, or the tiered L1),
      // instead of the two an async function awaiting the store would make.
      if (hasSync) {
        try {
          const entry = syncGet!(k);
          if (entry !== undefined || store.local === true) return Promise.resolve(valueOf(entry, k, key) as T | undefined);
        } catch (error) {
          return Promise.reject(error as Error);
        }
      }
      return read(k, hasSync).then(({ entry }) => valueOf(entry, k, key) as T | undefined);
    },

    getMany<T extends V = V>(keys: readonly string[]): Promise<(T | undefined)[]> {
      if (!Array.isArray(keys as unknown)) return Promise.reject(new ConfigurationError('keys', 'must be an array of keys', { received: keys }));
      if (typeof store.getMany !== 'function' || keys.length < 2) return Promise.all(keys.map((key) => cache.get<T>(key)));
      // one round trip (Redis MGET) instead of one per key
      const ks = keys.map(keyOf);
      return store.getMany(ks, serializer).then(
        (entries) => entries.map((entry, i) => valueOf(entry, ks[i]!, keys[i]!) as T | undefined),
        (error: unknown) => {
          const wrapped = storeFailed('getMany', error);
          if (!failOpen) throw wrapped;
          return keys.map((key) => valueOf(undefined, keyOf(key), key) as T | undefined);
        },
      );
    },

    async has(key: string): Promise<boolean> {
      const { entry } = await read(keyOf(key));
      return entry !== undefined && entry.freshUntil > now();
    },

    async set(key: string, value: V, opts?: CacheSetOptions): Promise<void> {
      checkOptions('cache.set', opts, SET_OPTIONS);
      const k = keyOf(key);
      supersede((fk) => fk === k);
      await write(k, key, value, opts, false);
    },

    async setMany(entries: readonly CacheSetManyEntry<V>[]): Promise<void> {
      if (!Array.isArray(entries as unknown)) throw new ConfigurationError('entries', 'must be an array of { key, value, options? }', { received: entries });
      await Promise.all(entries.map((e) => cache.set(e.key, e.value, e.options)));
    },

    async delete(key: string): Promise<boolean> {
      const k = keyOf(key);
      supersede((fk) => fk === k);
      let existed: boolean;
      try {
        existed = await store.delete(k);
      } catch (error) {
        throw storeFailed('delete', error);
      }
      if (existed) evicted(key, 'deleted');
      return existed;
    },

    async deleteMany(keys: readonly string[]): Promise<number> {
      if (!Array.isArray(keys as unknown)) throw new ConfigurationError('keys', 'must be an array of keys', { received: keys });
      const existed = await Promise.all(keys.map((key) => cache.delete(key)));
      return existed.filter(Boolean).length;
    },

    async clear(): Promise<void> {
      supersede(() => true);
      try {
        await store.clear(prefix);
      } catch (error) {
        throw storeFailed('clear', error);
      }
    },

    getOrSet<T extends V>(key: string, loader: CacheLoader<T>, opts?: CacheGetOrSetOptions<T>): Promise<T> {
      const k = keyOf(key);
      if (hasSync) {
        const entry = syncGet!(k);
        if (entry !== undefined && entry.freshUntil > now()) {
          hit(key);
          return Promise.resolve(entry.value as T);
        }
      }
      const existing = inflight.get(k);
      if (existing !== undefined) return join(key, existing) as Promise<T>;
      if (typeof loader !== 'function') {
        return Promise.reject(new ConfigurationError('loader', 'must be a function', { received: loader }));
      }
      if (opts !== undefined) {
        try {
          checkOptions('cache.getOrSet', opts, GET_OR_SET_OPTIONS);
          checkMs('loaderTimeoutMs', opts.loaderTimeoutMs, { min: 1, allowInfinity: true });
          checkFunction('cacheIf', opts.cacheIf);
        } catch (error) {
          return Promise.reject(error as Error);
        }
      }
      const flight: Flight = { promise: undefined as unknown as Promise<unknown>, outcome: undefined, invalidated: false, tags: opts?.tags };
      inflight.set(k, flight);
      const cleanup = () => {
        if (inflight.get(k) === flight) inflight.delete(k);
      };
      flight.promise = resolve(k, key, loader as CacheLoader<unknown>, opts as CacheGetOrSetOptions | undefined, flight);
      flight.promise.then(cleanup, cleanup);
      return flight.promise as Promise<T>;
    },

    async invalidateTag(tag: string): Promise<number> {
      if (typeof tag !== 'string' || tag === '') throw new ConfigurationError('tag', 'must be a non-empty string', { received: tag });
      supersede((_k, flight) => flight.tags?.includes(tag) === true);
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
        graceServed,
        loaderTimeouts,
        refreshErrors,
        storeErrors,
      };
      const size = store.size?.();
      if (size !== undefined) stats.size = size;
      return stats;
    },

    on: (event, listener) => {
      const off = events.on(event, listener);
      heard();
      return () => {
        off();
        heard();
      };
    },

    async close(): Promise<void> {
      unsubscribeEvict?.();
      await store.close?.();
    },
  };
  return cache;
}

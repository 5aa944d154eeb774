import { checkFunction, checkInt, checkOptions, type Kinded } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import DataLoader from 'dataloader';
import type { Cache } from './cache.js';

/** Options of {@link createLoader}. */
export interface LoaderOptions<K, V> {
  /** Largest number of keys passed to one `batchFn` call (integer >= 1, or `Infinity`). @default Infinity */
  maxBatchSize?: number | undefined;
  /**
   * Decides when a batch is dispatched (dataloader's `batchScheduleFn`): called with the
   * dispatch function once the first key of a batch arrives. E.g. `(run) => setTimeout(run, 5)`
   * collects keys for 5 ms instead of one tick.
   * @default after the current tick (dataloader's default)
   */
  batchScheduleFn?: ((dispatch: () => void) => void) | undefined;
  /**
   * `true`: memoize `load(key)` for the loader's lifetime (one request, with
   * {@link loaderScope}); `false`: no memoization; an Armor cache: also read through and
   * write to that shared cache, so only keys missing there reach `batchFn`.
   * @default true
   */
  cache?: boolean | Cache<V> | undefined;
  /** Turns a key into a string for memoization and the shared cache. @default String(key) */
  key?: ((key: K) => string) | undefined;
}

/** A batching loader: `load` calls made in the same tick become one `batchFn` call. */
export interface Loader<K, V> extends Kinded<'batch-loader'> {
  /** Always `'batch-loader'`. */
  readonly kind: 'batch-loader';
  /** Loads one value; rejects with the `Error` the batch returned at its position. */
  load(key: K): Promise<V>;
  /** Loads several values; failed positions hold their `Error`. */
  loadMany(keys: readonly K[]): Promise<(V | Error)[]>;
  /** Forgets the memoized value of `key` (this loader only). */
  clear(key: K): this;
  /** Forgets every memoized value (this loader only). */
  clearAll(): this;
  /** Seeds the memo with a known value. */
  prime(key: K, value: V | Error): this;
}

/**
 * Creates a batching loader on dataloader: every `load(key)` made in one tick is collected
 * and `batchFn` is called once with all keys (in chunks of `maxBatchSize`). `batchFn` must
 * resolve one value or `Error` per key, in key order. Create loaders per request (see
 * {@link loaderScope}) so memoized values never leak between users.
 *
 * @example
 * ```ts
 * const users = createLoader(async (ids: readonly string[]) => {
 *   const rows = await db.users.findMany(ids);
 *   return ids.map((id) => rows.find((r) => r.id === id) ?? new NotFoundError(`user ${id}`));
 * }, { maxBatchSize: 100 });
 * const [a, b] = await Promise.all([users.load('1'), users.load('2')]); // one batchFn call
 * ```
 */
export function createLoader<K, V>(
  batchFn: (keys: readonly K[]) => Promise<ArrayLike<V | Error>> | ArrayLike<V | Error>,
  options: LoaderOptions<K, V> = {},
): Loader<K, V> {
  if (typeof batchFn !== 'function') throw new ConfigurationError('batchFn', 'must be a function', { received: batchFn });
  checkOptions('createLoader', options, ['maxBatchSize', 'batchScheduleFn', 'cache', 'key']);
  const { maxBatchSize = Number.POSITIVE_INFINITY, batchScheduleFn, cache = true, key = String as (key: K) => string } = options;
  checkInt('maxBatchSize', maxBatchSize, 1, { allowInfinity: true });
  checkFunction('batchScheduleFn', batchScheduleFn);
  checkFunction('key', key);
  const shared = typeof cache === 'object' && cache !== null ? cache : undefined;
  if (typeof cache !== 'boolean' && (shared === undefined || typeof shared.getOrSet !== 'function')) {
    throw new ConfigurationError('cache', 'must be a boolean or an Armor cache (createCache())', { received: cache });
  }

  const callBatch = async (keys: readonly K[]): Promise<(V | Error)[]> => {
    const result = await batchFn(keys);
    if (result === null || typeof result !== 'object' || result.length !== keys.length) {
      throw new TypeError(`createLoader: batchFn must resolve an array of ${keys.length} values (one per key, in order)`);
    }
    return Array.from(result);
  };

  const batch = shared
    ? async (keys: readonly K[]): Promise<(V | Error)[]> => {
        const out: (V | Error | undefined)[] = await Promise.all(keys.map((k) => shared.get(key(k))));
        const missing: number[] = [];
        for (let i = 0; i < keys.length; i++) if (out[i] === undefined) missing.push(i);
        if (missing.length > 0) {
          const loaded = await callBatch(missing.map((i) => keys[i]!));
          await Promise.all(
            missing.map(async (i, j) => {
              const value = loaded[j] as V | Error;
              out[i] = value;
              if (!(value instanceof Error) && value !== undefined) await shared.set(key(keys[i]!), value).catch(() => undefined);
            }),
          );
        }
        return out as (V | Error)[];
      }
    : callBatch;

  const loader = new DataLoader<K, V, string>(batch, {
    maxBatchSize,
    ...(batchScheduleFn ? { batchScheduleFn } : {}),
    cache: cache !== false,
    cacheKeyFn: key,
  });
  Object.defineProperty(loader, 'kind', { value: 'batch-loader', enumerable: true });
  return loader as unknown as Loader<K, V>;
}

/** Factories of the loaders one request needs, by name. */
export type LoaderFactories = Record<string, () => Loader<never, unknown> | Loader<any, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The loaders of one scope (one request), created lazily on first access. */
export type ScopedLoaders<F extends LoaderFactories> = { readonly [N in keyof F]: ReturnType<F[N]> };

/** Creates a fresh set of loaders (call once per request). */
export interface LoaderScope<F extends LoaderFactories> {
  (): ScopedLoaders<F>;
  /** The factories this scope was created with. */
  readonly factories: F;
}

/**
 * Groups loader factories so every request gets its own fresh loaders (memoized values and
 * pending batches never cross requests). Each loader is created on first access.
 *
 * @example
 * ```ts
 * const scope = loaderScope({ user: () => createLoader(batchUsers, { maxBatchSize: 100 }) });
 * const loaders = scope(); // per request
 * await loaders.user.load('u1');
 * ```
 */
export function loaderScope<F extends LoaderFactories>(factories: F): LoaderScope<F> {
  if (typeof factories !== 'object' || factories === null) {
    throw new ConfigurationError('factories', 'must be an object of loader factories', { received: factories });
  }
  for (const [name, factory] of Object.entries(factories)) {
    if (typeof factory !== 'function') throw new ConfigurationError(`factories.${name}`, 'must be a function returning a loader', { received: factory });
  }
  const create = (() => {
    const made: Record<string, unknown> = {};
    const loaders = {} as Record<string, unknown>;
    for (const name of Object.keys(factories)) {
      Object.defineProperty(loaders, name, {
        enumerable: true,
        get: () => (made[name] ??= factories[name]!()),
      });
    }
    return Object.freeze(loaders) as ScopedLoaders<F>;
  }) as LoaderScope<F>;
  Object.defineProperty(create, 'factories', { value: factories, enumerable: true });
  return create;
}

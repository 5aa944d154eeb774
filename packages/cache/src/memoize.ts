import { checkOptions } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import { createCache, type Cache, type CacheGetOrSetOptions, type CacheOptions } from './cache.js';

/** Options of {@link memoize}. */
export interface MemoizeOptions<A extends unknown[], R> extends Omit<CacheOptions, 'ttlMs'> {
  /**
   * Cache key for a call's arguments.
   * @default a single string/number/boolean argument as is, otherwise `JSON.stringify(args)`
   */
  key?: ((...args: A) => string) | undefined;
  /** Fresh time of a result, in ms. */
  ttlMs: number;
  /** Tags of a result (for `invalidateTag`), fixed or computed from the arguments and result. */
  tags?: readonly string[] | ((args: A) => readonly string[]) | undefined;
  /** Use this existing cache instead of creating one (store, namespace, ... options are then ignored). */
  cache?: Cache<R> | undefined;
}

/** A memoized async function with handles on its cache. */
export interface Memoized<A extends unknown[], R> {
  (...args: A): Promise<R>;
  /** The cache holding the results. */
  readonly cache: Cache<R>;
  /** Drops the cached result for these arguments. */
  invalidate(...args: A): Promise<boolean>;
}

const MEMOIZE_OPTIONS = [
  'key', 'ttlMs', 'tags', 'cache', 'store', 'staleWhileRevalidateMs', 'graceMs', 'loaderTimeoutMs', 'negativeTtlMs', 'cacheIf', 'namespace',
  'serializer', 'name', 'clock', 'failOpen', 'lock', 'onHit', 'onMiss', 'onSet', 'onEvict', 'onStale', 'onGrace', 'onRefreshError', 'onStoreError',
] as const;

const defaultKey = (...args: unknown[]): string => {
  if (args.length === 1) {
    const a = args[0];
    if (typeof a === 'string') return a;
    if (typeof a === 'number' || typeof a === 'boolean') return `#${String(a)}`;
  }
  return JSON.stringify(args);
};

/**
 * Memoizes an async function on an Armor cache: concurrent calls with the same arguments
 * share one call of `fn`, results live `ttlMs`, and with `staleWhileRevalidateMs` an expired
 * result is returned at once while `fn` refreshes it in the background. Rejections are not
 * cached.
 *
 * @example
 * ```ts
 * const getUser = memoize((id: string) => db.users.find(id), { ttlMs: 30_000, staleWhileRevalidateMs: 60_000 });
 * await getUser('u1'); // loads
 * await getUser('u1'); // cached
 * await getUser.invalidate('u1');
 * ```
 */
export function memoize<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, options: MemoizeOptions<A, R>): Memoized<A, R> {
  if (typeof fn !== 'function') throw new ConfigurationError('fn', 'must be a function', { received: fn });
  if (typeof options !== 'object' || options === null) throw new ConfigurationError('options', 'must be an object with ttlMs', { received: options });
  checkOptions('memoize', options, [...MEMOIZE_OPTIONS]);
  const { key = defaultKey as (...args: A) => string, tags, cache: given, ...cacheOptions } = options;
  if (typeof key !== 'function') throw new ConfigurationError('key', 'must be a function', { received: key });
  if (tags !== undefined && typeof tags !== 'function' && !Array.isArray(tags)) {
    throw new ConfigurationError('tags', 'must be an array of strings or a function', { received: tags });
  }
  const cache = given ?? createCache<R>({ name: fn.name || 'memoize', ...cacheOptions });
  const writeOptions = (args: A): CacheGetOrSetOptions<R> => ({
    ttlMs: options.ttlMs,
    staleWhileRevalidateMs: options.staleWhileRevalidateMs,
    graceMs: options.graceMs,
    negativeTtlMs: options.negativeTtlMs,
    loaderTimeoutMs: options.loaderTimeoutMs,
    tags: typeof tags === 'function' ? tags(args) : tags,
  });
  const memoized = ((...args: A) => cache.getOrSet(key(...args), () => fn(...args), writeOptions(args))) as Memoized<A, R>;
  Object.defineProperties(memoized, {
    cache: { value: cache, enumerable: true },
    invalidate: { value: (...args: A) => cache.delete(key(...args)), enumerable: true },
  });
  return memoized;
}

import { ArmorError, type ArmorErrorOptions } from '@armor/errors';

/**
 * 503 — the cache store (e.g. Redis) failed or did not answer in time. Raised by caches
 * created with `failOpen: false`, and always by `delete`, `clear` and `invalidateTag` (an
 * invalidation must not be lost silently). `cause` holds the driver's error.
 */
export class CacheStoreError extends ArmorError {
  override name = 'CacheStoreError' as const;
  /** The store operation that failed: `get`, `set`, `delete`, `clear`, `invalidateTag`, `lock`. */
  readonly operation: string;
  constructor(operation: string, message?: string, options: ArmorErrorOptions = {}) {
    super('SERVICE_UNAVAILABLE', message ?? `Cache store failed during ${operation}`, options);
    this.operation = operation;
  }
}

/**
 * 500 — a value cannot be stored faithfully by the serializer (a function, `BigInt`, `Date`,
 * `Map`, class instance, cycle, ...). Thrown by `set` before anything is written. `details`
 * has the `path` (JSON-pointer-like) of the offending part.
 */
export class CacheSerializationError extends ArmorError {
  override name = 'CacheSerializationError' as const;
  constructor(message: string, options: ArmorErrorOptions = {}) {
    super('INTERNAL', message, options);
  }
}

/**
 * 504 — a `getOrSet` loader did not settle within `loaderTimeoutMs`. Every caller waiting on
 * that load rejects with it, the loader's `AbortSignal` is aborted with it, and the key is free
 * again: the next `getOrSet` runs its own loader.
 */
export class CacheLoaderTimeoutError extends ArmorError {
  override name = 'CacheLoaderTimeoutError' as const;
  /** The caller's key (without namespace). */
  readonly key: string;
  /** The timeout that passed, in ms. */
  readonly timeoutMs: number;
  constructor(key: string, timeoutMs: number, options: ArmorErrorOptions = {}) {
    super('TIMEOUT', `The loader of cache key "${key}" did not settle within ${timeoutMs} ms`, options);
    this.key = key;
    this.timeoutMs = timeoutMs;
  }
}

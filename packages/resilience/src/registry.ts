/**
 * One circuit breaker per key (host, endpoint, tenant), bounded by an LRU.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import { LRUCache } from 'lru-cache';
import { circuitBreaker, type CircuitBreaker, type CircuitBreakerOptions, type CircuitBreakerStats } from './breaker.js';
import { checkInt, checkMs, checkOptions, type PolicyFn } from './policy.js';

/** Options of {@link breakerRegistry}. */
export interface BreakerRegistryOptions {
  /** Breakers kept at most; the least recently used one is dropped beyond that. @default 1_000 */
  max?: number;
  /** Drop breakers not used for this long (ms). @default undefined (no idle expiry) */
  idleMs?: number;
  /**
   * Options for the breaker of `key` (its `name` defaults to the key), or one shared object.
   * @default {} (every breaker with default options)
   */
  breaker?: CircuitBreakerOptions | ((key: string) => CircuitBreakerOptions);
}

/** A keyed set of breakers (see {@link breakerRegistry}). */
export interface BreakerRegistry {
  /** The breaker for `key`, created on first use. */
  get(key: string): CircuitBreaker;
  /** `get(key).execute(fn, signal)`. */
  execute<T>(key: string, fn: PolicyFn<T>, signal?: AbortSignal): Promise<T>;
  /** Whether a breaker exists for `key` (does not refresh its LRU position). */
  has(key: string): boolean;
  /** Drops the breaker of `key`. */
  delete(key: string): boolean;
  /** Breakers held now. */
  readonly size: number;
  /** Stats of every breaker held (for `@armor/metrics`). */
  stats(): CircuitBreakerStats[];
}

/**
 * Creates a registry holding one breaker per key, so one failing host does not open the
 * circuit for the others. Bounded by an LRU (`max`) so unbounded key spaces cannot leak
 * memory; an evicted breaker starts closed when its key is used again.
 *
 * @example
 * ```ts
 * const breakers = breakerRegistry({ max: 500, breaker: (host) => ({ name: `http:${host}`, failureThreshold: 3 }) });
 * const res = await breakers.execute(new URL(url).host, ({ signal }) => fetch(url, { signal }));
 * ```
 */
export function breakerRegistry(options: BreakerRegistryOptions = {}): BreakerRegistry {
  checkOptions('options', options);
  const { max = 1_000, idleMs, breaker = {} } = options;
  checkInt('max', max, 1);
  checkMs('idleMs', idleMs, { min: 1 });
  if (typeof breaker !== 'function' && (typeof breaker !== 'object' || breaker === null)) {
    throw new ConfigurationError('breaker', 'must be breaker options or a function of the key returning them', { received: breaker });
  }
  const make = (key: string) => {
    const opts = typeof breaker === 'function' ? breaker(key) : breaker;
    return circuitBreaker({ ...opts, name: opts.name ?? key });
  };
  // validate the options once up front (for the static form)
  if (typeof breaker !== 'function') make('validation');
  const cache = new LRUCache<string, CircuitBreaker>({ max, ...(idleMs === undefined ? {} : { ttl: idleMs, updateAgeOnGet: true }) });
  const get = (key: string) => {
    let b = cache.get(key);
    if (b === undefined) {
      b = make(key);
      cache.set(key, b);
    }
    return b;
  };
  return {
    get,
    execute: (key, fn, signal) => get(key).execute(fn, signal),
    has: (key) => cache.has(key),
    delete: (key) => cache.delete(key),
    get size() {
      return cache.size;
    },
    stats: () => [...cache.values()].map((b) => b.stats()),
  };
}

/**
 * One circuit breaker per key (host, endpoint, tenant), bounded by an LRU.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import { LRUCache } from 'lru-cache';
import { circuitBreaker, type CircuitBreaker, type CircuitBreakerOptions, type CircuitBreakerStats } from './breaker.js';
import { checkClock, checkInt, checkMs, checkOptions, toScheduler, type Clock, type Kinded } from '@armor/core';
import type { PolicyFn } from './policy.js';

/** Options of {@link breakerRegistry}. */
export interface BreakerRegistryOptions {
  /** Breakers kept at most; the least recently used one is dropped beyond that. @default 1_000 */
  max?: number;
  /**
   * Drop a breaker not used (`get`/`execute`) for this long, in ms, measured with `clock`;
   * its key then gets a fresh, closed breaker. @default undefined (no idle expiry)
   */
  idleMs?: number;
  /**
   * Options for the breaker of `key` (its `name` defaults to the key), or one shared object.
   * @default {} (every breaker with default options)
   */
  breaker?: CircuitBreakerOptions | ((key: string) => CircuitBreakerOptions);
  /**
   * Time source for `idleMs` (only `now()` is used; the registry sets no timers). Breakers
   * take their own `clock` from `breaker`. @default system clock
   */
  clock?: Clock;
}

/** A keyed set of breakers (see {@link breakerRegistry}). */
export interface BreakerRegistry extends Kinded<'registry'> {
  /** The breaker for `key`, created on first use (or after it was dropped). */
  get(key: string): CircuitBreaker;
  /** `get(key).execute(fn, signal)`. */
  execute<T>(key: string, fn: PolicyFn<T>, signal?: AbortSignal): Promise<T>;
  /** Whether a breaker is held for `key` (does not refresh its LRU position or idle time). */
  has(key: string): boolean;
  /** Drops the breaker of `key`; `true` when one was held. */
  delete(key: string): boolean;
  /** Breakers held now (idle ones are dropped first). */
  readonly size: number;
  /** Stats of every breaker held (for `@armor/metrics`). */
  stats(): CircuitBreakerStats[];
}

interface Slot {
  readonly breaker: CircuitBreaker;
  /** `clock.now()` of the last `get`. */
  usedAt: number;
}

/**
 * Creates a registry holding one breaker per key, so one failing host does not open the
 * circuit for the others. Bounded by an LRU (`max`) so unbounded key spaces cannot leak
 * memory, and optionally by idle time (`idleMs`); a dropped breaker starts closed when its
 * key is used again.
 *
 * @example
 * ```ts
 * const breakers = breakerRegistry({ max: 500, idleMs: 10 * 60_000, breaker: (host) => ({ name: `http:${host}`, failureThreshold: 3 }) });
 * const res = await breakers.execute(new URL(url).host, ({ signal }) => fetch(url, { signal }));
 * ```
 */
export function breakerRegistry(options: BreakerRegistryOptions = {}): BreakerRegistry {
  checkOptions('breakerRegistry', options, ['max', 'idleMs', 'breaker', 'clock']);
  const { max = 1_000, idleMs, breaker = {}, clock } = options;
  checkInt('max', max, 1);
  checkMs('idleMs', idleMs, { min: 1 });
  if (typeof breaker !== 'function' && (typeof breaker !== 'object' || breaker === null)) {
    throw new ConfigurationError('breaker', 'must be breaker options or a function of the key returning them', { received: breaker });
  }
  checkClock(clock);
  const time = toScheduler(clock);
  const make = (key: string) => {
    const opts = typeof breaker === 'function' ? breaker(key) : breaker;
    return circuitBreaker({ ...opts, name: opts.name ?? key });
  };
  // validate the options once up front (for the static form)
  if (typeof breaker !== 'function') make('validation');
  // Idle expiry is tracked here, with the injected clock, rather than with lru-cache's `ttl`:
  // that one reads `performance.now()`, caches it behind a real 1 ms timer, and treats a start
  // time of 0 as "no ttl", so it cannot be driven by a manual clock.
  const cache = new LRUCache<string, Slot>({ max });
  const idle = (slot: Slot, now: number) => idleMs !== undefined && now - slot.usedAt >= idleMs;
  const purge = () => {
    if (idleMs === undefined) return;
    const now = time.now();
    const stale: string[] = [];
    for (const [key, slot] of cache.entries()) if (idle(slot, now)) stale.push(key);
    for (const key of stale) cache.delete(key);
  };
  const get = (key: string) => {
    const now = idleMs === undefined ? 0 : time.now();
    let slot = cache.get(key);
    if (slot === undefined || idle(slot, now)) {
      slot = { breaker: make(key), usedAt: now };
      cache.set(key, slot);
    } else {
      slot.usedAt = now;
    }
    return slot.breaker;
  };
  const held = (key: string) => {
    const slot = cache.peek(key);
    if (slot === undefined) return false;
    if (!idle(slot, time.now())) return true;
    cache.delete(key);
    return false;
  };
  return {
    kind: 'registry',
    get,
    execute: (key, fn, signal) => get(key).execute(fn, signal),
    has: held,
    delete: (key) => {
      const was = held(key);
      cache.delete(key);
      return was;
    },
    get size() {
      purge();
      return cache.size;
    },
    stats: () => {
      purge();
      return [...cache.values()].map((slot) => slot.breaker.stats());
    },
  };
}

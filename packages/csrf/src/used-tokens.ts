/**
 * Stores of used one-time tokens (for `createCsrf({ oneTime: { store } })`).
 *
 * @module
 */
import { checkClock, checkInt, checkOptions } from '@armor/core';

/**
 * Remembers which one-time tokens were used. Implement it over Redis (`SET key 1 NX PXAT
 * expiresAt`), a database table with a unique key, or a Convex table to share it between
 * instances.
 */
export interface UsedTokenStore {
  /**
   * Marks `id` used until `expiresAt` (epoch ms). Returns `true` the first time and
   * `false` when it was already used (a replay). Must be atomic.
   */
  consume(id: string, expiresAt: number): boolean | Promise<boolean>;
}

/** Options of {@link memoryUsedTokenStore}. */
export interface MemoryUsedTokenStoreOptions {
  /** Time source. @default Date */
  clock?: { now(): number } | undefined;
  /** Largest number of remembered tokens; beyond it the oldest are forgotten. @default 100000 */
  maxSize?: number | undefined;
}

/**
 * An in-process {@link UsedTokenStore}. Expired entries are swept lazily (no timers). Only
 * for a single instance; with several, use a shared store.
 *
 * @example
 * ```ts
 * const csrf = createCsrf({ secret, oneTime: { store: memoryUsedTokenStore() } });
 * ```
 */
export function memoryUsedTokenStore(options: MemoryUsedTokenStoreOptions = {}): UsedTokenStore & { readonly size: number } {
  checkOptions('memoryUsedTokenStore', options, ['clock', 'maxSize']);
  checkClock(options.clock, 'clock');
  checkInt('maxSize', options.maxSize, 1);
  const clock = options.clock ?? Date;
  const maxSize = options.maxSize ?? 100_000;
  const used = new Map<string, number>();
  let nextSweep = 0;
  return {
    get size() {
      return used.size;
    },
    consume(id, expiresAt) {
      const now = clock.now();
      if (now >= nextSweep || used.size >= maxSize) {
        for (const [key, until] of used) if (until <= now) used.delete(key);
        nextSweep = now + 60_000;
        while (used.size >= maxSize) {
          const oldest = used.keys().next();
          if (oldest.done) break;
          used.delete(oldest.value);
        }
      }
      const until = used.get(id);
      if (until !== undefined && until > now) return false;
      used.set(id, expiresAt);
      return true;
    },
  };
}

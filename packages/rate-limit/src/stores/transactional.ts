/**
 * `transactionalStore()`: turns any storage with a transactional get/set (a Convex mutation,
 * a SQL transaction, a Durable Object) into a rate-limit store. You write three small
 * functions; the algorithms run here.
 *
 * @module
 */
import { checkFunction, checkRequired } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import { evaluateBatch } from '../engine.js';
import type { LimitState, RateLimitStore } from '../types.js';

/** A stored state and when it may be deleted (epoch ms). */
export interface StoredLimit {
  state: LimitState;
  /** After this time the row is garbage (a cleanup job may delete it). */
  expiresAt: number;
}

/**
 * The three operations a table-backed store implements. They run inside one transaction per
 * `consume`, so the read-modify-write is atomic when the storage is (Convex mutations are
 * serializable).
 */
export interface TransactionalStoreAdapter {
  /** Reads the state of `key` (or nothing). */
  get(key: string): Promise<StoredLimit | null | undefined> | StoredLimit | null | undefined;
  /** Writes the state of `key`; `expiresAt` is epoch ms. */
  set(key: string, value: StoredLimit): Promise<void> | void;
  /** Deletes `key`. */
  delete(key: string): Promise<void> | void;
  /**
   * The clock to evaluate limits with (epoch ms). Defaults to the limiter's clock.
   */
  now?: () => number;
}

/**
 * Builds a store from a transactional key-value adapter.
 *
 * @example
 * ```ts
 * const rows = new Map<string, StoredLimit>();
 * const store = transactionalStore({
 *   get: (key) => rows.get(key),
 *   set: (key, value) => { rows.set(key, value); },
 *   delete: (key) => { rows.delete(key); },
 * });
 * ```
 */
export function transactionalStore(adapter: TransactionalStoreAdapter): RateLimitStore {
  // The adapter is the user's object (it may carry more members, e.g. a class instance), so
  // its three functions are checked rather than its key set.
  if (adapter === null || typeof adapter !== 'object') throw new ConfigurationError('adapter', 'must be an object with get, set and delete', { received: adapter });
  const members = adapter as unknown as Record<string, unknown>;
  for (const name of ['get', 'set', 'delete']) {
    checkRequired(name, members[name], 'a function');
    checkFunction(name, members[name]);
  }
  checkFunction('now', members['now']);
  return {
    async apply(request) {
      const now = adapter.now ? adapter.now() : request.now;
      const states = await Promise.all(
        request.ops.map(async (op) => {
          const stored = await adapter.get(op.key);
          return stored && stored.expiresAt > now ? stored.state : undefined;
        }),
      );
      const evals = evaluateBatch({ ...request, now }, states);
      for (let i = 0; i < evals.length; i++) {
        const e = evals[i]!;
        const key = request.ops[i]!.key;
        if (e.write === null) {
          if (states[i] !== undefined) await adapter.delete(key);
        } else if (e.write !== undefined) {
          await adapter.set(key, { state: e.write, expiresAt: now + e.ttlMs });
        }
      }
      return evals.map((e) => e.outcome);
    },
  };
}

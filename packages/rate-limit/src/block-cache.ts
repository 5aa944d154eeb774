/**
 * The limiter's local block cache: refusals of a remote store remembered in-process, so a key
 * that is over its limit (or blocked) is refused without a store round trip. It only answers
 * what the store itself would answer: for each later call it either derives the store's exact
 * answer from the remembered refusal (same key state, later time) or asks the store.
 *
 * @module
 */
import type { RateLimitPolicy, RateLimitResult } from './types.js';

/** One key refused by the store. Times are epoch ms on the limiter's clock. */
interface BlockEntry {
  /** Until when the local answer holds: the block's end, or the refused cost's retry time. */
  until: number;
  /** The refused cost. */
  cost: number;
  reason: 'limit' | 'blocked';
  remaining: number;
  /** When the key is back to full capacity. */
  resetAt: number;
  /** When a request of `cost` could succeed (after `until` for a block when `cost` needs more). */
  retryAt: number;
}

/** What the limiter needs from the cache. */
export interface BlockCache {
  /** The store's answer for `key` at `now`, when it can be known locally; else `undefined`. */
  check(key: string, cost: number, now: number): RateLimitResult | undefined;
  /** Remembers (or forgets) after the store answered a `consume` made at `at`. */
  observe(key: string, cost: number, result: RateLimitResult, at: number): void;
  forget(key: string): void;
}

/**
 * @internal Creates the block cache of one limiter: at most `maxKeys` keys, O(1) per call (the
 * oldest entry goes when full).
 *
 * Exactness: a refusal leaves the key's stored state unchanged, so until the state changes
 * the store's answers are functions of time and cost alone. The cache answers only where that
 * function is known from the one refusal it saw:
 * - blocked: `remaining` 0, the block's end and reset time are the same for every cost; the
 *   retry time is known for the refused cost, and for smaller costs when the refused cost
 *   could retry as soon as the block ends (the wait grows with the cost);
 * - over the limit (no blocks): the refused cost's retry time; `remaining` stays what it was
 *   for a fixed window (until the window ends) and stays 0 for a refused cost ≤ 1; a fixed
 *   window refuses every larger cost until the same window end.
 * Anything else goes to the store. Any other answer of the store for the key (an admission
 * changes the state) and `reset`/`reward`/`penalize` through the limiter drop the entry. The
 * times are measured from the call's start on the limiter's clock, so local answers end at
 * most one round trip early, never late; they count down from the store's rounded answer (whole
 * milliseconds, rounded up), so they may differ from a fresh store answer by that 1 ms.
 */
export function createBlockCache(maxKeys: number, policy: RateLimitPolicy): BlockCache {
  const entries = new Map<string, BlockEntry>();
  const fixedWindow = policy.algorithm === 'fixed-window';
  return {
    check(key, cost, now) {
      const e = entries.get(key);
      if (e === undefined) return undefined;
      if (e.until <= now) {
        entries.delete(key);
        return undefined;
      }
      let retryAt: number;
      if (cost === e.cost) retryAt = e.retryAt;
      else if (e.reason === 'blocked') {
        if (cost > e.cost || e.retryAt > e.until) return undefined;
        retryAt = e.until;
      } else {
        if (!fixedWindow || cost < e.cost) return undefined;
        retryAt = e.retryAt;
      }
      const result: RateLimitResult = {
        allowed: false,
        limit: policy.capacity,
        remaining: e.remaining,
        resetMs: Math.max(0, Math.ceil(e.resetAt - now)),
        retryAfterMs: Math.ceil(retryAt - now),
        reason: e.reason,
      };
      if (e.reason === 'blocked') (result as { blockedMs?: number }).blockedMs = Math.ceil(e.until - now);
      return result;
    },
    observe(key, cost, result, at) {
      if (entries.size > 0) entries.delete(key);
      if (result.allowed || result.reason === 'store-error' || result.reason === undefined) return;
      let until: number;
      let reason: BlockEntry['reason'];
      const blockedMs = result.blockedMs;
      if (blockedMs !== undefined && blockedMs > 0) {
        until = at + blockedMs;
        reason = 'blocked';
      } else if (policy.blockDurationMs > 0 || result.reason !== 'limit' || !(result.retryAfterMs > 0)) {
        return; // a store that does not report blocks: its answers after this one are unknown
      } else if (!fixedWindow && cost > 1) {
        return; // `remaining` may rise before the retry time: only the store knows when
      } else {
        until = at + result.retryAfterMs;
        reason = 'limit';
      }
      if (entries.size >= maxKeys) entries.delete(entries.keys().next().value!);
      entries.set(key, { until, cost, reason, remaining: reason === 'blocked' ? 0 : result.remaining, resetAt: at + result.resetMs, retryAt: at + result.retryAfterMs });
    },
    forget(key) {
      entries.delete(key);
    },
  };
}

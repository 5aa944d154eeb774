/**
 * The web vitals ingest's per-client limiter: a fixed window per key in a bounded map (the
 * oldest key is forgotten first), or any limiter with `consume(key)` (an `@armor/rate-limit`
 * `RateLimiter` fits structurally, so a Redis-backed fleet-wide limit needs no glue).
 *
 * @module
 */
import { checkInt, checkMs, checkOptions, type Scheduler } from '@armor/core';
import { ConfigurationError } from '@armor/errors';

/** What a limiter answers: admitted or not, and when to come back (ms). */
export interface WebVitalsLimitDecision {
  readonly allowed: boolean;
  /** Milliseconds until the client may send again; `0` or absent when allowed. */
  readonly retryAfterMs?: number;
}

/**
 * Any limiter with `consume(key)`, e.g. `createRateLimiter(...)` from `@armor/rate-limit`. A
 * `consume` that throws or rejects admits the beacon (the ingest fails open: monitoring never
 * hurts the monitored).
 */
export interface WebVitalsLimiterLike {
  consume(key: string): WebVitalsLimitDecision | PromiseLike<WebVitalsLimitDecision>;
}

/** Options of the built-in limiter (`rateLimit` of `createWebVitalsIngest`). */
export interface WebVitalsRateLimitOptions {
  /** Beacons one client may send per window. @default 30 */
  limit?: number;
  /** Window length in milliseconds. @default 60000 */
  windowMs?: number;
  /** Clients remembered at once; beyond it the oldest is forgotten (memory stays bounded). @default 10000 */
  maxClients?: number;
}

const KEYS = ['limit', 'windowMs', 'maxClients'] as const;

/** A fixed-window limiter over a bounded `Map`. @internal */
export function fixedWindowLimiter(options: WebVitalsRateLimitOptions, clock: Scheduler): WebVitalsLimiterLike & { readonly size: number } {
  checkOptions('rateLimit', options, KEYS);
  const { limit = 30, windowMs = 60_000, maxClients = 10_000 } = options;
  checkInt('rateLimit.limit', limit, 1);
  checkMs('rateLimit.windowMs', windowMs, { min: 1 });
  checkInt('rateLimit.maxClients', maxClients, 1);
  const windows = new Map<string, { start: number; count: number }>();
  return {
    get size() {
      return windows.size;
    },
    consume(key) {
      const now = clock.now();
      let w = windows.get(key);
      if (w === undefined || now - w.start >= windowMs || now < w.start) {
        if (w !== undefined) windows.delete(key); // re-inserted last: the map stays ordered by window start
        else if (windows.size >= maxClients) windows.delete(windows.keys().next().value as string);
        w = { start: now, count: 0 };
        windows.set(key, w);
      }
      if (w.count >= limit) return { allowed: false, retryAfterMs: Math.max(0, w.start + windowMs - now) };
      w.count++;
      return { allowed: true, retryAfterMs: 0 };
    },
  };
}

/** `rateLimit` option → a limiter, or `undefined` when off. @internal */
export function toLimiter(value: unknown, clock: Scheduler): WebVitalsLimiterLike | undefined {
  if (value === false) return undefined;
  if (value === undefined) return fixedWindowLimiter({}, clock);
  if (typeof value !== 'object' || value === null) throw new ConfigurationError('rateLimit', 'must be false, an options object or a limiter with consume(key)', { received: value });
  if (typeof (value as { consume?: unknown }).consume === 'function') return value as WebVitalsLimiterLike;
  return fixedWindowLimiter(value as WebVitalsRateLimitOptions, clock);
}

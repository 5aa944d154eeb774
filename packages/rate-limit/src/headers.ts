/**
 * `rateLimitHeaders`: the IETF `RateLimit-Policy` / `RateLimit` fields
 * (draft-ietf-httpapi-ratelimit-headers-08 and later), optional legacy `X-RateLimit-*`, and
 * `Retry-After` when limited.
 *
 * @module
 */
import type { RateLimitResult } from './types.js';

/**
 * What the headers describe: a limiter's `policy` works as is.
 *
 * For `token-bucket` and `gcra` the advertised quota is what a client can use at once — the
 * bucket (`capacity`, i.e. `burst`) — over the time it takes to refill it
 * (`capacity × msPerPoint`): `tiers.api` (600 per minute, bursts of 60) is advertised as
 * `q=60;w=6`, the same 10 per second, and agrees with the result's `limit` (60) and
 * `remaining` (at most 60). Windows advertise `limit` per `windowMs`.
 */
export interface HeaderPolicy {
  /** Quota per window (points). */
  readonly limit: number;
  /** Window in milliseconds (sent in whole seconds, rounded up). */
  readonly windowMs: number;
  /** The algorithm; with `token-bucket`/`gcra`, `capacity` and `msPerPoint` define the quota. */
  readonly algorithm?: string;
  /** Bucket size (points usable at once). */
  readonly capacity?: number;
  /** Milliseconds to regain one point. */
  readonly msPerPoint?: number;
}

/** Options of {@link rateLimitHeaders}. */
export interface RateLimitHeadersOptions {
  /** Policy name in the structured fields (letters, digits, `-_.:`). @default 'default' */
  name?: string;
  /** Emit `RateLimit-Policy` and `RateLimit`. @default true */
  standard?: boolean;
  /** Also emit `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` (epoch seconds). @default false */
  legacy?: boolean;
  /** Current time for `X-RateLimit-Reset`, epoch ms. @default Date.now() */
  now?: number;
}

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

const labels = new Map<string, string>();
function label(name: string): string {
  let cached = labels.get(name);
  if (cached === undefined) {
    cached = `"${name.replace(/[^A-Za-z0-9_.:-]/g, '_')}"`;
    if (labels.size < 256) labels.set(name, cached);
  }
  return cached;
}

/**
 * Builds the rate-limit response headers for a result (lower-case names).
 *
 * @example
 * ```ts
 * const result = await limiter.consume(key);
 * rateLimitHeaders(result, limiter.policy);
 * // { 'ratelimit-policy': '"default";q=100;w=60', ratelimit: '"default";r=99;t=60' }
 * ```
 */
export function rateLimitHeaders(result: RateLimitResult, policy: HeaderPolicy, options: RateLimitHeadersOptions = {}): Record<string, string> {
  const { name = 'default', standard = true, legacy = false } = options;
  const headers: Record<string, string> = {};
  if (standard) {
    const l = label(name);
    const bucket = (policy.algorithm === 'token-bucket' || policy.algorithm === 'gcra') && policy.capacity !== undefined && policy.msPerPoint !== undefined;
    const quota = bucket ? policy.capacity! : policy.limit;
    const windowMs = bucket ? policy.capacity! * policy.msPerPoint! : policy.windowMs;
    headers['ratelimit-policy'] = `${l};q=${quota};w=${seconds(windowMs)}`;
    headers['ratelimit'] = `${l};r=${result.remaining};t=${seconds(result.resetMs)}`;
  }
  if (legacy) {
    headers['x-ratelimit-limit'] = String(result.limit);
    headers['x-ratelimit-remaining'] = String(result.remaining);
    headers['x-ratelimit-reset'] = String(Math.ceil(((options.now ?? Date.now()) + result.resetMs) / 1000));
  }
  if (!result.allowed) headers['retry-after'] = String(seconds(result.retryAfterMs));
  return headers;
}

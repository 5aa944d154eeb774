/**
 * `@armor/metrics/bridges`: the Armor components as metrics and snapshot rows, without glue
 * code. `instrumentResilience` (circuit breakers, bulkheads, retry, timeout, fallback and hedge
 * policies of `@armor/resilience`), `instrumentCache` (`@armor/cache`), `instrumentRateLimiter`
 * (`@armor/rate-limit`) and `instrumentHealth` (`@armor/health`'s verdict as `health_ready` and
 * `health_check_passing`). Runtime-neutral.
 *
 * Kept out of the root entry so an app that uses none of those packages does not carry them
 * (the root `@armor/metrics` exported them before).
 *
 * @module
 */
export { instrumentResilience, instrumentCache, instrumentRateLimiter } from './bridges.js';
export type { BridgeOptions, CacheLike, Observable, RateLimiterLike, ResilienceLike } from './bridges.js';
export { instrumentHealth } from './health-metrics.js';
export type { InstrumentHealthOptions } from './health-metrics.js';

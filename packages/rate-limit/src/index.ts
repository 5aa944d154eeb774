/**
 * `@armor/rate-limit`: fixed window, sliding window, token bucket and GCRA limiters with
 * five tiers, memory / Redis / custom (Convex) stores, all-or-nothing multi-limits, IETF
 * `RateLimit` headers, IP keys, and a Fetch wrapper. Runtime-neutral (Node, Convex, edge).
 *
 * @module
 */
export { createRateLimiter, consumeAll, MAX_KEY_BYTES } from './limiter.js';
export { RATE_LIMITER_OPTION_KEYS } from './limiter.js';
export type { RateLimiter, RateLimiterEvents, RateLimiterOptions, RateLimiterStats, WaitForOptions } from './limiter.js';
export { RateLimitInputError, RateLimitStoreError, UnknownClientError } from './errors.js';
export { tiers, createAuthLimiter } from './tiers.js';
export type { AuthAttempt, AuthLimiter, AuthLimiterOptions, TierName, TierPreset } from './tiers.js';
export { memoryStore } from './stores/memory.js';
export type { MemoryStore, MemoryStoreOptions } from './stores/memory.js';
export { redisStore } from './stores/redis.js';
export { REDIS_STORE_TIMEOUT_MS } from './stores/redis.js';
export type { RedisClientLike, RedisPipelineLike, RedisStore, RedisStoreOptions } from './stores/redis.js';
export { transactionalStore } from './stores/transactional.js';
export type { StoredLimit, TransactionalStoreAdapter } from './stores/transactional.js';
export { evaluate, evaluateBatch } from './engine.js';
export type { Evaluation } from './engine.js';
export { rateLimitHeaders } from './headers.js';
export type { HeaderPolicy, RateLimitHeadersOptions } from './headers.js';
export { clientIp, compileTrustProxy, ipKey, normalizeIp, parseTrustProxy } from './ip.js';
export type { IpKeyOptions, TrustFunction, TrustProxy } from './ip.js';
export { withRateLimit } from './fetch.js';
export type { HeaderMode, LimiterSource, UnknownClientPolicy, WithRateLimitOptions } from './fetch.js';
export type {
  Algorithm,
  CombinedRateLimitResult,
  LimitState,
  RateLimitPolicy,
  RateLimitReason,
  RateLimitResult,
  RateLimitStore,
  StoreOperation,
  StoreOutcome,
  StoreRequest,
} from './types.js';

/**
 * `@armor/resilience`: retry with backoff and budgets, timeout, circuit breaker (in-process
 * or shared through Redis), per-key breaker registry, bulkhead, hedging, fallback and `wrap`
 * to compose them — every policy observable (`on(event)`, `stats()`, `kind`), every clock
 * injectable, and every timer an awaited call depends on kept alive (`unref: true` opts out).
 * Runtime-neutral (Node, Convex, edge). Built on `@armor/core`.
 *
 * @module
 */
export { constantBackoff, exponentialBackoff } from './backoff.js';
export type { Backoff, BackoffInput, ExponentialBackoffOptions, Jitter } from './backoff.js';
export { manualClock, systemClock } from '@armor/core';
export type { ArmorKind, Clock, Kinded, Listener, ManualClock, Observable, Scheduler, TimerHandle } from '@armor/core';
export { isBreakerRejection } from './policy.js';
export type { Policy, PolicyContext, PolicyFn } from './policy.js';
export { BulkheadRejectedError } from './errors.js';
export { isRetryableByDefault, retry, retryAfterFromError, retryBudget, retryPolicy } from './retry.js';
export type { GiveUpEvent, RetryBudget, RetryBudgetOptions, RetryBudgetStats, RetryEvent, RetryEvents, RetryOptions, RetryPolicy, RetryStats } from './retry.js';
export { timeout, timeoutPolicy } from './timeout.js';
export type { TimeoutEvents, TimeoutOptions, TimeoutPolicy, TimeoutPolicyOptions, TimeoutStats } from './timeout.js';
export { circuitBreaker } from './breaker.js';
export type {
  AcquireResult,
  BreakerState,
  BreakerStateStore,
  CircuitBreaker,
  CircuitBreakerEvents,
  CircuitBreakerOptions,
  CircuitBreakerStats,
  SharedBreakerSnapshot,
  StateChangeEvent,
} from './breaker.js';
export { memoryBreakerState } from './memory-state.js';
export type { MemoryBreakerStateOptions } from './memory-state.js';
export { redisBreakerState } from './redis-state.js';
export type { RedisBreakerStateOptions, RedisEvalClient } from './redis-state.js';
export { breakerRegistry } from './registry.js';
export type { BreakerRegistry, BreakerRegistryOptions } from './registry.js';
export { bulkhead } from './bulkhead.js';
export type { Bulkhead, BulkheadEvents, BulkheadOptions, BulkheadStats } from './bulkhead.js';
export { fallback, fallbackPolicy } from './fallback.js';
export type { FallbackEvent, FallbackEvents, FallbackOptions, FallbackPolicy, FallbackPolicyOptions, FallbackStats, FallbackValue } from './fallback.js';
export { hedge, hedgePolicy } from './hedge.js';
export type { HedgeEvent, HedgeEvents, HedgeOptions, HedgePolicy, HedgePolicyOptions, HedgeStats, HedgeWinEvent } from './hedge.js';
export { wrap } from './wrap.js';
export type { WrappedPolicy } from './wrap.js';

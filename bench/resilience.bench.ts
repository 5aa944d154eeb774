/**
 * @armor/resilience vs cockatiel, opossum and p-retry: the success path (no failures) of a
 * retry and of a circuit breaker around an async no-op, measured interleaved in one process.
 */
import { circuitBreaker as cockatielBreaker, ConsecutiveBreaker, ExponentialBackoff, handleAll, retry as cockatielRetry } from 'cockatiel';
import Opossum from 'opossum';
import pRetry from 'p-retry';
import { circuitBreaker, retry, retryPolicy } from '@armor/resilience';
import { compare } from './lib.ts';

const noop = async () => {};

// retry: a reusable policy, defaults otherwise (3 attempts, exponential backoff)
const armorRetry = retryPolicy({ maxAttempts: 3 });
const cockRetry = cockatielRetry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff() });
await compare('retry-policy-async-noop', () => armorRetry.execute(noop), 'cockatiel', () => cockRetry.execute(noop));

// retry: one-shot call with options per call (p-retry's only form)
await compare('retry-call-async-noop', () => retry(noop, { maxAttempts: 3 }), 'p-retry', () => pRetry(noop, { retries: 2 }));

// circuit breaker: consecutive-failure strategy, defaults otherwise
const armorBreaker = circuitBreaker({ failureThreshold: 5, halfOpenAfterMs: 10_000 });
const cockBreaker = cockatielBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) });
await compare('breaker-async-noop', () => armorBreaker.execute(noop), 'cockatiel', () => cockBreaker.execute(noop));

// opossum with its defaults (which include a 10 s timeout timer per call) ...
const opossum = new Opossum(noop);
await compare('breaker-async-noop', () => armorBreaker.execute(noop), 'opossum', () => opossum.fire());

// ... and without the per-call timeout, breaker logic only
const opossumNoTimeout = new Opossum(noop, { timeout: false });
await compare('breaker-async-noop-no-timeout', () => armorBreaker.execute(noop), 'opossum', () => opossumNoTimeout.fire());

opossum.shutdown();
opossumNoTimeout.shutdown();

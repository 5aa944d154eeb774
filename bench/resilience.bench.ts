/**
 * @armor/resilience vs cockatiel, opossum and p-retry: the success path (no failures) of a
 * retry and of a circuit breaker around an async no-op, measured interleaved in one process.
 */
import { circuitBreaker as cockatielBreaker, ConsecutiveBreaker, ExponentialBackoff, handleAll, retry as cockatielRetry } from 'cockatiel';
import Opossum from 'opossum';
import pRetry from 'p-retry';
import { circuitBreaker, exponentialBackoff, fallbackPolicy, redisBreakerState, retry, retryPolicy, timeoutPolicy, wrap } from '@armor/resilience';
import { startRedis } from '@armor/test-utils';
import { Redis } from 'ioredis';
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

// The README's main composition (fallback → retry → breaker → timeout) with its dependency
// down: 50 concurrent calls. Not a comparison: prints the latency percentiles of one burst
// from a closed breaker (it opens during the burst; each call pays at most one backoff) and
// of a burst once the breaker is open (no waiting at all). Before retry failed fast on the
// breaker's own rejection, the first figure was a p50 of ~15 s.
{
  const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
  const refused = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
  const burst = async (policy: { execute: (fn: () => Promise<number>) => Promise<number> }) => {
    const latencies: number[] = [];
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const t0 = performance.now();
        await policy.execute(refused);
        latencies.push(performance.now() - t0);
      }),
    );
    return latencies;
  };
  const firstBurst: number[] = [];
  const openBurst: number[] = [];
  for (let round = 0; round < 5; round++) {
    const inventory = wrap(
      fallbackPolicy(-1),
      retryPolicy({ maxAttempts: 4, backoff: exponentialBackoff({ initial: 20, max: 200 }) }),
      circuitBreaker({ name: 'inventory', failureRate: 0.5, minimumThroughput: 10, windowMs: 10_000, halfOpenAfterMs: 5_000 }),
      timeoutPolicy(1_000),
    );
    firstBurst.push(...(await burst(inventory)));
    openBurst.push(...(await burst(inventory)));
  }
  const fmt = (xs: number[]) => `p50_ms=${percentile(xs, 50).toFixed(2)} p95_ms=${percentile(xs, 95).toFixed(2)} max_ms=${Math.max(...xs).toFixed(2)}`;
  console.log(`BENCH readme-composition-dependency-down-50-concurrent ${fmt(firstBurst)}`);
  console.log(`BENCH readme-composition-breaker-open-50-concurrent ${fmt(openBurst)}`);
}

// A breaker sharing its state through Redis, with Redis paused (CLIENT PAUSE ALL) after the
// store's guard opened, beside the same breaker on a healthy Redis. Both re-read the shared
// state before every call (syncIntervalMs: 0), so the healthy figure pays one Redis round trip
// per call and the paused one fails fast on the open guard and runs on local state. A long
// cooldown keeps the guard open for the whole measurement (otherwise one probe per cooldown
// costs one timeout).
{
  const healthy = await startRedis();
  const paused = await startRedis();
  const options = { enableOfflineQueue: false, maxRetriesPerRequest: 1 } as const;
  const healthyClient = new Redis(healthy.url, options);
  const pausedClient = new Redis(paused.url, options);
  for (const c of [healthyClient, pausedClient]) c.on('error', () => undefined);
  const make = (client: Redis, key: string) =>
    circuitBreaker({ failureThreshold: 5, state: redisBreakerState({ client, key, syncIntervalMs: 0, timeoutMs: 200, cooldownMs: 600_000 }) });
  const up = make(healthyClient, 'bench:breaker:healthy');
  const down = make(pausedClient, 'bench:breaker:paused');
  let storeErrors = 0;
  down.on('storeError', () => storeErrors++);
  await up.execute(noop);
  await down.execute(noop);
  await paused.pause(120_000);
  await down.execute(noop); // one store timeout (200 ms): the guard opens
  if (storeErrors === 0) throw new Error('the store did not report the paused Redis');
  await compare('breaker-redis-state-paused-redis', () => down.execute(noop), 'same-breaker-healthy-redis', () => up.execute(noop), { rounds: 5, timeMs: 400 });
  healthyClient.disconnect();
  pausedClient.disconnect();
  await healthy.stop();
  await paused.stop();
}

/**
 * redisBreakerState at the onset of a hang: the README promises that no execute waits longer
 * than the one that meets the hang. The breaker shares one state read among concurrent
 * executes, and the kernel guard fails every waiting call when its circuit opens; this keeps
 * both in place. A real `CLIENT PAUSE ... ALL`; verdicts from ordering and relative durations,
 * never from milliseconds.
 */
import { startRedis } from '@armor/test-utils';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { circuitBreaker, redisBreakerState } from './index.js';

it('200 executes made during the first timeoutMs of a hang all settle when the guard opens; none waits longer than the first', async () => {
  const redis = await startRedis();
  const c = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  c.on('error', () => undefined);
  try {
    const breaker = circuitBreaker({
      failureThreshold: 1_000,
      state: redisBreakerState({ client: c, key: 'breaker:onset', syncIntervalMs: 0, timeoutMs: 1_000, cooldownMs: 60_000 }),
    });
    await expect(breaker.execute(() => 'warm')).resolves.toBe('warm');
    let firstStoreError = false;
    const storeErrored = new Promise<void>((resolve) =>
      breaker.on('storeError', () => {
        firstStoreError = true;
        resolve();
      }),
    );
    await redis.pause(10_000); // longer than the test: the server is stopped while paused

    const calls: { started: number; settled?: number; value?: string }[] = [];
    const all: Promise<void>[] = [];
    while (calls.length < 200 && !firstStoreError) {
      const call: (typeof calls)[number] = { started: performance.now() };
      calls.push(call);
      all.push(
        breaker.execute(() => 'ran').then((value) => {
          call.settled = performance.now();
          call.value = value;
        }),
      );
      await new Promise((r) => setTimeout(r, 1));
    }
    await storeErrored;
    const launched = calls.length;
    await new Promise((r) => setImmediate(r));
    const waiting = calls.filter((call) => call.settled === undefined).length;
    expect(waiting, `${waiting} of ${launched} executes still waiting for Redis after the guard opened`).toBe(0);
    await Promise.all(all);
    expect(launched).toBeGreaterThan(1);
    expect(calls.every((call) => call.value === 'ran')).toBe(true); // fn ran on the local state
    const firstWait = calls[0]!.settled! - calls[0]!.started;
    for (const call of calls) expect(call.settled! - call.started).toBeLessThanOrEqual(firstWait + 1);
  } finally {
    c.disconnect();
    await redis.stop();
  }
}, 60_000);

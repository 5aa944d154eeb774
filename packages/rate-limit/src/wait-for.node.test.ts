import { startRedis, type RedisServer } from '@armor/test-utils';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter, redisStore, type Algorithm } from './index.js';

const MONTH = 30 * 24 * 3_600_000; // above 2^31 − 1 ms: a runtime timer of this length overflows

let redis: RedisServer;
let client: Redis;
beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  await client.ping();
});
afterAll(async () => {
  client.disconnect();
  await redis.stop();
});

describe('waitFor with a monthly quota on defaults (real Redis, real timers)', () => {
  // Fixed window on defaults (maxWaitMs = windowMs: the window end is always within it). A
  // bucket or GCRA of 1 per month needs almost exactly a month, right at that default bound,
  // so those two wait with maxWaitMs of two months.
  const cases: [Algorithm, boolean, number | undefined][] = [
    ['fixed-window', true, undefined],
    ['fixed-window', false, undefined],
    ['token-bucket', false, 2 * MONTH],
    ['gcra', true, 2 * MONTH],
  ];
  for (const [algorithm, blockCache, maxWaitMs] of cases) {
    it(`${algorithm}${blockCache ? '' : ' (blockCache: false)'}${maxWaitMs ? ', maxWaitMs 2 months' : ''}: never spins — one refusal, then one timer for the real retry time`, async () => {
      // Fixed windows are aligned to the epoch: a window of ~34 days that began under a second
      // ago, so its end is always beyond 2^31 − 1 ms, whatever the date the test runs on.
      const windowMs = algorithm === 'fixed-window' ? Math.floor(Date.now() / 600) : MONTH;
      const limiter = createRateLimiter({ algorithm, limit: 1, windowMs, name: `wait-month-${algorithm}-${blockCache}-${Date.now()}`, store: redisStore({ client }), blockCache });
      expect((await limiter.consume('k')).allowed).toBe(true);
      const limited: number[] = [];
      limiter.on('limited', ({ result }) => limited.push(result.retryAfterMs));
      const controller = new AbortController();
      const waiting = limiter.waitFor('k', { signal: controller.signal, ...(maxWaitMs ? { maxWaitMs } : {}) });
      // A timer above 2^31 − 1 ms that is not chained fires after ~1 ms: the loop would then
      // ask the store again and again (hundreds of times in this window): every ask is a `limited` event.
      await new Promise((r) => setTimeout(r, 300));
      controller.abort(new Error('stop'));
      await expect(waiting).rejects.toThrow('stop');
      expect(limited).toHaveLength(1);
      expect(limited[0]).toBeGreaterThan(2 ** 31);
      // Sanity: the store is asked again once the wait is over (no extra call before it).
      expect(await limiter.peek('k')).toMatchObject({ allowed: false });
    });
  }
});

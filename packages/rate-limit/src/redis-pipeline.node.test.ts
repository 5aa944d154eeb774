import { startRedis, type RedisServer } from '@armor/test-utils';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../test/conformance.js';
import { createRateLimiter, redisStore } from './index.js';

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

describe('redisStore: concurrent consumes go out as one pipeline', () => {
  it('stays exact: 300 concurrent consumes of one key admit exactly the limit, for every algorithm', async () => {
    for (const algorithm of ALGORITHMS) {
      const limiter = createRateLimiter({ algorithm, limit: 50, windowMs: 3_600_000, store: redisStore({ client }), name: `pipe-${algorithm}-${Date.now()}`, blockCache: false });
      await limiter.consume('warm'); // loads the script
      const results = await Promise.all(Array.from({ length: 300 }, () => limiter.consume('k')));
      expect(results.filter((r) => r.allowed)).toHaveLength(50);
      // In call order: the first 50 calls are the admitted ones.
      expect(results.slice(0, 50).every((r) => r.allowed)).toBe(true);
      expect(results.every((r) => r.reason !== 'store-error')).toBe(true);
      expect(limiter.stats().storeErrors).toBe(0);
    }
  });

  it('answers every call of a batch after NOSCRIPT (script cache flushed between batches)', async () => {
    const limiter = createRateLimiter({ algorithm: 'gcra', limit: 1_000, windowMs: 3_600_000, store: redisStore({ client }), name: `pipe-noscript-${Date.now()}` });
    await limiter.consume('warm');
    await client.script('FLUSH');
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => limiter.consume(`k${i % 7}`)));
    expect(results.every((r) => r.allowed && r.reason === undefined)).toBe(true);
    expect(limiter.stats().storeErrors).toBe(0);
    expect((await limiter.peek('k0')).remaining).toBe(1_000 - 6);
  });

  it('fails every call of a batch as a store error when Redis is gone (fail-open answers, no unhandled rejection)', async () => {
    const server = await startRedis();
    const c = new Redis(server.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => 50 });
    c.on('error', () => undefined);
    try {
      const limiter = createRateLimiter({ algorithm: 'fixed-window', limit: 10, windowMs: 60_000, store: redisStore({ client: c, timeoutMs: 500 }), name: 'pipe-down' });
      await limiter.consume('warm');
      await server.stop();
      const results = await Promise.all(Array.from({ length: 20 }, () => limiter.consume('k')));
      expect(results.every((r) => r.allowed && r.reason === 'store-error')).toBe(true);
    } finally {
      c.disconnect();
      await server.stop();
    }
  });
});

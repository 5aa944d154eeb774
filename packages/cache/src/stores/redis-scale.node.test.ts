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

/** Fills Redis with `n` keys that belong to nobody's cache (`other:<i>`), in one script (~1.5 s per million). */
const fillOthers = (n: number) =>
  client.eval(
    `local n = tonumber(ARGV[1])
for b = 0, n - 1, 10000 do
  local a = {}
  for i = 1, math.min(10000, n - b) do a[2 * i - 1] = 'other:' .. (b + i); a[2 * i] = 'x' end
  for j = 1, #a, 1000 do redis.call('MSET', unpack(a, j, math.min(j + 999, #a))) end
end
return redis.call('DBSIZE')`,
    0,
    n,
  );

describe('cache.clear() on a Redis holding a million other keys', () => {
  const OTHERS = 1_000_000;
  beforeAll(async () => {
    await client.flushdb();
    expect(await fillOthers(OTHERS)).toBe(OTHERS);
  }, 60_000);

  it('clears its namespace in bounded steps: succeeds, leaves other keys alone, the guard stays closed, and a tiered peer drops its copy', async () => {
    const { memoryStore } = await import('./memory.js');
    const { tieredStore } = await import('./tiered.js');
    // the default timeout and cooldown: clear() must fit each of its steps in one timeout
    const storeA = tieredStore({ l1: memoryStore({ max: 1_000 }), l2: redisStore({ client: connect() }) });
    const storeB = tieredStore({ l1: memoryStore({ max: 1_000 }), l2: redisStore({ client: connect() }) });
    expect(await Promise.all([storeA.ready({ timeoutMs: 20_000 }), storeB.ready({ timeoutMs: 20_000 })])).toEqual(['subscribed', 'subscribed']);
    const opened: string[] = [];
    storeA.l2.guard.on('open', (e) => opened.push(e.failure.message));
    const a = createCache<string>({ store: storeA, ttlMs: 600_000, namespace: 'app', failOpen: false });
    const b = createCache<string>({ store: storeB, ttlMs: 600_000, namespace: 'app', failOpen: false });
    const other = createCache<string>({ store: storeA, ttlMs: 600_000, namespace: 'other-app', failOpen: false });
    try {
      for (let i = 0; i < 50; i++) await a.set(`k${i}`, `v${i}`, { tags: ['t'] });
      await other.set('keep', 'kept', { tags: ['t'] });
      // B holds k0 in its memory tier
      await expect.poll(async () => (await b.get('k0'), b.getSync('k0') ?? null)).toBe('v0');

      await a.clear();

      expect(opened).toEqual([]);
      expect(storeA.l2.guard.state).toBe('closed');
      for (let i = 0; i < 50; i++) expect(await a.get(`k${i}`)).toBeUndefined();
      expect(await client.keys('armor:cache:[kgt]:app:*')).toEqual([]);
      // the other namespace and the million foreign keys are untouched
      expect(await other.get('keep')).toBe('kept');
      expect(await other.invalidateTag('t')).toBe(1);
      expect(await client.get('other:1')).toBe('x');
      expect(await client.get(`other:${OTHERS}`)).toBe('x');
      expect(await client.dbsize()).toBe(OTHERS);
      // the peer no longer serves the cleared value, from memory or Redis
      await expect.poll(() => b.getSync('k0') ?? null, { timeout: 5_000 }).toBe(null);
      expect(await b.get('k0')).toBeUndefined();
      // and the store keeps working through the same guard
      await a.set('after', 'ok');
      expect(await b.get('after')).toBe('ok');
    } finally {
      await Promise.all([storeA.close(), storeB.close()]);
    }
  }, 120_000);
});

/**
 * @armor/cache vs its anchors:
 * - memory get-hit, sync: `cache.getSync` vs lru-cache `get`, both a TTL'd LRU (max + ttl);
 *   plus, for reference, lru-cache without a ttl; and the async `await cache.get` vs an awaited
 *   lru-cache `get`.
 * - getOrSet hit, memory, async: `cache.getOrSet` vs cache-manager@7 `wrap` (defaults: its Keyv memory store).
 * - getOrSet hit, Redis, async: `redisStore` (ioredis) vs cache-manager@7 + @keyv/redis, same redis-server.
 */
import { createCache, redisStore } from '@armor/cache';
import { startRedis } from '@armor/test-utils';
import { createKeyv } from '@keyv/redis';
import { createCache as createCacheManager } from 'cache-manager';
import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { compare } from './lib.ts';

const N = 1024;
const keys = Array.from({ length: N }, (_, i) => `user:${i}`);
const value = (i: number) => ({ id: i, name: `user ${i}`, roles: ['reader'], active: true });
const TTL = 60_000;

// 1. memory get-hit (sync)
{
  const armor = createCache({ ttlMs: TTL, store: undefined });
  const lruTtl = new LRUCache<string, object>({ max: 10_000, ttl: TTL });
  const lruPlain = new LRUCache<string, object>({ max: 10_000 });
  for (let i = 0; i < N; i++) {
    await armor.set(keys[i]!, value(i));
    lruTtl.set(keys[i]!, value(i));
    lruPlain.set(keys[i]!, value(i));
  }
  let a = 0;
  let b = 0;
  let c = 0;
  let sink = 0;
  await compare(
    'memory-get-hit-sync-both-ttl',
    () => {
      if (armor.getSync(keys[a++ & (N - 1)]!) !== undefined) sink++;
    },
    'lru-cache',
    () => {
      if (lruTtl.get(keys[b++ & (N - 1)]!) !== undefined) sink++;
    },
  );
  await compare(
    'memory-get-hit-sync-vs-untimed-lru',
    () => {
      if (armor.getSync(keys[a++ & (N - 1)]!) !== undefined) sink++;
    },
    'lru-cache-no-ttl',
    () => {
      if (lruPlain.get(keys[c++ & (N - 1)]!) !== undefined) sink++;
    },
  );
  // The async API against an awaited lru-cache get (like with like: one await each).
  await compare(
    'memory-get-hit-async-both-ttl',
    async () => {
      if ((await armor.get(keys[a++ & (N - 1)]!)) !== undefined) sink++;
    },
    'lru-cache',
    async () => {
      if ((await Promise.resolve(lruTtl.get(keys[b++ & (N - 1)]!))) !== undefined) sink++;
    },
  );
  if (sink === 0) throw new Error('no hits');
}

// 2. getOrSet hit, memory, async
{
  const armor = createCache({ ttlMs: TTL });
  const manager = createCacheManager({ ttl: TTL });
  for (let i = 0; i < N; i++) {
    await armor.getOrSet(keys[i]!, () => value(i));
    await manager.wrap(keys[i]!, () => value(i), TTL);
  }
  let a = 0;
  let b = 0;
  const loader = () => {
    throw new Error('loader must not run on a hit');
  };
  await compare(
    'getOrSet-hit-memory-async',
    () => armor.getOrSet(keys[a++ & (N - 1)]!, loader),
    'cache-manager',
    () => manager.wrap(keys[b++ & (N - 1)]!, loader, TTL),
  );
}

// 3. getOrSet hit, Redis, async
{
  const redis = await startRedis();
  const client = new Redis(redis.url);
  const keyvRedis = createKeyv(redis.url);
  const armor = createCache({ store: redisStore({ client }), ttlMs: TTL });
  const manager = createCacheManager({ stores: [keyvRedis], ttl: TTL });
  for (let i = 0; i < N; i++) {
    await armor.getOrSet(keys[i]!, () => value(i));
    await manager.wrap(keys[i]!, () => value(i), TTL);
  }
  let a = 0;
  let b = 0;
  const loader = () => {
    throw new Error('loader must not run on a hit');
  };
  await compare(
    'getOrSet-hit-redis-async-same-server',
    () => armor.getOrSet(keys[a++ & (N - 1)]!, loader),
    'cache-manager-keyv-redis',
    () => manager.wrap(keys[b++ & (N - 1)]!, loader, TTL),
    { rounds: 5, timeMs: 500 },
  );
  await manager.disconnect();
  client.disconnect();
  await redis.stop();
}

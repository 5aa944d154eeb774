/**
 * @armor/cache vs its anchors:
 * - memory get-hit, sync: `cache.getSync` vs lru-cache `get`, both a TTL'd LRU (max + ttl);
 *   plus, for reference, lru-cache without a ttl; and the async `await cache.get` vs an awaited
 *   lru-cache `get`.
 * - getOrSet hit, memory, async: `cache.getOrSet` vs cache-manager@7 `wrap` (defaults: its Keyv memory store).
 * - getOrSet hit, Redis, async: `redisStore` (ioredis) vs cache-manager@7 + @keyv/redis, same redis-server.
 * - cache-get-hung-redis: tiered cache reads that miss L1, with Redis paused (CLIENT PAUSE ALL)
 *   after the Redis guard opened, beside the same reads against a healthy Redis (no anchor: the
 *   point is that a hung Redis costs one timeout per cooldown, not one per read).
 */
import { createCache, memoryStore, redisStore, tieredStore } from '@armor/cache';
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

// 4. tiered cache reads with Redis paused, after the guard opened (vs the same reads, healthy)
{
  const healthy = await startRedis();
  const hung = await startRedis();
  const options = { enableOfflineQueue: false, maxRetriesPerRequest: 1 } as const;
  const healthyClient = new Redis(healthy.url, options);
  const hungClient = new Redis(hung.url, options);
  for (const c of [healthyClient, hungClient]) c.on('error', () => undefined);
  // L1 holds one entry, so reads of N keys go to L2 (Redis); a long cooldown keeps the guard open
  // for the whole measurement (the probe after each cooldown would otherwise cost one timeout).
  const tiered = async (client: Redis) => {
    const store = tieredStore({ l1: memoryStore({ max: 1 }), l2: redisStore({ client, timeoutMs: 200, cooldownMs: 600_000 }) });
    if ((await store.ready({ timeoutMs: 20_000 })) !== 'subscribed') throw new Error('the tiered store did not subscribe');
    return { store, cache: createCache({ store, ttlMs: TTL }) };
  };
  const up = await tiered(healthyClient);
  const down = await tiered(hungClient);
  for (let i = 0; i < N; i++) {
    await up.cache.set(keys[i]!, value(i));
    await down.cache.set(keys[i]!, value(i));
  }
  await hung.pause(120_000);
  await down.cache.get('open-the-guard'); // one timeout (200 ms): the guard opens
  if (down.store.l2.guard.state !== 'open') throw new Error('the guard did not open');
  let a = 0;
  let b = 0;
  let served = 0;
  await compare(
    'cache-get-hung-redis-tiered-guard-open',
    async () => {
      if ((await down.cache.get(keys[a++ & (N - 1)]!)) === undefined) served++; // a miss, at once
    },
    'same-reads-healthy-redis',
    async () => {
      if ((await up.cache.get(keys[b++ & (N - 1)]!)) !== undefined) served++;
    },
    { rounds: 5, timeMs: 400 },
  );
  if (served === 0) throw new Error('no reads served');
  await up.cache.close();
  await down.cache.close();
  healthyClient.disconnect();
  hungClient.disconnect();
  await healthy.stop();
  await hung.stop();
}

/**
 * The cross-process stampede lock (issue 24): waiters wake when the holder releases the lock
 * (its loader failed) instead of sleeping the whole `waitMs`, and the lock's default ttl covers
 * the loader timeout. Two caches on two connections to a real redis-server stand for two
 * processes (in-process coalescing cannot help them; only the Redis lock can).
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
beforeEach(async () => {
  await client.flushdb();
});

/** A Redis store that counts the lock attempts it refused (a waiter is waiting once it has one). */
const countingStore = () => {
  const store = redisStore({ client: connect() });
  const lock = store.lock.bind(store);
  const counter = { refused: 0, store };
  store.lock = async (key, ttlMs) => {
    const token = await lock(key, ttlMs);
    if (token === undefined) counter.refused++;
    return token;
  };
  return counter;
};

/** A promise with its resolve/reject outside. */
const deferred = <T = void>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

describe('cache lock waiters', () => {
  // longer than the test's own timeout: a waiter that sleeps the whole wait fails the test
  const WAIT_MS = 60_000;

  it('wake when the holder fails and release the lock, instead of waiting the whole waitMs', async () => {
    const holder = createCache<string>({ store: redisStore({ client: connect() }), ttlMs: 60_000, lock: { waitMs: WAIT_MS, pollMs: 20 } });
    const counted = countingStore();
    const waiter = createCache<string>({ store: counted.store, ttlMs: 60_000, lock: { waitMs: WAIT_MS, pollMs: 20 } });
    const failHolder = deferred();
    const order: string[] = [];
    const held = holder.getOrSet('k', async () => {
      order.push('holder loads');
      await failHolder.promise;
      throw new Error('database down');
    });
    await expect.poll(() => client.exists('armor:cache:l:k')).toBe(1); // the holder has the lock
    const started = performance.now();
    const waited = waiter.getOrSet('k', () => (order.push('waiter loads'), 'from the waiter'));
    await expect.poll(() => counted.refused).toBeGreaterThan(0); // the waiter found the lock taken and waits
    expect(order).toEqual(['holder loads']);
    order.push('holder fails');
    failHolder.reject(new Error('database down'));
    await expect(held).rejects.toThrow('database down');
    expect(await waited).toBe('from the waiter');
    expect(order).toEqual(['holder loads', 'holder fails', 'waiter loads']);
    expect(performance.now() - started).toBeLessThan(WAIT_MS / 2);
    expect(await client.exists('armor:cache:l:k')).toBe(0); // the waiter released the lock it took over
    expect(await holder.get('k')).toBe('from the waiter'); // and stored its value for everyone
  }, 20_000);

  it('one waiter takes the released lock over and loads; the others get its value (still one load)', async () => {
    const stores = Array.from({ length: 4 }, countingStore);
    const caches = stores.map(({ store }) => createCache<string>({ store, ttlMs: 60_000, lock: { waitMs: WAIT_MS, pollMs: 10 } }));
    const failHolder = deferred();
    const held = caches[0]!.getOrSet('k', async () => {
      await failHolder.promise;
      throw new Error('holder failed');
    });
    await expect.poll(() => client.exists('armor:cache:l:k')).toBe(1);
    let loads = 0;
    const waiters = caches.slice(1).map((c) =>
      c.getOrSet('k', async () => {
        loads++;
        await new Promise((r) => setTimeout(r, 50));
        return 'reloaded';
      }),
    );
    await expect.poll(() => stores.slice(1).every((c) => c.refused > 0)).toBe(true); // all three wait
    failHolder.reject(new Error('holder failed'));
    await expect(held).rejects.toThrow('holder failed');
    expect(await Promise.all(waiters)).toEqual(['reloaded', 'reloaded', 'reloaded']);
    expect(loads).toBe(1);
  }, 20_000);

  it('still get the holder value when it delivers (no extra load)', async () => {
    const holder = createCache<string>({ store: redisStore({ client: connect() }), ttlMs: 60_000, lock: { waitMs: WAIT_MS, pollMs: 10 } });
    const counted = countingStore();
    const waiter = createCache<string>({ store: counted.store, ttlMs: 60_000, lock: { waitMs: WAIT_MS, pollMs: 10 } });
    const deliver = deferred<string>();
    const held = holder.getOrSet('k', () => deliver.promise);
    await expect.poll(() => client.exists('armor:cache:l:k')).toBe(1);
    let waiterLoads = 0;
    const waited = waiter.getOrSet('k', () => (waiterLoads++, 'mine'));
    await expect.poll(() => counted.refused).toBeGreaterThan(0);
    deliver.resolve('theirs');
    expect(await held).toBe('theirs');
    expect(await waited).toBe('theirs');
    expect(waiterLoads).toBe(0);
  }, 20_000);
});

describe('cache lock ttl', () => {
  /** PTTL of the lock while a load holds it. */
  const lockTtlDuring = async (cache: ReturnType<typeof createCache<string>>, options?: { loaderTimeoutMs: number }) => {
    const release = deferred<string>();
    const loading = cache.getOrSet('ttl', () => release.promise, options);
    await expect.poll(() => client.exists('armor:cache:l:ttl')).toBe(1);
    const pttl = await client.pttl('armor:cache:l:ttl');
    release.resolve('v');
    await loading;
    await cache.delete('ttl');
    return pttl;
  };

  it('defaults to the loader timeout (10 s by default), so a lock never expires while its load may still run', async () => {
    expect(await lockTtlDuring(createCache<string>({ store: redisStore({ client }), ttlMs: 60_000, lock: true }))).toBeGreaterThan(9_000);
    const slow = createCache<string>({ store: redisStore({ client }), ttlMs: 60_000, loaderTimeoutMs: 30_000, lock: true });
    expect(await lockTtlDuring(slow)).toBeGreaterThan(29_000);
    expect(await lockTtlDuring(slow, { loaderTimeoutMs: 45_000 })).toBeGreaterThan(44_000); // per call too
    const untimed = createCache<string>({ store: redisStore({ client }), ttlMs: 60_000, loaderTimeoutMs: Infinity, lock: true });
    expect(await lockTtlDuring(untimed)).toBeGreaterThan(59_000); // 60 s when the loader has no timeout
  });

  it('keeps an explicit ttlMs', async () => {
    const pttl = await lockTtlDuring(createCache<string>({ store: redisStore({ client }), ttlMs: 60_000, lock: { ttlMs: 3_000 } }));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(3_000);
  });
});

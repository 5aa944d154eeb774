/**
 * The outage conformance suite (real CLIENT PAUSE, SIGSTOP, SIGKILL, restart) for every
 * Redis-backed part of @armor/cache: the Redis store, the tiered cache, and the cross-process
 * stampede lock. With the default `failOpen: true`, every call resolves with the loader's value
 * within the store timeout plus 100 ms, and the memory tier keeps answering.
 */
import { outageSuite, startRedis, type RedisServer } from '@armor/test-utils';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache, type Cache } from '../cache.js';
import { CacheStoreError } from '../errors.js';
import type { CacheEvents } from '../types.js';
import { memoryStore } from './memory.js';
import { redisStore } from './redis.js';
import { tieredStore } from './tiered.js';

const TIMEOUT = 200;
const COOLDOWN = 300;
const client = async (url: string) => {
  const c = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  c.on('error', () => undefined);
  // connected before the suite's first healthy call (a slow connect must not count as an outage)
  if (c.status !== 'ready') await new Promise((resolve) => c.once('ready', resolve));
  return c;
};

/**
 * Runs the Lua scripts once before the suite's first healthy call, so a slow first EVAL on a
 * busy machine is not mistaken for an outage; then closes the guard's circuit.
 */
const warmUp = async (cache: Cache, guard: { reset(): void }) => {
  for (let i = 0; i < 40; i++) {
    await cache.set('warm-up', i);
    if (await cache.has('warm-up')) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  guard.reset();
};

interface Outcome {
  key: string;
  value: unknown;
  stored: boolean;
  warm?: unknown;
}

/** One call: a getOrSet miss (loader value), then whether the value reached the store. */
const callOf = (cache: Cache, stored: (key: string) => Promise<boolean>, warm: boolean) => {
  let n = 0;
  return async (): Promise<Outcome> => {
    const key = `k${n++}`;
    const value = await cache.getOrSet(key, () => `loaded ${key}`);
    const outcome: Outcome = { key, value, stored: await stored(key) };
    if (warm) outcome.warm = await cache.get('warm');
    return outcome;
  };
};

const fulfilled = (o: PromiseSettledResult<unknown>): Outcome => {
  expect(o.status).toBe('fulfilled');
  return (o as PromiseFulfilledResult<Outcome>).value;
};

outageSuite('cache redis store (failOpen)', {
  create: async (redis) => {
    const c = await client(redis.url);
    const errors: string[] = [];
    const cache = createCache({
      store: redisStore({ client: c, timeoutMs: TIMEOUT, cooldownMs: COOLDOWN }),
      ttlMs: 60_000,
      onStoreError: (e) => errors.push(`${e.operation}: ${(e.error as Error).message}`),
    });
    await warmUp(cache, (cache.store as ReturnType<typeof redisStore>).guard);
    return {
      call: callOf(cache, (key) => cache.has(key), false),
      expectHealthy: (o) => expect(fulfilled(o), errors.slice(-3).join('; ')).toMatchObject({ value: expect.stringMatching(/^loaded k/), stored: true }),
      expectOutage: (o) => {
        const v = fulfilled(o);
        expect(v.value).toBe(`loaded ${v.key}`);
      },
      timeoutMs: TIMEOUT,
      close: async () => c.disconnect(),
    };
  },
});

outageSuite('cache redis store (failOpen: false)', {
  faults: ['pause', 'kill'],
  create: async (redis) => {
    const c = await client(redis.url);
    const store = redisStore({ client: c, timeoutMs: TIMEOUT, cooldownMs: COOLDOWN });
    await warmUp(createCache({ store, ttlMs: 60_000 }), store.guard);
    const cache = createCache({ store, ttlMs: 60_000, failOpen: false });
    let n = 0;
    return {
      call: () => cache.getOrSet(`k${n++}`, () => 'loaded'),
      expectHealthy: (o) => expect(o).toEqual({ status: 'fulfilled', value: 'loaded' }),
      expectOutage: (o) => {
        expect(o.status).toBe('rejected');
        expect((o as PromiseRejectedResult).reason).toBeInstanceOf(CacheStoreError);
      },
      timeoutMs: TIMEOUT,
      close: async () => c.disconnect(),
    };
  },
});

outageSuite('tiered cache (memory tier keeps answering)', {
  create: async (redis) => {
    const c = await client(redis.url);
    const store = tieredStore({ l1: memoryStore({ max: 1_000 }), l2: redisStore({ client: c, timeoutMs: TIMEOUT, cooldownMs: COOLDOWN }) });
    expect(await store.ready({ timeoutMs: 20_000 })).toBe('subscribed');
    const cache = createCache({ store, ttlMs: 60_000 });
    await warmUp(cache, store.l2.guard);
    await cache.set('warm', 'warm');
    const inL2 = (key: string) => store.l2.get(key).then((e) => e !== undefined, () => false);
    return {
      call: callOf(cache, inL2, true),
      expectHealthy: (o) => expect(fulfilled(o)).toMatchObject({ value: expect.stringMatching(/^loaded k/), stored: true }),
      expectOutage: (o) => {
        const v = fulfilled(o);
        expect(v.value).toBe(`loaded ${v.key}`);
        expect(v.warm).toBe('warm'); // answered from L1 while Redis is down
      },
      timeoutMs: TIMEOUT,
      close: async () => {
        await store.close();
        c.disconnect();
      },
    };
  },
});

outageSuite('tiered cache cross-process lock', {
  create: async (redis) => {
    const c = await client(redis.url);
    const store = tieredStore({ l1: memoryStore({ max: 1_000 }), l2: redisStore({ client: c, timeoutMs: TIMEOUT, cooldownMs: COOLDOWN }) });
    expect(await store.ready({ timeoutMs: 20_000 })).toBe('subscribed');
    const cache = createCache({ store, ttlMs: 60_000, lock: { waitMs: 1_000, pollMs: 20 } });
    await warmUp(cache, store.l2.guard);
    const inL2 = (key: string) => store.l2.get(key).then((e) => e !== undefined, () => false);
    return {
      call: callOf(cache, inL2, false),
      expectHealthy: (o) => expect(fulfilled(o)).toMatchObject({ value: expect.stringMatching(/^loaded k/), stored: true }),
      expectOutage: (o) => {
        const v = fulfilled(o);
        expect(v.value).toBe(`loaded ${v.key}`);
      },
      timeoutMs: TIMEOUT,
      close: async () => {
        await store.close();
        c.disconnect();
      },
    };
  },
});

describe('a hung Redis costs one timeout per cooldown', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    redis.thaw();
    await redis.stop();
  });

  it('after the first timeout, tiered reads fail fast (circuit-open) and L1 keeps answering', async () => {
    const c = await client(redis.url);
    const store = tieredStore({ l1: memoryStore({ max: 100 }), l2: redisStore({ client: c, timeoutMs: TIMEOUT, cooldownMs: 60_000 }) });
    expect(await store.ready({ timeoutMs: 20_000 })).toBe('subscribed');
    const errors: CacheEvents['storeError'][] = [];
    const cache = createCache({ store, ttlMs: 60_000, onStoreError: (e) => errors.push(e) });
    await cache.set('warm', 'warm');
    redis.freeze();
    try {
      expect(await cache.get('cold-0')).toBeUndefined();
      expect(store.l2.guard.state).toBe('open');
      for (let i = 1; i <= 10; i++) {
        expect(await cache.get(`cold-${i}`)).toBeUndefined();
        expect(await cache.get('warm')).toBe('warm');
      }
      const reasons = errors.map((e) => String((e.error as Error).message));
      expect(reasons[0]).toMatch(/did not answer get within 200 ms/);
      expect(reasons.slice(1)).toHaveLength(10);
      expect(reasons.slice(1).every((m) => /cooldown/.test(m))).toBe(true);
    } finally {
      redis.thaw();
      await store.close();
      c.disconnect();
    }
  });
});

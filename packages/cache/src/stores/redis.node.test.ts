import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isArmorError } from '@armor/errors';
import { startRedis, type RedisServer } from '@armor/test-utils';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeStoreConformance } from '../../test/store-conformance.js';
import { createCache } from '../cache.js';
import { CacheSerializationError, CacheStoreError } from '../errors.js';
import type { CacheEvents, Serializer } from '../types.js';
import { redisStore } from './redis.js';

let redis: RedisServer;
let client: Redis;
const clients: Redis[] = [];
const connect = () => {
  const c = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  c.on('error', () => undefined); // outages are expected in these tests
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

describeStoreConformance('redis', async () => {
  await client.flushdb();
  return { store: redisStore({ client }) };
});

describe('redisStore', () => {
  beforeEach(async () => {
    await client.flushdb();
  });

  it('lets Redis enforce the TTL (ttl + stale window, in ms)', async () => {
    const cache = createCache({ store: redisStore({ client }), ttlMs: 1_000, staleWhileRevalidateMs: 500 });
    await cache.set('k', 'v');
    const pttl = await client.pttl('armor:cache:k:k');
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(1_500);
    await cache.set('short', 'v', { ttlMs: 30, staleWhileRevalidateMs: 0 });
    await expect.poll(() => client.exists('armor:cache:k:short'), { timeout: 2_000 }).toBe(0);
  });

  it('rejects a non-serializable value at set with a clear error and writes nothing', async () => {
    class User {
      constructor(readonly id: number) {}
    }
    const cache = createCache({ store: redisStore({ client }), ttlMs: 60_000 });
    await cache.set('k', { ok: 1 });
    const error = await cache.set('k', { user: { profile: new User(1) } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheSerializationError);
    expect((error as Error).message).toContain('/user/profile');
    expect(await cache.get('k')).toEqual({ ok: 1 });
    await expect(cache.set('fn', () => 1)).rejects.toThrow(CacheSerializationError);
    expect(await client.exists('armor:cache:k:fn')).toBe(0);
  });

  it('getOrSet never rejects after a successful load: an unserializable loaded value is returned uncached, with a storeError', async () => {
    const errors: CacheEvents['storeError'][] = [];
    const cache = createCache({ store: redisStore({ client }), ttlMs: 60_000, onStoreError: (e) => errors.push(e) });
    const fn = () => 1;
    expect(await cache.getOrSet('loaded', () => ({ fn }))).toEqual({ fn });
    expect(await client.exists('armor:cache:k:loaded')).toBe(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.operation).toBe('set');
    expect(errors[0]!.error).toBeInstanceOf(CacheSerializationError);
  });

  it('getOrSet on Redis returns and caches undefined and Date like the memory store (issue 16)', async () => {
    const cache = createCache({ store: redisStore({ client }), ttlMs: 60_000 });
    let loads = 0;
    expect(await cache.getOrSet('none', () => (loads++, undefined))).toBeUndefined();
    expect(await cache.getOrSet('none', () => (loads++, 'again'))).toBeUndefined();
    expect(loads).toBe(1);
    const at = new Date(86_400_000);
    expect(await cache.getOrSet('date', () => at)).toEqual(at);
    const back = await createCache({ store: redisStore({ client }), ttlMs: 60_000 }).get('date');
    expect(back).toBeInstanceOf(Date);
    expect((back as Date).getTime()).toBe(86_400_000);
  });

  it('uses the cache serializer when one is given (e.g. one that keeps Dates)', async () => {
    const dates: Serializer = {
      serialize: (v) => JSON.stringify(v, function (this: Record<string, unknown>, k) {
        const raw = this[k];
        return raw instanceof Date ? { $date: raw.toISOString() } : raw;
      }),
      deserialize: (t) => JSON.parse(t, (_k, v: unknown) => (v && typeof v === 'object' && '$date' in v ? new Date((v as { $date: string }).$date) : v)),
    };
    const cache = createCache<{ at: Date }>({ store: redisStore({ client }), ttlMs: 60_000, serializer: dates });
    await cache.set('d', { at: new Date(86_400_000) });
    const back = await createCache<{ at: Date }>({ store: redisStore({ client }), ttlMs: 60_000, serializer: dates }).get('d');
    expect(back?.at).toBeInstanceOf(Date);
    expect(back?.at.getTime()).toBe(86_400_000);
  });

  it('wraps a custom serializer failure as CacheSerializationError', async () => {
    const broken: Serializer = {
      serialize: () => {
        throw new Error('nope');
      },
      deserialize: (t) => t,
    };
    const cache = createCache({ store: redisStore({ client, serializer: broken }), ttlMs: 60_000 });
    await expect(cache.set('k', 1)).rejects.toThrow(/Cannot cache value for key "k": nope/);
  });

  it('shares entries between two clients (two app instances)', async () => {
    const a = createCache<number>({ store: redisStore({ client }), ttlMs: 60_000, namespace: 'app' });
    const b = createCache<number>({ store: redisStore({ client: connect() }), ttlMs: 60_000, namespace: 'app' });
    await a.set('n', 41, { tags: ['t'] });
    expect(await b.get('n')).toBe(41);
    expect(await b.invalidateTag('t')).toBe(1);
    expect(await a.get('n')).toBeUndefined();
    expect(() => a.getSync('n')).toThrow(/cannot read synchronously/);
  });

  it('coalesces misses across processes with the SET NX PX lock', async () => {
    let loads = 0;
    const loader = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 150));
      return { v: 'shared' };
    };
    // Two caches on two connections: in-process coalescing cannot help, only the Redis lock.
    const a = createCache({ store: redisStore({ client }), ttlMs: 60_000, lock: { pollMs: 10 } });
    const b = createCache({ store: redisStore({ client: connect() }), ttlMs: 60_000, lock: { pollMs: 10 } });
    const results = await Promise.all([a.getOrSet('k', loader), b.getOrSet('k', loader), a.getOrSet('k', loader), b.getOrSet('k', loader)]);
    expect(loads).toBe(1);
    expect(results).toEqual(Array(4).fill({ v: 'shared' }));
    expect(await client.exists('armor:cache:l:k')).toBe(0); // released
  });

  it('falls back to its own loader when the lock holder does not deliver in waitMs', async () => {
    const store = redisStore({ client });
    const token = await store.lock('stuck', 10_000); // a crashed holder
    expect(token).toBeDefined();
    const cache = createCache({ store, ttlMs: 60_000, lock: { waitMs: 100, pollMs: 20 } });
    let loads = 0;
    expect(await cache.getOrSet('stuck', () => (loads++, 'mine'))).toBe('mine');
    expect(loads).toBe(1);
  });

  it('rejects a client with an ioredis keyPrefix and other bad options', () => {
    const prefixed = new Redis(redis.url, { keyPrefix: 'x:', lazyConnect: true });
    expect(() => redisStore({ client: prefixed })).toThrow(/"client"/);
    prefixed.disconnect();
    expect(() => redisStore({ client: {} as never })).toThrow(/"client"/);
    expect(() => redisStore({ client, timeoutMs: -1 })).toThrow(/"timeoutMs"/);
    expect(() => redisStore({ client, serializer: {} as never })).toThrow(/"serializer"/);
    expect(() => redisStore({ client, prefix: 1 as never })).toThrow(/"prefix"/);
  });
});

interface LockWorkerReport {
  value: { by: string };
  /** Loader calls in that process. */
  loads: number;
  misses: number;
}

const lockWorkerScript = fileURLToPath(new URL('../../test/fixtures/lock-worker.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Starts test/fixtures/lock-worker.ts and waits until it is connected; `go()` starts its getOrSet. */
async function startLockWorker(name: string, key: string, loaderMs: number, waitMs: number) {
  const proc = spawn(
    process.execPath,
    ['--conditions=@armor/source', '--import', 'tsx', lockWorkerScript, redis.url, name, key, String(loaderMs), String(waitMs)],
    { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lock worker ${name} exited with ${code}: ${stderr}`))));
  });
  exited.catch(() => undefined); // awaited in report()
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<unknown> => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`lock worker ${name} closed its output early: ${stderr}`);
    return JSON.parse(value as string);
  };
  expect(await nextLine()).toEqual({ ready: true });
  return {
    go: () => proc.stdin.end('go\n'),
    report: async (): Promise<LockWorkerReport> => {
      const report = (await nextLine()) as LockWorkerReport;
      await exited;
      return report;
    },
  };
}

describe('redisStore stampede lock across two Node processes', () => {
  it('two processes missing the same key at once run the loader exactly once; both get its value', async () => {
    const key = `procs-once-${Date.now()}`;
    const workers = await Promise.all([startLockWorker('a', key, 1_000, 5_000), startLockWorker('b', key, 1_000, 5_000)]);
    for (const w of workers) w.go();
    const [a, b] = await Promise.all(workers.map((w) => w.report()));
    expect(await client.get(`loads:${key}`)).toBe('1'); // counted in Redis by the loader
    expect(a!.loads + b!.loads).toBe(1);
    expect([a!.misses, b!.misses]).toEqual([1, 1]); // both missed: the lock, not a stored value, kept one from loading
    const holder = a!.loads === 1 ? 'a' : 'b';
    expect(a!.value).toEqual({ by: holder });
    expect(b!.value).toEqual({ by: holder });
    expect(await client.exists(`armor:cache:l:${key}`)).toBe(0); // released
  }, 60_000);

  it('the waiter falls back to its own loader when the holder takes longer than waitMs', async () => {
    // Documented: others "poll for its value and fall back to their own loader after waitMs".
    const key = `procs-timeout-${Date.now()}`;
    const workers = await Promise.all([startLockWorker('a', key, 1_500, 300), startLockWorker('b', key, 1_500, 300)]);
    for (const w of workers) w.go();
    const [a, b] = await Promise.all(workers.map((w) => w.report()));
    expect(await client.get(`loads:${key}`)).toBe('2');
    expect([a!.loads, b!.loads]).toEqual([1, 1]);
    expect([a!.misses, b!.misses]).toEqual([1, 1]);
    expect(a!.value).toEqual({ by: 'a' }); // each got the value of its own loader
    expect(b!.value).toEqual({ by: 'b' });
    expect(await client.exists(`armor:cache:l:${key}`)).toBe(0);
  }, 60_000);
});

describe('redisStore during a Redis outage', () => {
  beforeEach(async () => {
    await client.flushdb();
  });

  // Checked explicitly, not left to vitest's default reporting: no call, timeout or reconnect
  // during an outage may leave a rejection unhandled.
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(async () => {
    try {
      await new Promise((r) => setTimeout(r, 50)); // late rejections of the last calls
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  const runTraffic = (cache: ReturnType<typeof createCache<string>>, loader: () => Promise<string>) => {
    const state = { stop: false, served: 0, failures: [] as unknown[], done: Promise.resolve() };
    state.done = (async () => {
      while (!state.stop) {
        try {
          const value = await cache.getOrSet('k', loader);
          if (value !== 'value') throw new Error(`wrong value ${value}`);
          state.served++;
        } catch (error) {
          state.failures.push(error);
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    return state;
  };

  it('keeps serving through redis.restart() mid-traffic and re-caches afterwards', async () => {
    const c = connect();
    await c.ping();
    const cache = createCache<string>({ store: redisStore({ client: c, timeoutMs: 200 }), ttlMs: 60_000 });
    let loads = 0;
    const loader = async () => (loads++, 'value');
    expect(await cache.getOrSet('k', loader)).toBe('value');
    const traffic = runTraffic(cache, loader);
    await new Promise((r) => setTimeout(r, 30));
    await redis.restart(); // data is gone (no persistence), connections drop
    await expect.poll(() => c.status, { timeout: 10_000 }).toBe('ready');
    await expect.poll(async () => c.exists('armor:cache:k:k'), { timeout: 5_000 }).toBe(1); // re-cached after the restart
    const loadsAfterRecovery = loads;
    const servedAfterRecovery = traffic.served;
    await expect.poll(() => traffic.served, { timeout: 5_000 }).toBeGreaterThan(servedAfterRecovery + 3);
    traffic.stop = true;
    await traffic.done;
    expect(traffic.failures).toEqual([]);
    expect(loads).toBeGreaterThanOrEqual(2); // the restart lost the entry: loaded again
    expect(loads).toBe(loadsAfterRecovery); // then served from Redis again
  });

  it('during a longer outage emits storeError and falls back to the loader, never rejecting', async () => {
    const c = connect();
    await c.ping();
    const errors: CacheEvents['storeError'][] = [];
    const cache = createCache<string>({ store: redisStore({ client: c, timeoutMs: 100 }), ttlMs: 60_000, onStoreError: (e) => errors.push(e) });
    let loads = 0;
    const loader = async () => (loads++, 'value');
    expect(await cache.getOrSet('k', loader)).toBe('value');
    const traffic = runTraffic(cache, loader);
    await redis.stop();
    try {
      await expect.poll(() => errors.length, { timeout: 5_000 }).toBeGreaterThan(3);
      const loadsDuringOutage = loads;
      await expect.poll(() => loads, { timeout: 5_000 }).toBeGreaterThan(loadsDuringOutage + 3); // each request used the loader
    } finally {
      await redis.start();
    }
    await expect.poll(() => c.status, { timeout: 10_000 }).toBe('ready');
    await expect.poll(async () => c.exists('armor:cache:k:k'), { timeout: 5_000 }).toBe(1);
    traffic.stop = true;
    await traffic.done;
    expect(traffic.failures).toEqual([]);
    expect(errors.every((e) => e.error instanceof CacheStoreError && isArmorError(e.error, 'SERVICE_UNAVAILABLE'))).toBe(true);
    expect(new Set(errors.map((e) => e.operation))).toContain('get');
    expect(cache.stats().storeErrors).toBe(errors.length);
  });

  it('with failOpen: false rejects with CacheStoreError; invalidations always reject', async () => {
    const c = connect();
    await c.ping();
    const strict = createCache({ store: redisStore({ client: c, timeoutMs: 200 }), ttlMs: 60_000, failOpen: false });
    const lenient = createCache({ store: redisStore({ client: c, timeoutMs: 200 }), ttlMs: 60_000 });
    await redis.stop();
    try {
      await expect.poll(() => c.status, { timeout: 5_000 }).not.toBe('ready');
      const error = await strict.getOrSet('k', () => 'v').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CacheStoreError);
      expect((error as CacheStoreError).status).toBe(503);
      expect((error as CacheStoreError).operation).toBe('get');
      await expect(strict.set('k', 'v')).rejects.toThrow(CacheStoreError);
      expect(await lenient.getOrSet('k', () => 'v')).toBe('v');
      expect(await lenient.get('k')).toBeUndefined();
      await expect(lenient.set('k', 'v')).resolves.toBeUndefined();
      await expect(lenient.delete('k')).rejects.toThrow(CacheStoreError);
      await expect(lenient.invalidateTag('t')).rejects.toThrow(CacheStoreError);
      await expect(lenient.clear()).rejects.toThrow(CacheStoreError);
    } finally {
      await redis.start();
    }
    await expect.poll(() => c.status, { timeout: 10_000 }).toBe('ready');
    expect(await strict.getOrSet('k', () => 'v2')).toBe('v2');
  });

  it('times out a hung connection instead of stalling', async () => {
    const c = connect();
    await c.ping();
    const cache = createCache({ store: redisStore({ client: c, timeoutMs: 100 }), ttlMs: 60_000 });
    const blocker = connect();
    await blocker.ping();
    let lastError: unknown;
    cache.on('storeError', (e) => (lastError = e.error));
    await blocker.call('CLIENT', 'PAUSE', '500', 'ALL'); // Redis stops answering other clients for 500 ms
    expect(await cache.getOrSet('k', () => 'fallback')).toBe('fallback');
    expect(cache.stats().storeErrors).toBe(1); // the read timed out (a paused Redis would otherwise answer later)
    expect((lastError as Error).message).toMatch(/did not answer get within 100 ms/);
    await blocker.call('CLIENT', 'UNPAUSE');
  });
});

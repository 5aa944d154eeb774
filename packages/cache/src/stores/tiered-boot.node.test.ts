/**
 * `tieredStore().ready()` while Redis is down at boot (issue 24): it settles within a bounded
 * time with a documented outcome (`'degraded'`), the app starts and serves, and once Redis is
 * reachable the subscription is made and `ready()` resolves `'subscribed'`. The README's
 * top-level `await store.ready()` is run in a child process, where process lifetime matters.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startRedis, type RedisServer } from '@armor/test-utils';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheStoreError } from '../errors.js';
import { memoryStore } from './memory.js';
import { redisStore } from './redis.js';
import { tieredStore } from './tiered.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

const client = (url = redis.url) => {
  const c = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  c.on('error', () => undefined);
  return c;
};
const connected = async (c: Redis) => {
  if (c.status !== 'ready') await new Promise((resolve) => c.once('ready', resolve));
  return c;
};

describe('tieredStore.ready() with Redis down at boot', () => {
  it("resolves 'degraded' within its timeout, then 'subscribed' once Redis is back", async () => {
    await redis.stop();
    const c = client();
    const store = tieredStore({ l1: memoryStore({ max: 100 }), l2: redisStore({ client: c, timeoutMs: 200 }) });
    try {
      expect(await store.ready()).toBe('degraded'); // default: the L2 store's timeoutMs
      expect(await store.ready({ timeoutMs: 0 })).toBe('degraded');
      expect(store.subscribed).toBe(false);
      await redis.start();
      expect(await store.ready({ timeoutMs: 20_000 })).toBe('subscribed');
      expect(store.subscribed).toBe(true);
      expect(await store.ready()).toBe('subscribed');
    } finally {
      await store.close();
      c.disconnect();
    }
  }, 30_000);

  it('drops memory copies made before the subscription was active (invalidations may have been missed)', async () => {
    await redis.start(); // no-op when running
    const c = client();
    const store = tieredStore({ l1: memoryStore({ max: 100 }), l2: redisStore({ client: c }) });
    // filled before ready(): no subscription yet
    await store.l1.set('early', { value: 1, freshUntil: Date.now() + 60_000, staleUntil: Date.now() + 60_000 }, { ttlMs: 60_000 });
    try {
      expect(await store.ready({ timeoutMs: 20_000 })).toBe('subscribed');
      expect(store.getSync('early')).toBeUndefined();
    } finally {
      await store.close();
      c.disconnect();
    }
  }, 30_000);

  it("rejects with CacheStoreError when Redis refuses SUBSCRIBE (not an outage: a configuration problem)", async () => {
    await redis.start();
    const admin = await connected(client());
    await admin.call('ACL', 'SETUSER', 'nosub', 'on', '>pw', '~*', '&*', '+@all', '-subscribe');
    const c = client(`redis://nosub:pw@127.0.0.1:${redis.port}`);
    const store = tieredStore({ l1: memoryStore({ max: 100 }), l2: redisStore({ client: c }) });
    try {
      const error = await store.ready({ timeoutMs: 20_000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CacheStoreError);
      expect((error as CacheStoreError).operation).toBe('subscribe');
      expect((error as Error).message).toMatch(/NOPERM|permission/i);
    } finally {
      await store.close();
      c.disconnect();
      admin.disconnect();
    }
  }, 30_000);

  it('an app following the README starts during the outage, serves, subscribes when Redis is back and exits on its own', async () => {
    await redis.stop();
    const script = fileURLToPath(new URL('../../test/fixtures/tiered-boot.ts', import.meta.url));
    const proc = spawn(process.execPath, ['--conditions=@armor/source', '--import', 'tsx', script, redis.url], {
      cwd: fileURLToPath(new URL('../../../../', import.meta.url)),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    const messages: unknown[] = [];
    const waiting: (() => void)[] = [];
    createInterface({ input: proc.stdout }).on('line', (line) => {
      messages.push(JSON.parse(line));
      waiting.splice(0).forEach((w) => w());
    });
    const nth = async (n: number) => {
      while (messages.length < n) {
        await Promise.race([new Promise<void>((r) => waiting.push(r)), exited.then(() => Promise.reject(new Error(`app exited early: ${stderr}`)))]);
      }
      return messages[n - 1];
    };
    try {
      expect(await nth(1)).toEqual({ ready: 'degraded', subscribed: false });
      expect(await nth(2)).toEqual({ served: 'hello from the loader' });
      await redis.start();
      proc.stdin.write('redis-up\n');
      expect(await nth(3)).toEqual({ subscribed: 'subscribed' });
      expect(await nth(4)).toEqual({ served: 'hello from redis' });
      expect(await exited, stderr).toBe(0);
    } finally {
      proc.kill('SIGKILL');
    }
  }, 60_000);
});

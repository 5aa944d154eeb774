import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startRedis, type RedisServer } from '@armor/test-utils';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeStoreConformance } from '../../test/store-conformance.js';
import { createCache } from '../cache.js';
import type { CacheEvents } from '../types.js';
import { memoryStore } from './memory.js';
import { redisStore } from './redis.js';
import { tieredStore, type TieredStore } from './tiered.js';

let redis: RedisServer;
let client: Redis;
const clients: Redis[] = [];
const connect = () => {
  const c = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  c.on('error', () => undefined);
  clients.push(c);
  return c;
};
const stores: TieredStore[] = [];
const tiered = async (c: Redis = client) => {
  const store = tieredStore({ l1: memoryStore({ max: 1_000 }), l2: redisStore({ client: c }) });
  stores.push(store);
  expect(await store.ready({ timeoutMs: 20_000 })).toBe('subscribed');
  return store;
};

beforeAll(async () => {
  redis = await startRedis();
  client = connect();
});
afterAll(async () => {
  for (const s of stores) await s.close();
  for (const c of clients) c.disconnect();
  await redis.stop();
});

describeStoreConformance('tiered', async () => {
  await client.flushdb();
  const store = await tiered();
  return { store, cleanup: () => store.close() };
});

describe('tieredStore in one process (two instances)', () => {
  beforeEach(async () => {
    await client.flushdb();
  });

  it('fills L1 from L2 and answers getSync from L1', async () => {
    const a = createCache<string>({ store: await tiered(), ttlMs: 60_000 });
    const b = createCache<string>({ store: await tiered(connect()), ttlMs: 60_000 });
    await a.set('k', 'v1');
    expect(b.getSync('k')).toBeUndefined(); // not in B's L1 yet
    expect(await b.get('k')).toBe('v1'); // from L2
    // B fills its L1 on a read that no invalidation raced with (A's own set message may still be in flight)
    await expect.poll(async () => (await b.get('k'), b.getSync('k'))).toBe('v1');
    expect(b.stats().size).toBe(1);
  });

  it("evicts the other instance's L1 copy on set, delete, invalidateTag and clear", async () => {
    const evicted: CacheEvents['evict'][] = [];
    const a = createCache<string>({ store: await tiered(), ttlMs: 60_000, namespace: 'app' });
    const b = createCache<string>({ store: await tiered(connect()), ttlMs: 60_000, namespace: 'app', onEvict: (e) => evicted.push(e) });

    const fill = (key: string) => expect.poll(async () => (await b.get(key), b.getSync(key) ?? null));
    await a.set('k', 'v1', { tags: ['t'] });
    await fill('k').toBe('v1');
    await a.set('k', 'v2', { tags: ['t'] });
    await expect.poll(() => b.getSync('k') ?? null).toBe(null); // dropped within the pub/sub hop
    expect(evicted).toContainEqual({ key: 'k', reason: 'remote' });
    expect(await b.get('k')).toBe('v2');

    await a.delete('k');
    await expect.poll(() => b.getSync('k') ?? null).toBe(null);
    expect(await b.get('k')).toBeUndefined();

    await a.set('t1', 'x', { tags: ['t'] });
    await fill('t1').toBe('x');
    expect(await a.invalidateTag('t')).toBe(1);
    await expect.poll(() => b.getSync('t1') ?? null).toBe(null);

    await a.set('c', 'y');
    await fill('c').toBe('y');
    await a.clear();
    await expect.poll(() => b.getSync('c') ?? null).toBe(null);
  });

  it('clears L1 after its subscriber reconnects (invalidations may have been missed)', async () => {
    const c = connect();
    const store = await tiered(c);
    const cache = createCache<string>({ store, ttlMs: 60_000 });
    await cache.set('k', 'v');
    expect(cache.getSync('k')).toBe('v');
    await redis.restart();
    await expect.poll(() => cache.getSync('k') ?? null, { timeout: 10_000 }).toBe(null);
    await expect.poll(() => c.status, { timeout: 10_000 }).toBe('ready');
    expect(await cache.getOrSet('k', () => 'reloaded')).toBe('reloaded'); // Redis lost it too
  });
});

interface Worker {
  send(op: string, args?: Record<string, unknown>): Promise<unknown>;
  proc: ChildProcessWithoutNullStreams;
}

const workerScript = fileURLToPath(new URL('../../test/fixtures/tiered-worker.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

async function startWorker(name: string): Promise<Worker> {
  const proc = spawn(process.execPath, ['--conditions=@armor/source', '--import', 'tsx', workerScript, redis.url, name], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let onReady!: () => void;
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    proc.once('exit', (code) => reject(new Error(`worker ${name} exited with ${code}: ${stderr}`)));
  });
  createInterface({ input: proc.stdout }).on('line', (line) => {
    const msg = JSON.parse(line) as { ready?: boolean; id?: number; result?: unknown; error?: string };
    if (msg.ready) return onReady();
    const p = pending.get(msg.id!);
    pending.delete(msg.id!);
    if (msg.error !== undefined) p?.reject(new Error(msg.error));
    else p?.resolve(msg.result);
  });
  await ready;
  return {
    proc,
    send: (op, args = {}) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        proc.stdin.write(`${JSON.stringify({ id, op, ...args })}\n`);
      }),
  };
}

describe('tieredStore across two Node processes', () => {
  let a: Worker;
  let b: Worker;
  beforeAll(async () => {
    await client.flushdb();
    [a, b] = await Promise.all([startWorker('app-a'), startWorker('app-b')]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a, b].map((w) => w?.send('exit').catch(() => undefined)));
  });

  it('never serves the other process its stale L1 copy after a write', async () => {
    await a.send('set', { key: 'price', value: 100, tags: ['catalog'] });
    expect(await b.send('getOrSet', { key: 'price', value: -1 })).toBe(100); // from L2
    await expect.poll(async () => (await b.send('get', { key: 'price' }), b.send('getSync', { key: 'price' }))).toBe(100); // now in B's L1
    expect(await b.send('loads')).toBe(0);

    await a.send('set', { key: 'price', value: 120, tags: ['catalog'] });
    await expect.poll(() => b.send('getSync', { key: 'price' }), { timeout: 2_000 }).toBe(null);
    expect(await b.send('get', { key: 'price' })).toBe(120);
    await expect.poll(async () => (await a.send('get', { key: 'price' }), a.send('getSync', { key: 'price' }))).toBe(120);

    await b.send('set', { key: 'price', value: 130, tags: ['catalog'] }); // and the other way round
    await expect.poll(() => a.send('getSync', { key: 'price' }), { timeout: 2_000 }).toBe(null);
    expect(await a.send('get', { key: 'price' })).toBe(130);
    await expect.poll(async () => (await a.send('get', { key: 'price' }), a.send('getSync', { key: 'price' }))).toBe(130);

    expect(await b.send('invalidateTag', { tag: 'catalog' })).toBe(1);
    await expect.poll(() => a.send('getSync', { key: 'price' }), { timeout: 2_000 }).toBe(null);
    expect(await a.send('getOrSet', { key: 'price', value: 140 })).toBe(140);
    expect(await b.send('get', { key: 'price' })).toBe(140);

    await b.send('delete', { key: 'price' });
    await expect.poll(() => a.send('getSync', { key: 'price' }), { timeout: 2_000 }).toBe(null);
  });

  it('caches a loaded undefined like the memory store does, and the other process sees it (no reload)', async () => {
    expect(await a.send('getOrSet', { key: 'nothing', value: undefined })).toBe(null);
    const before = await b.send('loads');
    expect(await b.send('getOrSet', { key: 'nothing', value: 'loaded' })).toBe(null);
    expect(await b.send('loads')).toBe(before);
  });
});

describe('tieredStore options', () => {
  it.each([
    ['l1', () => tieredStore({ l1: {} as never, l2: redisStore({ client }) })],
    ['l2', () => tieredStore({ l1: memoryStore({ max: 1 }), l2: memoryStore({ max: 1 }) as never })],
    ['channel', () => tieredStore({ l1: memoryStore({ max: 1 }), l2: redisStore({ client }), channel: '' })],
  ])('throws ConfigurationError for a bad %s', (option, make) => {
    expect(make).toThrow(`"${option}"`);
  });
});

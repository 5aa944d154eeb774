// syncToFleet against a real Redis that stalls (CLIENT PAUSE): a push that timed out on our side
// but ran in Redis when the pause ended must not be counted again by the retry.
import { Redis } from 'ioredis';
import { createRegistry, recordError, trackOperation } from '@armor/metrics';
import { startRedis, type RedisServer } from '@armor/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisFleetStore, syncToFleet } from '../src/index.js';
import { until } from './prometheus-server.js';

describe('syncToFleet: idempotent pushes (real Redis, CLIENT PAUSE)', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('a push that timed out during a stall but ran afterwards counts once: 20 errors stay 20, one slow operation stays one', async () => {
    const client = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    const admin = new Redis(redis.url);
    await Promise.all([client.connect(), admin.ping()]); // both connected before the stall
    const store = redisFleetStore({ client, prefix: 'stall:', timeoutMs: 200 });
    const registry = createRegistry();
    const failures: unknown[] = [];
    const sync = syncToFleet({ registry, store, instance: '10.0.0.5:3000', release: 'r1', intervalMs: 600_000, onError: (e) => failures.push(e) });
    for (let i = 0; i < 20; i++) recordError(new Error('database is down'), { registry });
    await trackOperation('db.report', () => new Promise((r) => setTimeout(r, 20)), { registry, slowMs: 1 });

    // Redis holds every command for 1.5 s: the push times out after 200 ms on our side, and its
    // EVAL runs in Redis when the pause ends
    await admin.client('PAUSE', 1500, 'ALL');
    await sync.flush();
    expect(failures.length).toBeGreaterThan(0);
    await until('the pause to end', async () => ((await admin.ping()) === 'PONG' ? true : undefined));

    // the retry (the next flush) sends the same push again: it must not count twice
    await until('a flush that succeeds', async () => {
      failures.length = 0;
      await sync.flush();
      return failures.length === 0 ? true : undefined;
    });
    const { groups } = await store.errorGroups();
    expect(groups).toHaveLength(1);
    expect(groups[0]!.count).toBe(20);
    expect(groups[0]!.seen).toMatchObject([{ instance: '10.0.0.5:3000', release: 'r1', count: 20 }]);
    expect((await store.slowOperations()).map((op) => op.name)).toEqual(['db.report']);

    // new errors after the retry still count
    for (let i = 0; i < 3; i++) recordError(new Error('database is down'), { registry });
    await sync.flush();
    expect((await store.errorGroups()).groups[0]!.count).toBe(23);
    await sync.stop();
    client.disconnect();
    admin.disconnect();
  });

  it('two instances (two syncs) pushing the same group both count', async () => {
    const client = new Redis(redis.url);
    const store = redisFleetStore({ client, prefix: 'two:' });
    const syncs = ['a:1', 'b:1'].map((instance) => {
      const registry = createRegistry();
      for (let i = 0; i < 4; i++) recordError(new Error('payment provider timed out'), { registry });
      return syncToFleet({ registry, store, instance, intervalMs: 600_000 });
    });
    await Promise.all(syncs.map((s) => s.flush()));
    await Promise.all(syncs.map((s) => s.flush()));
    expect((await store.errorGroups()).groups[0]!.count).toBe(8);
    await Promise.all(syncs.map((s) => s.stop()));
    client.disconnect();
  });
});

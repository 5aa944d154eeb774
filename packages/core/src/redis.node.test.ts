import { Redis } from 'ioredis';
import { outageSuite, startRedis } from '@armor/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisGuard, RedisGuardError } from './redis.js';

const client = (url: string) => new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 50 });

outageSuite('core redis guard', {
  create: async (redis) => {
    const c = client(redis.url);
    const guard = createRedisGuard(c, { timeoutMs: 200, cooldownMs: 300 });
    return {
      call: () => guard.run('ping', () => c.eval('return 1', 0)),
      expectHealthy: (o) => expect(o).toEqual({ status: 'fulfilled', value: 1 }),
      expectOutage: (o) => expect(o.status).toBe('rejected'),
      timeoutMs: 200,
      close: async () => c.disconnect(),
    };
  },
});

describe('redis guard', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  it('waits for a connecting client (enableOfflineQueue: false) instead of failing the first call', async () => {
    const c = client(redis.url);
    const guard = createRedisGuard(c, { timeoutMs: 2_000 });
    expect(c.status).not.toBe('ready');
    await expect(guard.run('eval', () => c.eval('return 7', 0))).resolves.toBe(7);
    c.disconnect();
  });

  it('a hung Redis costs one timeout per cooldown: later calls fail at once with circuit-open, and a probe closes it', async () => {
    const fresh = await startRedis();
    const c = client(fresh.url);
    const guard = createRedisGuard(c, { timeoutMs: 150, cooldownMs: 400 });
    const events: string[] = [];
    guard.on('open', () => events.push('open'));
    guard.on('close', () => events.push('close'));
    await guard.run('eval', () => c.eval('return 1', 0));
    fresh.freeze();
    const first = await guard.run('eval', () => c.eval('return 1', 0)).catch((e: RedisGuardError) => e);
    expect(first).toBeInstanceOf(RedisGuardError);
    expect((first as RedisGuardError).failure.reason).toBe('timeout');
    const t0 = performance.now();
    const second = await guard.run('eval', () => c.eval('return 1', 0)).catch((e: RedisGuardError) => e);
    expect(performance.now() - t0).toBeLessThan(50);
    expect((second as RedisGuardError).failure.reason).toBe('circuit-open');
    expect(guard.state).toBe('open');
    fresh.thaw();
    await new Promise((r) => setTimeout(r, 450));
    await expect(guard.run('eval', () => c.eval('return 1', 0))).resolves.toBe(1);
    expect(guard.state).toBe('closed');
    expect(events).toEqual(['open', 'close']);
    c.disconnect();
    await fresh.stop();
  });

  it('a command error (ReplyError) is passed through and does not trip the circuit', async () => {
    const c = client(redis.url);
    const guard = createRedisGuard(c, { timeoutMs: 500 });
    await expect(guard.run('eval', () => c.eval('return redis.call("NOPE")', 0))).rejects.toThrow(/NOPE|Unknown/i);
    expect(guard.state).toBe('closed');
    c.disconnect();
  });

  it('uses toError for the component\'s typed error', async () => {
    const guard = createRedisGuard({ status: 'end' }, { toError: (f) => new TypeError(`${f.reason}:${f.operation}`) });
    await expect(guard.run('get', async () => 1)).rejects.toThrow(new TypeError('disconnected:get'));
  });

  it('refuses unknown and bad options', () => {
    expect(() => createRedisGuard({}, { timeout: 5 } as never)).toThrow(/Unknown option "timeout".*did you mean "timeoutMs"/);
    expect(() => createRedisGuard({}, { timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});

/**
 * redisBreakerState when Redis misbehaves: the outage conformance suite (CLIENT PAUSE,
 * SIGSTOP, SIGKILL, restart against a real redis-server), a frozen Redis in detail, and the
 * shared probe slot of a caller-aborted probe.
 */
import { CircuitOpenError, ExternalServiceError } from '@armor/errors';
import { outageSuite, startRedis, type RedisServer } from '@armor/test-utils';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { circuitBreaker, manualClock, redisBreakerState } from './index.js';

const TIMEOUT_MS = 200;
const client = (url: string) => {
  const c = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  c.on('error', () => undefined); // connection errors are expected here; the guard reports them
  return c;
};

interface Outcome {
  value: string;
  /** `storeError` events seen while this call ran. */
  storeErrors: number;
}

let keySeq = 0;

outageSuite('redisBreakerState', {
  create: async (redis) => {
    const c = client(redis.url);
    const breaker = circuitBreaker({
      failureThreshold: 3,
      state: redisBreakerState({ client: c, key: `breaker:outage:${++keySeq}`, syncIntervalMs: 0, timeoutMs: TIMEOUT_MS, cooldownMs: 300 }),
    });
    let storeErrors = 0;
    breaker.on('storeError', () => storeErrors++);
    return {
      call: async (): Promise<Outcome> => {
        const before = storeErrors;
        const value = await breaker.execute(() => 'ok');
        return { value, storeErrors: storeErrors - before };
      },
      // Redis down: the breaker still runs fn on its local state, and says the store failed
      expectOutage: (o) => {
        expect(o.status).toBe('fulfilled');
        const { value, storeErrors: errors } = (o as PromiseFulfilledResult<Outcome>).value;
        expect(value).toBe('ok');
        expect(errors).toBeGreaterThanOrEqual(1);
      },
      // Redis healthy: the shared state is read without a store error
      expectHealthy: (o) => expect(o).toEqual({ status: 'fulfilled', value: { value: 'ok', storeErrors: 0 } }),
      timeoutMs: TIMEOUT_MS,
      close: async () => c.disconnect(),
    };
  },
});

describe('redisBreakerState with a frozen Redis (SIGSTOP)', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    redis.thaw();
    await redis.stop();
  });

  it('execute() settles within the store timeout + 100 ms, runs fn, emits storeError, and the breaker keeps counting locally', async () => {
    const c = client(redis.url);
    const breaker = circuitBreaker({
      failureThreshold: 2,
      halfOpenAfterMs: 60_000,
      state: redisBreakerState({ client: c, key: 'breaker:frozen', syncIntervalMs: 0, timeoutMs: TIMEOUT_MS }),
    });
    const storeErrors: { operation: string; error: unknown }[] = [];
    breaker.on('storeError', (e) => storeErrors.push(e));
    await expect(breaker.execute(() => 'warm')).resolves.toBe('warm');
    expect(storeErrors).toEqual([]);

    redis.freeze();
    let ran = 0;
    const t0 = performance.now();
    await expect(breaker.execute(() => ++ran)).resolves.toBe(1);
    expect(performance.now() - t0).toBeLessThanOrEqual(TIMEOUT_MS + 100);
    expect(storeErrors.length).toBeGreaterThanOrEqual(1);
    expect(storeErrors[0]!.operation).toBe('read');
    expect(storeErrors[0]!.error).toBeInstanceOf(ExternalServiceError);

    // local state still trips: two failures open the breaker, then it fails fast
    for (let i = 0; i < 2; i++) {
      const t = performance.now();
      await expect(breaker.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
      expect(performance.now() - t).toBeLessThanOrEqual(TIMEOUT_MS + 100);
    }
    expect(breaker.state).toBe('open');
    const t1 = performance.now();
    await expect(breaker.execute(() => 'never')).rejects.toBeInstanceOf(CircuitOpenError);
    expect(performance.now() - t1).toBeLessThanOrEqual(TIMEOUT_MS + 100);
    redis.thaw();
    c.disconnect();
  });
});

describe('a caller-aborted half-open probe', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  it('frees the SHARED probe slot at once, so another process may probe (not after probeLeaseMs)', async () => {
    const key = 'breaker:abort-probe';
    const clock = manualClock(1_700_000_000_000);
    const clients = [client(redis.url), client(redis.url), client(redis.url)];
    const make = (name: string, c: Redis) =>
      circuitBreaker({
        name,
        clock,
        failureThreshold: 1,
        halfOpenAfterMs: 1_000,
        probeLeaseMs: 60_000,
        state: redisBreakerState({ client: c, key, syncIntervalMs: 0, timeSource: 'breaker' }),
      });
    const a = make('a', clients[0]!);
    const b = make('b', clients[1]!);
    await expect(a.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    clock.advance(1_000);

    // a takes the one probe slot cluster-wide with a call that ignores its signal
    const controller = new AbortController();
    let probing = false;
    const probe = a.execute(() => {
      probing = true;
      return new Promise<string>(() => {});
    }, controller.signal);
    const probeOutcome = probe.catch((e: unknown) => e);
    await vi.waitFor(() => expect(probing).toBe(true));
    await expect(b.execute(() => 'b')).rejects.toBeInstanceOf(CircuitOpenError);

    const reason = new Error('caller gave up');
    controller.abort(reason);
    expect(await probeOutcome).toBe(reason);
    // the slot is given back in Redis too (no clock advance: the lease is far from over)
    await vi.waitFor(async () => expect(await clients[2]!.hget(key, 'probes')).toBe('0'));
    await expect(b.execute(() => 'b probed')).resolves.toBe('b probed');
    expect(b.state).toBe('closed');
    await a.sync();
    expect(a.state).toBe('closed');
    for (const c of clients) c.disconnect();
  });
});

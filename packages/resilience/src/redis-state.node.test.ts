/**
 * Shared breaker state against a real redis-server. Two ioredis clients and two breakers
 * stand for two processes of one service.
 */
import { CircuitOpenError } from '@armor/errors';
import { startRedis, type RedisServer } from '@armor/test-utils';
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { circuitBreaker, manualClock, redisBreakerState, type BreakerState, type CircuitBreaker } from './index.js';

let redis: RedisServer;
const clients: Redis[] = [];
let keySeq = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await redis.stop();
});

function client(options: RedisOptions = {}) {
  const c = new Redis(redis.port, '127.0.0.1', options);
  clients.push(c);
  return c;
}

const fail = () => Promise.reject(new Error('down'));
const ok = () => Promise.resolve('ok');

function pair(options: { failureThreshold?: number; halfOpenAfterMs?: number; halfOpenMaxConcurrent?: number; probeLeaseMs?: number } = {}) {
  const key = `breaker:test:${++keySeq}`;
  const clock = manualClock(1_700_000_000_000);
  const make = (name: string) =>
    circuitBreaker({
      name,
      clock,
      failureThreshold: options.failureThreshold ?? 2,
      halfOpenAfterMs: options.halfOpenAfterMs ?? 1000,
      halfOpenMaxConcurrent: options.halfOpenMaxConcurrent ?? 1,
      ...(options.probeLeaseMs === undefined ? {} : { probeLeaseMs: options.probeLeaseMs }),
      state: redisBreakerState({ client: client(), key, syncIntervalMs: 0 }),
    });
  return { a: make('a'), b: make('b'), clock, key };
}

async function stateOf(b: CircuitBreaker): Promise<BreakerState> {
  await b.sync();
  return b.state;
}

describe('redisBreakerState (real Redis, two clients)', () => {
  it('when one process opens the circuit, the other fails fast without calling fn', async () => {
    const { a, b, key } = pair();
    await expect(a.execute(fail)).rejects.toThrow('down');
    expect(await stateOf(b)).toBe('closed');
    await expect(a.execute(fail)).rejects.toThrow('down');
    expect(a.state).toBe('open');
    let called = false;
    const error = await b
      .execute(() => {
        called = true;
        return ok();
      })
      .catch((e: unknown) => e);
    expect(called).toBe(false);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect((error as CircuitOpenError).retryAfterMs).toBe(1000);
    expect(b.state).toBe('open');
    const raw = await client().hgetall(key);
    expect(raw['state']).toBe('open');
  });

  it('exactly one probe cluster-wide in half-open; its success closes both', async () => {
    const { a, b, clock } = pair({ failureThreshold: 1 });
    await expect(a.execute(fail)).rejects.toThrow();
    clock.advance(1000);
    let release!: (v: string) => void;
    const probeCalls: string[] = [];
    const slow = (who: string) => () => {
      probeCalls.push(who);
      return new Promise<string>((r) => (release = r));
    };
    const pa = a.execute(slow('a'));
    const pb = b.execute(slow('b')).catch((e: unknown) => e);
    const settledB = await pb;
    // one of them got the probe, the other was rejected
    expect(probeCalls).toHaveLength(1);
    expect(settledB).toBeInstanceOf(CircuitOpenError);
    expect(b.state).toBe('half-open');
    release('probe ok');
    await expect(pa).resolves.toBe('probe ok');
    expect(a.state).toBe('closed');
    expect(await stateOf(b)).toBe('closed');
    await expect(b.execute(ok)).resolves.toBe('ok');
  });

  it('a failed probe reopens the circuit for every process', async () => {
    const { a, b, clock } = pair({ failureThreshold: 1, halfOpenAfterMs: 500 });
    await expect(b.execute(fail)).rejects.toThrow();
    clock.advance(500);
    await expect(a.execute(fail)).rejects.toThrow('down'); // a is the probe
    expect(a.state).toBe('open');
    await expect(b.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(b.state).toBe('open');
    expect(b.stats().openUntil).toBe(clock.now() + 500);
  });

  it('a crashed prober frees its slot after probeLeaseMs (never sticks)', async () => {
    const { a, b, clock } = pair({ failureThreshold: 1, halfOpenAfterMs: 100, probeLeaseMs: 2000 });
    await expect(a.execute(fail)).rejects.toThrow();
    clock.advance(100);
    void a.execute(() => new Promise(() => {})); // a "crashes" while probing
    await new Promise((r) => setTimeout(r, 50));
    await expect(b.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    clock.advance(2000);
    await expect(b.execute(ok)).resolves.toBe('ok');
    expect(await stateOf(a)).toBe('closed');
  });

  it('isolate and reset propagate', async () => {
    const { a, b } = pair();
    await a.isolate();
    expect(await stateOf(b)).toBe('isolated');
    await expect(b.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    await b.reset();
    expect(await stateOf(a)).toBe('closed');
    await expect(a.execute(ok)).resolves.toBe('ok');
  });

  it('stateChange events fire in the process that learns about the change', async () => {
    const { a, b } = pair({ failureThreshold: 1 });
    const seen: string[] = [];
    b.on('stateChange', (e) => seen.push(`${e.from}->${e.to}`));
    await expect(a.execute(fail)).rejects.toThrow();
    await b.sync();
    expect(seen).toEqual(['closed->open']);
  });

  it('keeps working on local state when Redis is unreachable, reporting storeError', async () => {
    const dead = new Redis(1, '127.0.0.1', { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
    clients.push(dead);
    const breaker = circuitBreaker({ failureThreshold: 1, state: redisBreakerState({ client: dead, key: 'k', syncIntervalMs: 0 }) });
    const errors: string[] = [];
    breaker.on('storeError', (e) => errors.push(e.operation));
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    await expect(breaker.execute(fail)).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
    await expect(breaker.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(errors).toContain('read');
    expect(errors).toContain('transition');
  });
});

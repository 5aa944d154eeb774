/**
 * Shared breaker state against a real redis-server. Two ioredis clients and two breakers
 * stand for two processes of one service.
 */
import { CircuitOpenError } from '@armor/errors';
import { startRedis, type RedisServer } from '@armor/test-utils';
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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
      state: redisBreakerState({ client: client(), key, syncIntervalMs: 0, timeSource: 'breaker' }),
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
    const settle = (p: Promise<string>) => p.then((v) => v, (e: unknown) => e);
    const pa = settle(a.execute(slow('a')));
    const pb = settle(b.execute(slow('b')));
    // one of them got the probe (which one depends on the replies' order), the other was rejected
    const first = await Promise.race([pa, pb]);
    expect(first).toBeInstanceOf(CircuitOpenError);
    await vi.waitFor(() => expect(probeCalls).toHaveLength(1));
    const [prober, other] = probeCalls[0] === 'a' ? [a, b] : [b, a];
    expect(other.state).toBe('half-open');
    release('probe ok');
    expect(await (prober === a ? pa : pb)).toBe('probe ok');
    expect(prober.state).toBe('closed');
    expect(await stateOf(other)).toBe('closed');
    await expect(other.execute(ok)).resolves.toBe('ok');
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

describe('redisBreakerState — Redis server time (default timeSource)', () => {
  /** A breaker whose process clock is `skewMs` off the real time. */
  function skewed(key: string, skewMs: number, name: string) {
    return circuitBreaker({
      name,
      clock: { now: () => Date.now() + skewMs },
      failureThreshold: 1,
      halfOpenAfterMs: 1_000,
      state: redisBreakerState({ client: client(), key, syncIntervalMs: 0 }),
    });
  }

  it('clock skew between processes does not shift openUntil', async () => {
    const key = `breaker:skew:${++keySeq}`;
    const ahead = skewed(key, 60_000, 'ahead'); // this process's clock runs a minute fast
    const behind = skewed(key, -60_000, 'behind'); // and this one a minute slow
    const t0 = Date.now();
    await expect(ahead.execute(fail)).rejects.toThrow('down');
    // stored on Redis's clock (the local redis-server shares ours), not the fast process's
    const raw = await client().hgetall(key);
    expect(Number(raw['openUntil']) - t0).toBeGreaterThanOrEqual(990);
    expect(Number(raw['openUntil']) - t0).toBeLessThanOrEqual(1_500);
    // each process sees the remaining open time on its own clock
    const error = await behind.execute(ok).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    const retryAfterMs = (error as CircuitOpenError).retryAfterMs!;
    expect(retryAfterMs).toBeGreaterThan(500);
    expect(retryAfterMs).toBeLessThanOrEqual(1_000);
    expect(behind.stats().openUntil - (Date.now() - 60_000)).toBeLessThanOrEqual(1_000);
    const aheadOpenUntil = ahead.stats().openUntil - (Date.now() + 60_000);
    expect(aheadOpenUntil).toBeGreaterThan(500);
    expect(aheadOpenUntil).toBeLessThanOrEqual(1_000);
    // after a second of real time either process may probe; its success closes both
    await new Promise((r) => setTimeout(r, 1_050));
    await expect(behind.execute(ok)).resolves.toBe('ok');
    expect(behind.state).toBe('closed');
    expect(await stateOf(ahead)).toBe('closed');
  });

  it("with timeSource: 'breaker' the same skew would keep the slow process open for 2 minutes (why Redis time is the default)", async () => {
    const key = `breaker:skew:${++keySeq}`;
    const make = (skewMs: number) =>
      circuitBreaker({
        clock: { now: () => Date.now() + skewMs },
        failureThreshold: 1,
        halfOpenAfterMs: 1_000,
        state: redisBreakerState({ client: client(), key, syncIntervalMs: 0, timeSource: 'breaker' }),
      });
    const ahead = make(60_000);
    const behind = make(-60_000);
    await expect(ahead.execute(fail)).rejects.toThrow('down');
    const error = await behind.execute(ok).catch((e: unknown) => e);
    expect((error as CircuitOpenError).retryAfterMs).toBeGreaterThan(120_000);
  });

  it('a hung probe frees its slot after probeLeaseMs on Redis time', async () => {
    const key = `breaker:lease:${++keySeq}`;
    const make = (name: string) =>
      circuitBreaker({
        name,
        failureThreshold: 1,
        halfOpenAfterMs: 50,
        probeLeaseMs: 1_000,
        state: redisBreakerState({ client: client(), key, syncIntervalMs: 0 }),
      });
    const a = make('a');
    const b = make('b');
    await expect(a.execute(fail)).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 80));
    let started = false;
    void a.execute(() => {
      started = true;
      return new Promise(() => {});
    });
    await vi.waitFor(() => expect(started).toBe(true));
    await expect(b.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    await new Promise((r) => setTimeout(r, 1_050));
    await expect(b.execute(ok)).resolves.toBe('ok');
    expect(await stateOf(a)).toBe('closed');
    expect(a.stats()).toMatchObject({ abandonedProbes: 1, halfOpenInFlight: 0 }); // its lease ran out before b closed it
  });

  it('rejects an unknown timeSource', () => {
    expect(() => redisBreakerState({ client: client(), key: 'k', timeSource: 'ntp' as never })).toThrow(/timeSource/);
  });
});

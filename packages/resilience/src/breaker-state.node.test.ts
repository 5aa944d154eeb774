/**
 * The breaker-state conformance suite: the in-process store and the Redis store run the same
 * tests, so switching stores never changes behaviour. Then two breakers on each store, end to
 * end.
 */
import { CircuitOpenError } from '@armor/errors';
import { startRedis, type RedisServer } from '@armor/test-utils';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { circuitBreaker, manualClock, memoryBreakerState, redisBreakerState, type BreakerStateStore } from './index.js';

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

const T = 1_700_000_000_000;

function breakerStateSuite(name: string, create: () => BreakerStateStore) {
  describe(`breaker-state conformance: ${name}`, () => {
    it('starts closed and lets calls through', async () => {
      const store = create();
      expect((await store.read(T)).state).toBe('closed');
      expect((await store.acquire(T, 1, 1_000)).permit).toBe('call');
    });

    it('open: rejects until openUntil, then exactly maxProbes probes, the rest rejected', async () => {
      const store = create();
      const opened = await store.transition('closed', 'open', T, T + 1_000);
      expect(opened).toMatchObject({ state: 'open', openUntil: T + 1_000 });
      expect((await store.acquire(T + 999, 2, 5_000)).permit).toBe('rejected');
      const first = await store.acquire(T + 1_000, 2, 5_000);
      expect(first.permit).toBe('probe');
      expect(first.snapshot.state).toBe('half-open');
      expect((await store.acquire(T + 1_001, 2, 5_000)).permit).toBe('probe');
      expect((await store.acquire(T + 1_002, 2, 5_000)).permit).toBe('rejected');
    });

    it('release gives one probe slot back at once; an expired lease frees the slots too', async () => {
      const store = create();
      await store.transition('*', 'open', T, T);
      expect((await store.acquire(T, 1, 5_000)).permit).toBe('probe');
      expect((await store.acquire(T, 1, 5_000)).permit).toBe('rejected');
      await store.release!(T);
      expect((await store.acquire(T, 1, 5_000)).permit).toBe('probe');
      expect((await store.acquire(T + 4_999, 1, 5_000)).permit).toBe('rejected');
      expect((await store.acquire(T + 5_000, 1, 5_000)).permit).toBe('probe');
    });

    it('release outside half-open changes nothing', async () => {
      const store = create();
      await store.release!(T);
      expect(await store.read(T)).toMatchObject({ state: 'closed' });
    });

    it('transition only from the expected state; `*` from any', async () => {
      const store = create();
      expect((await store.transition('half-open', 'closed', T, 0)).state).toBe('closed');
      await store.transition('closed', 'open', T, T + 100);
      expect((await store.transition('closed', 'open', T + 1, T + 999)).openUntil).toBe(T + 100); // not from closed any more
      expect((await store.transition('*', 'isolated', T + 2, 0)).state).toBe('isolated');
      expect((await store.acquire(T + 10_000, 1, 1_000)).permit).toBe('rejected');
      const closed = await store.transition('*', 'closed', T + 3, 0);
      expect(closed).toMatchObject({ state: 'closed', since: T + 3, openUntil: 0 });
    });

    it('two breakers on one store open, probe and close together', async () => {
      const store = create();
      const clock = manualClock(T);
      const a = circuitBreaker({ name: 'a', clock, failureThreshold: 1, halfOpenAfterMs: 1_000, state: store });
      const b = circuitBreaker({ name: 'b', clock, failureThreshold: 1, halfOpenAfterMs: 1_000, state: store });
      await expect(a.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
      await expect(b.execute(() => 'b')).rejects.toBeInstanceOf(CircuitOpenError);
      clock.advance(1_000);
      await expect(b.execute(() => 'probe')).resolves.toBe('probe');
      await a.sync();
      expect([a.state, b.state]).toEqual(['closed', 'closed']);
    });
  });
}

breakerStateSuite('memoryBreakerState', () => memoryBreakerState());
breakerStateSuite('redisBreakerState', () => {
  const client = new Redis(redis.url);
  clients.push(client);
  return redisBreakerState({ client, key: `breaker:conformance:${++keySeq}`, syncIntervalMs: 0, timeSource: 'breaker' });
});

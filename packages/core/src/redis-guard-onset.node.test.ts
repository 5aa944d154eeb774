/**
 * Guard onset and ready-waiters (issue: every call made in the first `timeoutMs` of a hang waited
 * the full timeout; one `ready` listener per waiting call). Real Redis, real faults
 * (`CLIENT PAUSE ... ALL`); verdicts from ordering and counts, never from milliseconds.
 */
import { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '@armor/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisGuard, type RedisGuardError } from './redis.js';

const client = (url: string) => new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('redis guard: a hang costs at most one timeoutMs per cooldown to any caller', () => {
  let redis: RedisServer | undefined;
  let c: Redis | undefined;
  afterEach(async () => {
    c?.disconnect();
    await redis?.stop();
    redis = c = undefined;
  });

  it('200 calls made during the first timeoutMs of a hang all fail when the circuit opens, none waits its own full timeout', async () => {
    redis = await startRedis();
    c = client(redis.url);
    const timeoutMs = 1_000;
    const guard = createRedisGuard(c, { timeoutMs, cooldownMs: 60_000 });
    await guard.run('eval', () => c!.eval('return 1', 0)); // connected, healthy
    await redis.pause(10_000); // longer than the test: the server is stopped (SIGTERM) while paused

    interface Call {
      started: number;
      settled?: number;
      reason?: string;
      afterOpen?: boolean;
    }
    const calls: Call[] = [];
    let opened = false;
    const whenOpened = new Promise<void>((resolve) =>
      guard.on('open', () => {
        opened = true;
        resolve();
      }),
    );
    const launch = () => {
      const call: Call = { started: performance.now() };
      calls.push(call);
      return guard.run('eval', () => c!.eval('return 1', 0)).then(
        () => {
          call.settled = performance.now();
          call.reason = 'fulfilled';
        },
        (error: RedisGuardError) => {
          call.settled = performance.now();
          call.reason = error.failure.reason;
        },
      );
    };
    const all: Promise<void>[] = [];
    // spread 200 calls over the hang: one every millisecond or so, until the circuit opens
    while (calls.length < 200 && !opened) {
      all.push(launch());
      await new Promise((r) => setTimeout(r, 1));
    }
    await whenOpened;
    const inFlightAtOpen = calls.length;
    // the moment the circuit opened, every waiting call was failed: one turn of the event loop later all have settled
    await tick();
    const unsettled = calls.filter((call) => call.settled === undefined).length;
    expect(unsettled, `${unsettled} of ${inFlightAtOpen} calls still waiting after the circuit opened`).toBe(0);
    await Promise.all(all);

    const first = calls[0]!;
    expect(first.reason).toBe('timeout');
    expect(calls.filter((call) => call.reason === 'timeout')).toHaveLength(1);
    expect(calls.slice(1).every((call) => call.reason === 'circuit-open')).toBe(true);
    // nobody waited longer than the first call, which paid the one timeout
    const firstWait = first.settled! - first.started;
    for (const call of calls) expect(call.settled! - call.started).toBeLessThanOrEqual(firstWait + 1);
    expect(inFlightAtOpen).toBeGreaterThan(1);
    expect(guard.state).toBe('open');

    // later calls fail at once (circuit-open) until the cooldown ends
    const late = await guard.run('eval', () => c!.eval('return 1', 0)).catch((e: RedisGuardError) => e.failure.reason);
    expect(late).toBe('circuit-open');
  }, 30_000);

  it('200 concurrent calls on a healthy Redis all succeed (nothing is abandoned without an open circuit)', async () => {
    redis = await startRedis();
    c = client(redis.url);
    const guard = createRedisGuard(c, { timeoutMs: 2_000, cooldownMs: 10 });
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => guard.run('eval', () => c!.eval('return ARGV[1]', 0, String(i)))));
    expect(results).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
    expect(guard.state).toBe('closed');
  }, 30_000);
});

describe('redis guard: one ready-waiter per client', () => {
  let redis: RedisServer | undefined;
  afterEach(async () => {
    await redis?.stop();
    redis = undefined;
  });

  it('50 calls (from two guards) while the client connects add at most one ready listener, and no MaxListenersExceededWarning', async () => {
    redis = await startRedis();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    const c = client(redis.url);
    try {
      expect(['wait', 'connecting', 'connect']).toContain(c.status);
      const before = c.listenerCount('ready');
      const one = createRedisGuard(c, { timeoutMs: 5_000 });
      const two = createRedisGuard(c, { timeoutMs: 5_000 });
      const calls = Array.from({ length: 50 }, (_, i) => (i % 2 ? one : two).run('eval', () => c.eval('return 1', 0)));
      expect(c.listenerCount('ready') - before).toBeLessThanOrEqual(1);
      expect(await Promise.all(calls)).toEqual(Array.from({ length: 50 }, () => 1));
      expect(c.listenerCount('ready')).toBe(before);
      await tick();
      expect(warnings.filter((w) => w.includes('MaxListeners'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      c.disconnect();
    }
  });

  it('calls waiting for a connecting client fail too when another call opens the circuit (manual clock)', async () => {
    const { manualClock } = await import('./time.js');
    const clock = manualClock();
    const fake = { status: 'ready', once: () => undefined, removeListener: () => undefined };
    const guard = createRedisGuard(fake, { timeoutMs: 100, cooldownMs: 1_000, clock });
    const hung = guard.run('hung', () => new Promise(() => undefined)).catch((e: RedisGuardError) => e.failure.reason);
    await clock.advanceAsync(60);
    fake.status = 'connecting';
    const connecting = guard.run('connecting', async () => 1).catch((e: RedisGuardError) => e.failure.reason);
    fake.status = 'ready';
    const late = guard.run('late', () => new Promise(() => undefined)).catch((e: RedisGuardError) => e.failure.reason);
    const errors: string[] = [];
    guard.on('error', ({ failure }) => errors.push(`${failure.operation}:${failure.reason}`));
    await clock.advanceAsync(40); // the first call's timeout opens the circuit
    expect(await hung).toBe('timeout');
    expect(await connecting).toBe('circuit-open');
    expect(await late).toBe('circuit-open');
    expect(errors.sort()).toEqual(['connecting:circuit-open', 'hung:timeout', 'late:circuit-open']);
    expect(clock.pending).toBe(0); // every abandoned call's timer was cleared
  });

  it('a ready-waiter that times out leaves no listener behind; the others still get ready', async () => {
    const listeners = new Set<() => void>();
    const fake = {
      status: 'connecting',
      once: (_: 'ready', l: () => void) => listeners.add(l),
      removeListener: (_: 'ready', l: () => void) => listeners.delete(l),
    };
    const { manualClock } = await import('./time.js');
    const clock = manualClock();
    const short = createRedisGuard(fake, { timeoutMs: 100, clock, cooldownMs: 0 });
    const long = createRedisGuard(fake, { timeoutMs: 1_000, clock });
    const a = short.run('a', async () => 'a').catch((e: RedisGuardError) => e.failure.reason);
    const b = long.run('b', async () => 'b');
    expect(listeners.size).toBe(1);
    await clock.advanceAsync(100);
    expect(await a).toBe('timeout');
    expect(listeners.size).toBe(1); // b still waits
    fake.status = 'ready';
    for (const l of [...listeners]) {
      listeners.delete(l); // `once`
      l();
    }
    expect(await b).toBe('b');
    expect(listeners.size).toBe(0);
    // a waiter that leaves (timeout) while others remain keeps the one listener; the last one removes it
    fake.status = 'connecting';
    const d = long.run('d', async () => 'd').catch((e: RedisGuardError) => e.failure.reason);
    const e = createRedisGuard(fake, { timeoutMs: 50, clock }).run('e', async () => 'e').catch((e: RedisGuardError) => e.failure.reason);
    expect(listeners.size).toBe(1);
    await clock.advanceAsync(50);
    expect(await e).toBe('timeout');
    expect(listeners.size).toBe(1);
    await clock.advanceAsync(950);
    expect(await d).toBe('timeout');
    expect(listeners.size).toBe(0);
  });
});

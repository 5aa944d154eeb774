/**
 * The guard's per-call timeouts run on ONE timer per guard (issue 29: a setTimeout/clearTimeout
 * pair per call was the guard's main cost on the hot path). Verdicts from timer counts and the
 * manual clock, never from milliseconds.
 */
import { describe, expect, it } from 'vitest';
import { createRedisGuard, type RedisGuardError } from './redis.js';
import { manualClock } from './time.js';

const ready = { status: 'ready' };
const reason = (e: RedisGuardError) => e.failure.reason;

describe('redis guard: one deadline timer per guard', () => {
  it('1,000 calls, one after another, arm one timer (not one each)', async () => {
    const clock = manualClock();
    let armed = 0;
    const counting = { ...clock, now: clock.now, setTimeout: (callback: () => void, ms: number) => (armed++, clock.setTimeout(callback, ms)) };
    const guard = createRedisGuard(ready, { timeoutMs: 1_000, clock: counting });
    for (let i = 0; i < 1_000; i++) expect(await guard.run('call', async () => i)).toBe(i);
    expect(armed).toBe(1);
    // 100 calls in flight at once: still that one timer
    expect(await Promise.all(Array.from({ length: 100 }, (_, i) => guard.run('call', async () => i)))).toHaveLength(100);
    expect(armed).toBe(1);
    // it fires at its due time, finds nothing waiting and is not armed again
    await clock.advanceAsync(1_000);
    expect(clock.pending).toBe(0);
    expect(await guard.run('call', async () => 'again')).toBe('again');
    expect(armed).toBe(2);
  });

  it('each call keeps its own deadline: a later call times out timeoutMs after it started, not when the timer first fires', async () => {
    const clock = manualClock();
    const guard = createRedisGuard(ready, { timeoutMs: 100, cooldownMs: 1_000, clock });
    let answerA!: (value: string) => void;
    const a = guard.run('a', () => new Promise<string>((resolve) => (answerA = resolve)));
    await clock.advanceAsync(50);
    let bSettled: string | undefined;
    const b = guard.run('b', () => new Promise<string>(() => undefined)).catch(reason);
    void b.then((r) => (bSettled = r));
    await clock.advanceAsync(40);
    answerA('a'); // at 90 ms: in time
    expect(await a).toBe('a');
    await clock.advanceAsync(59); // 149 ms: b started at 50, its deadline is 150
    expect(bSettled).toBeUndefined();
    let cSettled: string | undefined;
    const c = guard.run('c', () => new Promise<string>(() => undefined)).catch(reason);
    void c.then((r) => (cSettled = r));
    await clock.advanceAsync(1);
    expect(await b).toBe('timeout');
    // b's timeout opened the circuit: c, still waiting, failed with it at once
    expect(cSettled).toBe('circuit-open');
    expect(clock.pending).toBe(0);
  });

  it('a call that never settles times out at its deadline even after thousands of calls settled around it', async () => {
    const clock = manualClock();
    const guard = createRedisGuard(ready, { timeoutMs: 100, clock });
    const hung = guard.run('hung', () => new Promise<string>(() => undefined)).catch(reason);
    for (let i = 0; i < 2_000; i++) await guard.run('quick', async () => i);
    await clock.advanceAsync(99);
    let settled: string | undefined;
    void hung.then((r) => (settled = r));
    await clock.advanceAsync(0);
    expect(settled).toBeUndefined();
    await clock.advanceAsync(1);
    expect(await hung).toBe('timeout');
  });

  it('the timer keeps the process alive only while a call waits (an idle guard holds nothing open)', async () => {
    let handle: ReturnType<typeof setTimeout> | undefined;
    const clock = {
      now: () => Date.now(),
      setTimeout: (callback: () => void, ms: number) => (handle = setTimeout(callback, ms)),
      clearTimeout: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>),
    };
    const guard = createRedisGuard(ready, { timeoutMs: 60_000, clock });
    let refedWhileWaiting: boolean | undefined;
    await guard.run('call', async () => {
      refedWhileWaiting = handle?.hasRef();
      return 1;
    });
    expect(refedWhileWaiting).toBe(true);
    expect(handle?.hasRef()).toBe(false);
    let release!: () => void;
    const waiting = guard.run('call', () => new Promise<void>((resolve) => (release = resolve)));
    expect(handle?.hasRef()).toBe(true); // the same timer, ref'd again
    release();
    await waiting;
    expect(handle?.hasRef()).toBe(false);
    clearTimeout(handle);
  });
});

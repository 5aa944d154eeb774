/**
 * Events and stats() of retryPolicy, timeoutPolicy, fallbackPolicy and hedgePolicy (the same
 * contract as breakers and bulkheads: `on(event)` returns an unsubscribe function, a throwing
 * listener is isolated, and `stats()` is plain JSON data with the policy's `name`).
 */
import { TimeoutError } from '@armor/errors';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { constantBackoff, fallbackPolicy, hedgePolicy, retryPolicy, timeoutPolicy, wrap, type HedgeEvent, type HedgeWinEvent } from './index.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const sleepFor = (ms: number, signal?: AbortSignal, value = `slept ${ms}`) =>
  new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => resolve(value), ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason as Error);
    });
  });

const isPlainData = (stats: object) => expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);

describe('retryPolicy stats()', () => {
  it('counts attempts, retries, giveUps and successes', async () => {
    const policy = retryPolicy({ name: 'users', maxAttempts: 3, backoff: constantBackoff(10) });
    expect(policy.name).toBe('users');
    expect(policy.stats()).toEqual({ name: 'users', attempts: 0, retries: 0, giveUps: 0, successes: 0 });

    await expect(policy.execute(() => 'first try')).resolves.toBe('first try');
    expect(policy.stats()).toEqual({ name: 'users', attempts: 1, retries: 0, giveUps: 0, successes: 1 });

    let n = 0;
    const p = policy.execute(() => (++n < 3 ? Promise.reject(new Error('flaky')) : 'third try'));
    await vi.advanceTimersByTimeAsync(20);
    await expect(p).resolves.toBe('third try');
    expect(policy.stats()).toEqual({ name: 'users', attempts: 4, retries: 2, giveUps: 0, successes: 2 });

    const giveUps: string[] = [];
    policy.on('giveUp', (e) => giveUps.push(e.reason));
    const q = policy.execute(() => Promise.reject(new Error('down')));
    const assertion = expect(q).rejects.toThrow('down');
    await vi.advanceTimersByTimeAsync(20);
    await assertion;
    expect(policy.stats()).toEqual({ name: 'users', attempts: 7, retries: 4, giveUps: 1, successes: 2 });
    expect(giveUps).toEqual(['maxAttempts']);
    isPlainData(policy.stats());
  });

  it('a caller abort during a backoff wait is a giveUp (event reason "aborted")', async () => {
    const policy = retryPolicy({ backoff: constantBackoff(1_000) });
    const reasons: string[] = [];
    policy.on('giveUp', (e) => reasons.push(`${e.reason}:${e.attempts}`));
    let retryEvents = 0;
    policy.on('retry', () => retryEvents++);
    const controller = new AbortController();
    const p = policy.execute(() => Promise.reject(new Error('x')), controller.signal);
    const assertion = expect(p).rejects.toThrow('stop');
    await vi.advanceTimersByTimeAsync(10);
    controller.abort(new Error('stop'));
    await assertion;
    expect(reasons).toEqual(['aborted:1']);
    // the retry event fired before the wait, so it counts as a retry (attempts counts calls of fn)
    expect(retryEvents).toBe(1);
    expect(policy.stats()).toMatchObject({ name: 'retry', attempts: 1, retries: 1, giveUps: 1, successes: 0 });
  });

  it('a not-retryable error gives up at once', async () => {
    const policy = retryPolicy({ retryIf: () => false });
    await expect(policy.execute(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(policy.stats()).toMatchObject({ attempts: 1, retries: 0, giveUps: 1 });
  });
});

describe('timeoutPolicy stats()', () => {
  it('counts timeouts, successes and failures', async () => {
    const policy = timeoutPolicy(100, { name: 'db' });
    expect(policy.name).toBe('db');
    const timeouts: unknown[] = [];
    policy.on('timeout', (e) => timeouts.push(e));

    const fast = policy.execute(() => sleepFor(10));
    await vi.advanceTimersByTimeAsync(10);
    await expect(fast).resolves.toBe('slept 10');
    await expect(policy.execute(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(
      policy.execute(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    const slow = policy.execute(({ signal }) => sleepFor(1_000, signal));
    const assertion = expect(slow).rejects.toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(100);
    await assertion;
    const controller = new AbortController();
    const aborted = policy.execute(({ signal }) => sleepFor(1_000, signal), controller.signal);
    controller.abort(new Error('caller left'));
    await expect(aborted).rejects.toThrow('caller left'); // counted nowhere

    expect(timeouts).toEqual([{ timeoutMs: 100 }]);
    expect(policy.stats()).toEqual({ name: 'db', timeoutMs: 100, timeouts: 1, successes: 1, failures: 2 });
    isPlainData(policy.stats());
  });

  it("defaults its name to 'timeout'", () => {
    expect(timeoutPolicy(5).stats()).toEqual({ name: 'timeout', timeoutMs: 5, timeouts: 0, successes: 0, failures: 0 });
  });
});

describe('fallbackPolicy events and stats()', () => {
  it("emits fallback with the error and counts successes, fallbacks and failures", async () => {
    const policy = fallbackPolicy((e: unknown) => `cached (${(e as Error).message})`, {
      name: 'prices',
      shouldFallback: (e) => (e as Error).message !== 'fatal',
    });
    expect(policy.name).toBe('prices');
    const seen: unknown[] = [];
    policy.on('fallback', ({ error }) => seen.push((error as Error).message));
    policy.on('fallback', () => {
      throw new Error('listener bug'); // isolated
    });

    await expect(policy.execute(() => 'fresh')).resolves.toBe('fresh');
    await expect(policy.execute(() => Promise.reject(new Error('down')))).resolves.toBe('cached (down)');
    await expect(policy.execute(() => Promise.reject(new Error('fatal')))).rejects.toThrow('fatal');
    const controller = new AbortController();
    const aborted = policy.execute(({ signal }) => sleepFor(100, signal), controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(aborted).rejects.toThrow('cancelled'); // never replaced, counted nowhere

    expect(seen).toEqual(['down']);
    expect(policy.stats()).toEqual({ name: 'prices', successes: 1, fallbacks: 1, failures: 1 });
    isPlainData(policy.stats());
  });

  it('a failing fallback function counts as a fallback and a failure', async () => {
    const policy = fallbackPolicy(() => Promise.reject(new Error('cache down too')));
    await expect(policy.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('cache down too');
    expect(policy.stats()).toEqual({ name: 'fallback', successes: 0, fallbacks: 1, failures: 1 });
  });

  it('keeps working as the outer layer of wrap; on() returns an unsubscribe function', async () => {
    const policy = fallbackPolicy(-1);
    const listener = vi.fn();
    const off = policy.on('fallback', listener);
    const composed = wrap(policy, timeoutPolicy(10));
    const p = composed.execute(({ signal }) => sleepFor(100, signal).then(Number));
    await vi.advanceTimersByTimeAsync(10);
    await expect(p).resolves.toBe(-1);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener.mock.calls[0]![0].error).toBeInstanceOf(TimeoutError);
    off();
    await expect(policy.execute(() => Promise.reject(new Error('x')))).resolves.toBe(-1);
    expect(listener).toHaveBeenCalledTimes(1);
  });
});

describe('hedgePolicy events and stats()', () => {
  it('emits hedge when a slow attempt is hedged and hedgeWin when a hedge wins', async () => {
    const policy = hedgePolicy({ name: 'search', delayMs: 100, maxHedges: 2 });
    expect(policy.name).toBe('search');
    const hedges: HedgeEvent[] = [];
    const wins: HedgeWinEvent[] = [];
    policy.on('hedge', (e) => hedges.push(e));
    policy.on('hedgeWin', (e) => wins.push(e));
    const signals: AbortSignal[] = [];
    const p = policy.execute(({ attempt, signal }) => {
      signals.push(signal);
      return sleepFor(attempt === 1 ? 1_000 : 150, signal, `attempt ${attempt}`);
    });
    await vi.advanceTimersByTimeAsync(250); // #2 at 100, #3 at 200, #2 wins at 250
    await expect(p).resolves.toBe('attempt 2');
    expect(hedges).toEqual([
      { attempt: 2, reason: 'slow' },
      { attempt: 3, reason: 'slow' },
    ]);
    expect(wins).toEqual([{ attempt: 2, losersAborted: 2 }]);
    expect(signals.map((s) => s.aborted)).toEqual([true, false, true]);
    expect(policy.stats()).toEqual({ name: 'search', successes: 1, failures: 0, hedges: 2, hedgeWins: 1, losersAborted: 2 });
    isPlainData(policy.stats());
  });

  it('the first attempt winning emits no hedgeWin; a failure hedges at once; all failing counts a failure', async () => {
    const policy = hedgePolicy({ delayMs: 100 });
    const events: string[] = [];
    policy.on('hedge', (e) => events.push(`hedge:${e.attempt}:${e.reason}`));
    policy.on('hedgeWin', (e) => events.push(`win:${e.attempt}`));

    const quick = policy.execute(() => sleepFor(50));
    await vi.advanceTimersByTimeAsync(50);
    await expect(quick).resolves.toBe('slept 50');

    const primary = policy.execute(({ attempt, signal }) => sleepFor(attempt === 1 ? 120 : 500, signal, `attempt ${attempt}`));
    await vi.advanceTimersByTimeAsync(120); // hedged at 100, the first attempt still wins at 120
    await expect(primary).resolves.toBe('attempt 1');

    let n = 0;
    await expect(policy.execute(() => Promise.reject(new Error(`e${++n}`)))).rejects.toThrow('e2');

    expect(events).toEqual(['hedge:2:slow', 'hedge:2:failed']);
    expect(policy.stats()).toEqual({ name: 'hedge', successes: 2, failures: 1, hedges: 2, hedgeWins: 0, losersAborted: 1 });
  });

  it('a caller abort counts nowhere', async () => {
    const policy = hedgePolicy({ delayMs: 100 });
    const controller = new AbortController();
    const p = policy.execute(({ signal }) => sleepFor(1_000, signal), controller.signal);
    controller.abort(new Error('gone'));
    await expect(p).rejects.toThrow('gone');
    expect(policy.stats()).toMatchObject({ successes: 0, failures: 0, hedges: 0 });
    expect(vi.getTimerCount()).toBe(0);
  });
});

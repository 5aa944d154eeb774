/**
 * Abort: for every policy, a call whose `fn` ignores its signal rejects with the abort reason
 * as soon as the caller's signal aborts, not when `fn` finally settles. Before the fix a call
 * aborted at 50 ms resolved with its value after 1,000 ms (retry, breaker, bulkhead, fallback,
 * wrap). Driven by a manual clock: time moves only when the test says so.
 */
import { describe, expect, it } from 'vitest';
import {
  bulkhead,
  circuitBreaker,
  fallback,
  fallbackPolicy,
  hedge,
  hedgePolicy,
  manualClock,
  retry,
  retryPolicy,
  timeout,
  timeoutPolicy,
  wrap,
  type ManualClock,
  type Policy,
  type PolicyFn,
} from './index.js';

/** An `fn` that ignores its signal and resolves with `'late'` after 1,000 ms of `clock`. */
const stubborn = (clock: ManualClock, calls: { n: number }): PolicyFn<string> => () => {
  calls.n++;
  return new Promise<string>((resolve) => clock.setTimeout(() => resolve('late'), 1_000));
};

interface Run {
  /** Starts the call with `fn` and the caller's `signal`. */
  start(fn: PolicyFn<string>, signal: AbortSignal, clock: ManualClock): Promise<string>;
}

const cases: [string, Run][] = [
  ['retryPolicy', { start: (fn, signal, clock) => retryPolicy({ clock }).execute(fn, signal) }],
  ['retry()', { start: (fn, signal, clock) => retry(fn, { clock, signal }) }],
  ['circuitBreaker', { start: (fn, signal, clock) => circuitBreaker({ clock }).execute(fn, signal) }],
  ['bulkhead', { start: (fn, signal) => bulkhead({ maxConcurrent: 1 }).execute(fn, signal) }],
  ['fallbackPolicy', { start: (fn, signal) => fallbackPolicy('fallback').execute(fn, signal) }],
  ['fallback()', { start: (fn, signal) => fallback(fn, 'fallback', { signal }) }],
  ['timeoutPolicy', { start: (fn, signal, clock) => timeoutPolicy(10_000, { clock }).execute(fn, signal) }],
  ['timeout()', { start: (fn, signal, clock) => timeout(fn, 10_000, { clock, signal }) }],
  ['hedgePolicy', { start: (fn, signal, clock) => hedgePolicy({ delayMs: 10_000, clock }).execute(fn, signal) }],
  ['hedge()', { start: (fn, signal, clock) => hedge(fn, { delayMs: 10_000, clock, signal }) }],
  [
    'wrap (fallback → retry → breaker → timeout)',
    {
      start: (fn, signal, clock) =>
        wrap(fallbackPolicy('fallback'), retryPolicy({ clock }), circuitBreaker({ clock }), timeoutPolicy(10_000, { clock })).execute(fn, signal),
    },
  ],
  [
    'wrap around a foreign policy that ignores the signal',
    {
      start: (fn, signal) => {
        const foreign: Policy = { execute: (inner) => Promise.resolve(inner({ attempt: 1, signal: new AbortController().signal })) };
        return wrap(foreign).execute(fn, signal);
      },
    },
  ],
];

describe('a call whose fn ignores its signal rejects with the abort reason as soon as the signal aborts', () => {
  it.each(cases)('%s', async (_name, run) => {
    const clock = manualClock();
    const calls = { n: 0 };
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    clock.setTimeout(() => controller.abort(reason), 50);
    let settled: { at: number; outcome: PromiseSettledResult<string> } | undefined;
    run.start(stubborn(clock, calls), controller.signal, clock).then(
      (value) => (settled = { at: clock.now(), outcome: { status: 'fulfilled', value } }),
      (error: unknown) => (settled = { at: clock.now(), outcome: { status: 'rejected', reason: error } }),
    );
    await clock.advanceAsync(49);
    expect(settled).toBeUndefined();
    await clock.advanceAsync(1);
    expect(settled).toEqual({ at: 50, outcome: { status: 'rejected', reason } });
    expect(calls.n).toBe(1);
    // fn settling later changes nothing and throws nowhere
    await clock.advanceAsync(1_000);
    expect(settled!.outcome).toEqual({ status: 'rejected', reason });
  });

  it('bulkhead: the aborted caller is rejected at once, but its slot stays taken until fn settles (capacity is real)', async () => {
    const clock = manualClock();
    const pool = bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    const controller = new AbortController();
    const calls = { n: 0 };
    const first = pool.execute(stubborn(clock, calls), controller.signal).catch((e: unknown) => e);
    controller.abort('stop');
    expect(await first).toBe('stop');
    expect(pool.stats()).toMatchObject({ active: 1, queued: 0 });
    const second = pool.execute(() => 'second');
    expect(pool.stats()).toMatchObject({ active: 1, queued: 1 });
    await clock.advanceAsync(1_000);
    await expect(second).resolves.toBe('second');
    expect(pool.stats()).toMatchObject({ active: 0, queued: 0 });
  });

  it('retry: an abort during fn gives up with reason aborted and makes no further attempt', async () => {
    const clock = manualClock();
    const policy = retryPolicy({ clock, maxAttempts: 5 });
    const reasons: string[] = [];
    policy.on('giveUp', (e) => reasons.push(e.reason));
    const controller = new AbortController();
    const calls = { n: 0 };
    const outcome = policy.execute(stubborn(clock, calls), controller.signal).catch((e: unknown) => e);
    controller.abort('stop');
    expect(await outcome).toBe('stop');
    await clock.advanceAsync(5_000);
    expect(calls.n).toBe(1);
    expect(reasons).toEqual(['aborted']);
  });

  it('circuit breaker: an aborted half-open probe frees its slot at once (in-process)', async () => {
    const clock = manualClock();
    const breaker = circuitBreaker({ clock, failureThreshold: 1, halfOpenAfterMs: 100, probeLeaseMs: 60_000 });
    await expect(breaker.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    clock.advance(100);
    const controller = new AbortController();
    const calls = { n: 0 };
    const probe = breaker.execute(stubborn(clock, calls), controller.signal).catch((e: unknown) => e);
    expect(breaker.stats().halfOpenInFlight).toBe(1);
    controller.abort('stop');
    expect(await probe).toBe('stop');
    expect(breaker.stats().halfOpenInFlight).toBe(0);
    await expect(breaker.execute(() => 'next probe')).resolves.toBe('next probe');
    expect(breaker.state).toBe('closed');
  });
});

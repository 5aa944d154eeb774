/**
 * The README's main composition (fallback → retry → breaker → timeout) with its dependency
 * down and 50 concurrent calls. Before the fix, while the breaker was open retry slept until
 * the breaker's `retryAfterMs` (p50 of 15 s); now a breaker's own rejection makes retry give
 * up at once, so every call settles after at most one backoff, and calls made once the
 * breaker is open settle without waiting at all. Driven by a manual clock.
 */
import { describe, expect, it } from 'vitest';
import { circuitBreaker, exponentialBackoff, fallbackPolicy, manualClock, retryPolicy, timeoutPolicy, wrap, type ManualClock } from './index.js';

function composition(clock: ManualClock, retryOnOpenCircuit?: boolean) {
  const breaker = circuitBreaker({ name: 'inventory', failureRate: 0.5, minimumThroughput: 10, windowMs: 10_000, halfOpenAfterMs: 5_000, clock });
  const retrying = retryPolicy({
    maxAttempts: 4,
    // jitter 'full' with random() = 1: the full delay, 20 then 40 then 80 ms
    backoff: exponentialBackoff({ initial: 20, max: 200, random: () => 1 }),
    clock,
    ...(retryOnOpenCircuit === undefined ? {} : { retryOnOpenCircuit }),
  });
  const giveUps: string[] = [];
  retrying.on('giveUp', ({ reason }) => giveUps.push(reason));
  const inventory = wrap(fallbackPolicy(-1), retrying, breaker, timeoutPolicy(1_000, { clock }));
  return { inventory, breaker, giveUps };
}

/** Starts `n` concurrent calls; records when (clock time) and in which order each settles. */
function burst(clock: ManualClock, inventory: ReturnType<typeof composition>['inventory'], n: number, fn: () => Promise<number>) {
  const settled: { index: number; at: number; value: number }[] = [];
  const all = Promise.all(
    Array.from({ length: n }, (_, index) => inventory.execute(fn).then((value) => settled.push({ index, at: clock.now(), value }))),
  );
  return { settled, all };
}

describe('README composition, dependency down, 50 concurrent calls', () => {
  const refused = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));

  it('every call settles with the fallback after one backoff; fn is called once per call; nothing keeps waiting', async () => {
    const clock = manualClock();
    const { inventory, breaker, giveUps } = composition(clock);
    let calls = 0;
    const { settled, all } = burst(clock, inventory, 50, () => {
      calls++;
      return refused();
    });
    await clock.advanceAsync(0);
    // the first attempts failed; the 10th failure opened the breaker (minimumThroughput 10, rate 100 %)
    expect(breaker.state).toBe('open');
    expect(calls).toBe(50);
    expect(settled).toHaveLength(0);
    await clock.advanceAsync(20); // the first backoff: every second attempt meets the open breaker and gives up
    await all;
    expect(settled).toHaveLength(50);
    expect(new Set(settled.map((s) => s.at))).toEqual(new Set([20]));
    expect(settled.every((s) => s.value === -1)).toBe(true);
    expect(calls).toBe(50);
    expect(giveUps).toEqual(Array.from({ length: 50 }, () => 'circuitOpen'));
    expect(clock.pending).toBe(0); // no call sleeps until the breaker's retryAfterMs

    // once the breaker is open, 50 more calls settle without the clock moving, in call order
    const next = burst(clock, inventory, 50, () => {
      calls++;
      return refused();
    });
    await clock.advanceAsync(0);
    await next.all;
    expect(next.settled.map((s) => s.index)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(next.settled.every((s) => s.at === 20 && s.value === -1)).toBe(true);
    expect(calls).toBe(50); // fn not called: the breaker refused
    expect(clock.pending).toBe(0);
  });

  it('a dependency that hangs: calls settle at the per-attempt timeout plus one backoff, then fail fast', async () => {
    const clock = manualClock();
    const { inventory, breaker } = composition(clock);
    const { settled, all } = burst(clock, inventory, 50, () => new Promise<number>(() => {}));
    await clock.advanceAsync(1_000); // every first attempt times out; the breaker opens
    expect(breaker.state).toBe('open');
    expect(settled).toHaveLength(0);
    await clock.advanceAsync(20);
    await all;
    expect(settled).toHaveLength(50);
    expect(settled.every((s) => s.at === 1_020 && s.value === -1)).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('with retryOnOpenCircuit: true (the old behaviour) retry sleeps until the breaker half-opens', async () => {
    const clock = manualClock();
    const { inventory } = composition(clock, true);
    const { settled, all } = burst(clock, inventory, 50, refused);
    await clock.advanceAsync(1_000);
    expect(settled).toHaveLength(0); // still waiting for retryAfterMs (~5 s)
    await clock.advanceAsync(10_000);
    await all;
    expect(Math.min(...settled.map((s) => s.at))).toBeGreaterThanOrEqual(5_000);
  });
});

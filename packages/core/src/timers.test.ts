import { ConfigurationError } from '@armor/errors';
import { describe, expect, it } from 'vitest';
import { backgroundInterval, backgroundTimeout, manualClock, MAX_TIMER_MS, sleep, systemClock, toScheduler, unrefTimer, type Scheduler } from './index.js';

/**
 * Node (and browsers) run any delay above 2^31 - 1 ms after about 1 ms. The kernel chains such
 * timers. Real-clock checks never wait for the long timer: they check it has NOT fired after a
 * real timer of 20 ms fired (timers fire in order of their due time, so an overflowed 1 ms
 * timer always fires first, however loaded the machine is).
 */
const afterRealTimer = (ms = 20) => new Promise<void>((resolve) => globalThis.setTimeout(resolve, ms));

/** A manual clock that records every delay it is asked for. */
function recording() {
  const clock = manualClock();
  const delays: number[] = [];
  const recorder = {
    now: () => clock.now(),
    setTimeout: (callback: () => void, ms: number) => {
      delays.push(ms);
      return clock.setTimeout(callback, ms);
    },
    clearTimeout: (handle: unknown) => clock.clearTimeout(handle),
  };
  return { clock, delays, recorder };
}

describe('timers longer than 2^31 - 1 ms', () => {
  it('MAX_TIMER_MS is the largest delay a runtime timer takes', () => {
    expect(MAX_TIMER_MS).toBe(2 ** 31 - 1);
  });

  it('systemClock.setTimeout(2^31) does not fire after a short real wait (no overflow to 1 ms), and is cancelled', async () => {
    for (const ms of [2 ** 31, 2 ** 32 + 5, 30 * 24 * 3_600_000]) {
      let fired = false;
      const handle = systemClock.setTimeout(() => (fired = true), ms);
      await afterRealTimer();
      expect(fired, `${ms} ms`).toBe(false);
      systemClock.clearTimeout(handle);
    }
  });

  it('the unref scheduler, a partial user clock, sleep and backgroundTimeout do not overflow either', async () => {
    const fired: string[] = [];
    const unrefScheduler = toScheduler(undefined, { unref: true });
    const partial = toScheduler({ now: () => Date.now() });
    const h1 = unrefScheduler.setTimeout(() => fired.push('unref'), 2 ** 31);
    const h2 = partial.setTimeout(() => fired.push('partial'), 2 ** 31);
    const h3 = backgroundTimeout(systemClock, () => fired.push('background'), 2 ** 31);
    const controller = new AbortController();
    const slept = sleep(2 ** 31, controller.signal).then(() => fired.push('sleep'), () => fired.push('sleep aborted'));
    const stop = backgroundInterval(() => fired.push('interval'), 2 ** 31);
    await afterRealTimer();
    expect(fired).toEqual([]);
    controller.abort();
    await slept;
    expect(fired).toEqual(['sleep aborted']);
    unrefScheduler.clearTimeout(h1);
    partial.clearTimeout(h2);
    systemClock.clearTimeout(h3);
    stop();
  });

  it('a user clock is chained too: no delay above the limit reaches it, and the callback fires once at the full delay', () => {
    const { clock, delays, recorder } = recording();
    const scheduler = toScheduler(recorder);
    let fired = 0;
    const ms = 2 * MAX_TIMER_MS + 10;
    scheduler.setTimeout(() => fired++, ms);
    clock.advance(MAX_TIMER_MS);
    expect(fired).toBe(0);
    clock.advance(MAX_TIMER_MS);
    expect(fired).toBe(0);
    expect(clock.pending).toBe(1);
    clock.advance(9);
    expect(fired).toBe(0);
    clock.advance(1);
    expect(fired).toBe(1);
    expect(clock.now()).toBe(ms);
    expect(clock.pending).toBe(0);
    expect(delays).toEqual([MAX_TIMER_MS, MAX_TIMER_MS, 10]);
    expect(Math.max(...delays)).toBeLessThanOrEqual(MAX_TIMER_MS);
  });

  it('a chained timer can be cancelled before, between and after its segments', () => {
    for (const cancelAt of [0, 1, MAX_TIMER_MS, MAX_TIMER_MS + 1, 2 * MAX_TIMER_MS, 2 * MAX_TIMER_MS + 9]) {
      const { clock, recorder } = recording();
      const scheduler = toScheduler(recorder);
      let fired = 0;
      const handle = scheduler.setTimeout(() => fired++, 2 * MAX_TIMER_MS + 10);
      clock.advance(cancelAt);
      scheduler.clearTimeout(handle);
      expect(clock.pending, `cancelled at ${cancelAt}`).toBe(0);
      clock.advance(3 * MAX_TIMER_MS);
      expect(fired, `cancelled at ${cancelAt}`).toBe(0);
      scheduler.clearTimeout(handle); // idempotent
    }
    const { clock, recorder } = recording();
    const scheduler = toScheduler(recorder);
    let fired = 0;
    const handle = scheduler.setTimeout(() => fired++, MAX_TIMER_MS + 1);
    clock.advance(MAX_TIMER_MS + 1);
    expect(fired).toBe(1);
    scheduler.clearTimeout(handle); // after it fired: a no-op
    expect(fired).toBe(1);
  });

  it('delays up to the limit are passed through unchanged (same handle type, one timer)', () => {
    const { clock, delays, recorder } = recording();
    const scheduler = toScheduler(recorder);
    const handle = scheduler.setTimeout(() => undefined, MAX_TIMER_MS);
    expect(typeof handle).toBe('number');
    expect(delays).toEqual([MAX_TIMER_MS]);
    expect(clock.pending).toBe(1);
  });

  it('the manual clock fires long timers at their exact time, alone and through sleep', async () => {
    const clock = manualClock();
    const order: string[] = [];
    clock.setTimeout(() => order.push('long'), 2 ** 40);
    clock.setTimeout(() => order.push('short'), 5);
    const slept = sleep(2 ** 33, undefined, clock).then(() => order.push(`sleep@${clock.now()}`));
    clock.advance(2 ** 33 - 1);
    expect(order).toEqual(['short']);
    await clock.advanceAsync(1);
    await slept;
    expect(order).toEqual(['short', `sleep@${2 ** 33}`]);
    clock.advance(2 ** 40);
    expect(order).toEqual(['short', `sleep@${2 ** 33}`, 'long']);
  });

  it('sleep with a raw scheduler chains too (nothing above the limit reaches it)', async () => {
    const { clock, delays, recorder } = recording();
    const done = sleep(MAX_TIMER_MS + 3, undefined, recorder as Scheduler);
    await clock.advanceAsync(MAX_TIMER_MS + 3);
    await done;
    expect(delays).toEqual([MAX_TIMER_MS, 3]);
  });

  it('a chained system timer keeps the process alive like setTimeout, and unref holds for every segment', () => {
    const handle = systemClock.setTimeout(() => undefined, 2 ** 31) as { hasRef(): boolean };
    expect(handle.hasRef()).toBe(true);
    unrefTimer(handle);
    expect(handle.hasRef()).toBe(false);
    systemClock.clearTimeout(handle);
    const background = backgroundTimeout(systemClock, () => undefined, 2 ** 31) as { hasRef(): boolean };
    expect(background.hasRef()).toBe(false);
    systemClock.clearTimeout(background);
    const unrefd = toScheduler(undefined, { unref: true }).setTimeout(() => undefined, 2 ** 31) as { hasRef(): boolean };
    expect(unrefd.hasRef()).toBe(false);
    systemClock.clearTimeout(unrefd);
  });

  it('backgroundInterval refuses a bad period with a ConfigurationError', () => {
    expect(() => backgroundInterval(() => undefined, Number.NaN)).toThrow(ConfigurationError);
    expect(() => backgroundInterval(() => undefined, -1)).toThrow(/ms/);
  });
});

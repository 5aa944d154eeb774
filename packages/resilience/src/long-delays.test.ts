/**
 * Delays of 2^31 ms and more (issue: every such delay ran after about 1 ms, Node's timer
 * overflow). The kernel clock chains them; these tests check each policy on the real clock
 * without waiting for the delay: after a real 20 ms timer fired (timers fire in order of their
 * due time, so an overflowed ~1 ms timer always fires first, however loaded the machine is)
 * nothing may have happened. The manual clock checks the full delay is kept.
 */
import { describe, expect, it } from 'vitest';
import { BulkheadRejectedError, bulkhead, constantBackoff, hedge, manualClock, retry, timeout, timeoutPolicy } from './index.js';
import { TimeoutError } from '@armor/errors';

const LONG = 2 ** 31; // one more than a runtime timer holds
const MONTH = 31 * 24 * 3_600_000;
const afterRealTimer = (ms = 20) => new Promise<void>((resolve) => globalThis.setTimeout(resolve, ms));
const never = <T>() => new Promise<T>(() => undefined);
const state = <T>(p: Promise<T>) => {
  const s = { settled: false as boolean | string };
  p.then(
    () => (s.settled = 'resolved'),
    (e: unknown) => (s.settled = (e as Error).name ?? 'rejected'),
  );
  return s;
};

describe('delays of 2^31 ms and more are kept on the system clock', () => {
  it('timeout(fn, 2^31) and timeoutPolicy(a month) have not timed out after a short real wait', async () => {
    const controller = new AbortController();
    const one = state(timeout(() => never(), LONG, { signal: controller.signal }));
    const two = state(timeoutPolicy(MONTH).execute(() => never(), controller.signal));
    await afterRealTimer();
    expect(one.settled).toBe(false);
    expect(two.settled).toBe(false);
    controller.abort();
  });

  it('bulkhead maxQueueWaitMs of 2^31: a queued call is still queued after a short real wait', async () => {
    const pool = bulkhead({ maxConcurrent: 1, maxQueue: 1, maxQueueWaitMs: LONG });
    let release!: () => void;
    const running = pool.execute(() => new Promise<void>((r) => (release = r)));
    const queued = state(pool.execute(() => 'queued'));
    await afterRealTimer();
    expect(queued.settled).toBe(false);
    expect(pool.stats()).toMatchObject({ active: 1, queued: 1, rejected: 0 });
    release();
    await running;
    await afterRealTimer(1);
    expect(queued.settled).toBe('resolved');
  });

  it('hedge with delayMs 2^31 starts no hedge after a short real wait', async () => {
    const controller = new AbortController();
    let calls = 0;
    const call = state(
      hedge(
        () => {
          calls++;
          return never();
        },
        { delayMs: LONG, signal: controller.signal },
      ),
    );
    await afterRealTimer();
    expect(calls).toBe(1);
    expect(call.settled).toBe(false);
    controller.abort();
  });

  it('retry with a 2^31 ms backoff has not retried after a short real wait', async () => {
    const controller = new AbortController();
    let calls = 0;
    const call = state(
      retry(
        () => {
          calls++;
          throw new Error('fails');
        },
        { maxAttempts: 2, backoff: constantBackoff(LONG), signal: controller.signal },
      ),
    );
    await afterRealTimer();
    expect(calls).toBe(1);
    expect(call.settled).toBe(false);
    controller.abort();
  });
});

describe('delays of 2^31 ms and more on the manual clock: the full delay, not a ms less', () => {
  it('timeout fires at exactly 2^31 + 5 ms', async () => {
    const clock = manualClock();
    const call = timeout(() => never(), LONG + 5, { clock }).catch((e: unknown) => e);
    await clock.advanceAsync(LONG + 4);
    expect(clock.pending).toBe(1);
    await clock.advanceAsync(1);
    expect(await call).toBeInstanceOf(TimeoutError);
    expect(clock.pending).toBe(0);
  });

  it('bulkhead refuses a queued call at exactly maxQueueWaitMs', async () => {
    const clock = manualClock();
    const pool = bulkhead({ maxConcurrent: 1, maxQueue: 1, maxQueueWaitMs: MONTH, clock });
    const controller = new AbortController();
    void pool.execute(() => never(), controller.signal).catch(() => undefined);
    const queued = state(pool.execute(() => 'queued'));
    await clock.advanceAsync(MONTH - 1);
    expect(queued.settled).toBe(false);
    await clock.advanceAsync(1);
    expect(queued.settled).toBe(new BulkheadRejectedError('x').name);
    controller.abort();
  });

  it('hedge starts its hedge at exactly delayMs, and retry waits its whole backoff', async () => {
    const clock = manualClock();
    let calls = 0;
    const controller = new AbortController();
    void hedge(() => (calls++, never()), { delayMs: MONTH, clock, signal: controller.signal }).catch(() => undefined);
    await clock.advanceAsync(MONTH - 1);
    expect(calls).toBe(1);
    await clock.advanceAsync(1);
    expect(calls).toBe(2);
    controller.abort();

    let tries = 0;
    const done = retry(
      () => {
        if (++tries === 1) throw new Error('once');
        return 'ok';
      },
      { maxAttempts: 2, backoff: constantBackoff(LONG + 1), clock },
    );
    await clock.advanceAsync(LONG);
    expect(tries).toBe(1);
    await clock.advanceAsync(1);
    await expect(done).resolves.toBe('ok');
    expect(tries).toBe(2);
  });
});

/**
 * Node-only checks: no abort listeners left on the caller's signal (via
 * events.getEventListeners), no MaxListenersExceededWarning, and the timer rule: timers an
 * awaited call depends on keep the process alive unless the policy says `unref: true`.
 */
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bulkhead, circuitBreaker, constantBackoff, hedgePolicy, retry, retryPolicy, timeoutPolicy, wrap } from './index.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('listeners and timers (Node)', () => {
  it('composed policies leave no listeners on a long-lived signal and trigger no MaxListeners warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const controller = new AbortController();
    const policy = wrap(
      retryPolicy({ maxAttempts: 3, backoff: constantBackoff(1) }),
      circuitBreaker({ failureThreshold: 10_000 }),
      bulkhead({ maxConcurrent: 8, maxQueue: 1000 }),
      hedgePolicy({ delayMs: 2 }),
      timeoutPolicy(50),
    );
    let n = 0;
    // 300 concurrent executions sharing one signal
    await Promise.all(
      Array.from({ length: 300 }, () =>
        policy
          .execute(({ signal }) => {
            const k = ++n;
            if (k % 4 === 0) return Promise.reject(new Error('flaky'));
            return new Promise((resolve, reject) => {
              const t = setTimeout(resolve, k % 7 === 0 ? 80 : 1);
              signal.addEventListener('abort', () => {
                clearTimeout(t);
                reject(signal.reason as Error);
              }, { once: true });
            });
          }, controller.signal)
          .catch(() => undefined),
      ),
    );
    await new Promise((r) => setTimeout(r, 20));
    process.off('warning', onWarning);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  const spyTimers = () => {
    const created: NodeJS.Timeout[] = [];
    const real = globalThis.setTimeout;
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((cb: () => void, ms?: number) => {
      const t = real(cb, ms);
      created.push(t);
      return t;
    }) as typeof setTimeout);
    return created;
  };

  it('backoff, timeout and hedge timers keep the process alive by default (the timer rule)', async () => {
    const created = spyTimers();
    let calls = 0;
    await retry(() => (++calls < 2 ? Promise.reject(new Error('x')) : 'ok'), { backoff: constantBackoff(5) });
    await timeoutPolicy(1000).execute(() => 'fast');
    await hedgePolicy({ delayMs: 1000 }).execute(() => 'fast');
    expect(created.length).toBeGreaterThanOrEqual(3);
    for (const t of created) expect(t.hasRef()).toBe(true);
  });

  it('unref: true unrefs them', async () => {
    const created = spyTimers();
    let calls = 0;
    await retry(() => (++calls < 2 ? Promise.reject(new Error('x')) : 'ok'), { backoff: constantBackoff(5), unref: true });
    await retryPolicy({ backoff: constantBackoff(5), unref: true }).execute(({ attempt }) => (attempt < 2 ? Promise.reject(new Error('x')) : 'ok'));
    await timeoutPolicy(1000, { unref: true }).execute(() => 'fast');
    await hedgePolicy({ delayMs: 1000, unref: true }).execute(() => 'fast');
    expect(created.length).toBeGreaterThanOrEqual(4);
    for (const t of created) expect(t.hasRef()).toBe(false);
  });
});

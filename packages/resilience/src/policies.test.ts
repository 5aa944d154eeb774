import { ArmorError, CircuitOpenError, TimeoutError, isArmorError } from '@armor/errors';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BulkheadRejectedError,
  breakerRegistry,
  bulkhead,
  circuitBreaker,
  constantBackoff,
  fallback,
  fallbackPolicy,
  hedge,
  hedgePolicy,
  isBreakerRejection,
  manualClock,
  retryPolicy,
  timeout,
  timeoutPolicy,
  wrap,
} from './index.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const sleepFor = (ms: number, signal?: AbortSignal) =>
  new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => resolve(`slept ${ms}`), ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason as Error);
    });
  });

/** An AbortSignal that counts its live abort listeners (works in every runtime). */
function countingSignal() {
  const controller = new AbortController();
  const signal = controller.signal;
  const live = new Set<unknown>();
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((type: string, listener: EventListener, options?: AddEventListenerOptions) => {
    if (type === 'abort') {
      live.add(listener);
      // a `once` listener is removed by the platform when it fires
      if (options?.once) add('abort', () => live.delete(listener), { once: true });
    }
    add(type, listener, options);
  }) as typeof signal.addEventListener;
  signal.removeEventListener = ((type: string, listener: EventListener, options?: EventListenerOptions) => {
    if (type === 'abort') live.delete(listener);
    remove(type, listener, options);
  }) as typeof signal.removeEventListener;
  return { controller, signal, live };
}

describe('timeout', () => {
  it('rejects with TimeoutError and aborts the signal given to fn', async () => {
    let inner: AbortSignal | undefined;
    const p = timeout(({ signal }) => {
      inner = signal;
      return sleepFor(1000, signal);
    }, 100);
    const assertion = expect(p).rejects.toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(100);
    await assertion;
    expect(inner!.aborted).toBe(true);
    expect(isArmorError(inner!.reason, 'TIMEOUT')).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves in time and clears its timer', async () => {
    const p = timeout(() => sleepFor(50), 100);
    await vi.advanceTimersByTimeAsync(50);
    await expect(p).resolves.toBe('slept 50');
    expect(vi.getTimerCount()).toBe(0);
  });

  it("caller's abort wins with its reason", async () => {
    const controller = new AbortController();
    const p = timeout(({ signal }) => sleepFor(1000, signal), 500, { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });

  it('timeoutPolicy emits timeout events', async () => {
    const policy = timeoutPolicy(10);
    const events: unknown[] = [];
    policy.on('timeout', (e) => events.push(e));
    const p = policy.execute(({ signal }) => sleepFor(100, signal));
    const a = expect(p).rejects.toBeInstanceOf(TimeoutError);
    await vi.advanceTimersByTimeAsync(10);
    await a;
    expect(events).toEqual([{ timeoutMs: 10 }]);
  });
});

describe('bulkhead', () => {
  it('runs maxConcurrent at once, queues maxQueue, rejects the rest with BulkheadRejectedError', async () => {
    const pool = bulkhead({ maxConcurrent: 2, maxQueue: 1, name: 'db' });
    const rejectedEvents = vi.fn();
    pool.on('rejected', rejectedEvents);
    const started: number[] = [];
    const job = (i: number) => () => {
      started.push(i);
      return sleepFor(100);
    };
    const p = [0, 1, 2].map((i) => pool.execute(job(i)));
    const err = await pool.execute(job(3)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BulkheadRejectedError);
    expect(err).toBeInstanceOf(ArmorError);
    expect(err).toMatchObject({ code: 'BULKHEAD_REJECTED', status: 503, retryable: true });
    expect(rejectedEvents).toHaveBeenCalledTimes(1);
    expect(started).toEqual([0, 1]);
    expect(pool.stats()).toEqual({ name: 'db', active: 2, queued: 1, rejected: 1 });
    await vi.advanceTimersByTimeAsync(100);
    expect(started).toEqual([0, 1, 2]);
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all(p);
    expect(pool.stats()).toEqual({ name: 'db', active: 0, queued: 0, rejected: 1 });
  });

  it('a queued call whose signal aborts leaves the queue', async () => {
    const pool = bulkhead({ maxConcurrent: 1, maxQueue: 5 });
    const first = pool.execute(() => sleepFor(100));
    const { controller, signal, live } = countingSignal();
    const queued = pool.execute(() => 'never', signal);
    expect(pool.stats().queued).toBe(1);
    controller.abort(new Error('gone'));
    await expect(queued).rejects.toThrow('gone');
    expect(pool.stats().queued).toBe(0);
    await vi.advanceTimersByTimeAsync(100);
    await first;
    expect(live.size).toBe(0);
    await expect(pool.execute(() => 'next')).resolves.toBe('next');
  });

  it('frees its slot when fn throws synchronously', async () => {
    const pool = bulkhead({ maxConcurrent: 1 });
    await expect(
      pool.execute(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await expect(pool.execute(() => 1)).resolves.toBe(1);
  });
});

describe('fallback', () => {
  it('returns the value or calls the function with the error', async () => {
    await expect(fallback(() => Promise.reject(new Error('x')), 'cached')).resolves.toBe('cached');
    await expect(fallback(() => Promise.reject(new Error('x')), (e) => `from ${(e as Error).message}`)).resolves.toBe('from x');
    await expect(fallback(() => 'fresh', 'cached')).resolves.toBe('fresh');
    await expect(fallback(() => Promise.reject(new Error('x')), 'c', { shouldFallback: () => false })).rejects.toThrow('x');
  });

  it('never replaces the caller abort', async () => {
    const controller = new AbortController();
    const p = fallback(({ signal }) => sleepFor(100, signal), 'cached', { signal: controller.signal });
    controller.abort(new Error('cancelled'));
    await expect(p).rejects.toThrow('cancelled');
  });
});

describe('hedge', () => {
  it('starts a hedge after delayMs; first success wins and the loser is aborted', async () => {
    const signals: AbortSignal[] = [];
    const p = hedge(
      ({ attempt, signal }) => {
        signals.push(signal);
        return sleepFor(attempt === 1 ? 500 : 50, signal).then(() => `attempt ${attempt}`);
      },
      { delayMs: 100, maxHedges: 2 },
    );
    await vi.advanceTimersByTimeAsync(150);
    await expect(p).resolves.toBe('attempt 2');
    expect(signals).toHaveLength(2);
    expect(signals[0]!.aborted).toBe(true);
    expect(signals[1]!.aborted).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a fast failure starts the next hedge at once; all failing rejects with the last error', async () => {
    let n = 0;
    const fn = vi.fn(() => Promise.reject(new Error(`e${++n}`)));
    await expect(hedge(fn, { delayMs: 1000, maxHedges: 2 })).rejects.toThrow('e3');
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('hedgePolicy works inside wrap', async () => {
    const policy = wrap(hedgePolicy({ delayMs: 10 }));
    const p = policy.execute(({ signal }) => sleepFor(5, signal));
    await vi.advanceTimersByTimeAsync(5);
    await expect(p).resolves.toBe('slept 5');
  });
});

describe('wrap', () => {
  it('composes in order: fallback(retry(breaker(timeout(fn))))', async () => {
    const breaker = circuitBreaker({ failureThreshold: 2, halfOpenAfterMs: 60_000 });
    const attempts: number[] = [];
    const policy = wrap(fallbackPolicy('fallback'), retryPolicy({ maxAttempts: 3, backoff: constantBackoff(10) }), breaker, timeoutPolicy(50));
    const p = policy.execute(({ attempt, signal }) => {
      attempts.push(attempt);
      return sleepFor(1000, signal);
    });
    await vi.advanceTimersByTimeAsync(500);
    // attempts 1 and 2 time out (the breaker opens after 2), attempt 3 is rejected by the
    // open breaker without running fn, retries are exhausted, and the fallback answers
    await expect(p).resolves.toBe('fallback');
    expect(attempts).toEqual([1, 2]);
    expect(breaker.state).toBe('open');
    expect(breaker.stats()).toMatchObject({ failures: 2, rejected: 1 });
  });

  it('a breaker open inside a retry fails fast by default: no wait for its retryAfterMs', async () => {
    const breaker = circuitBreaker({ failureThreshold: 1, halfOpenAfterMs: 1000 });
    let calls = 0;
    const gaveUp: string[] = [];
    const retrying = retryPolicy({ maxAttempts: 3, backoff: constantBackoff(1) });
    retrying.on('giveUp', ({ reason }) => gaveUp.push(reason));
    const p = wrap(retrying, breaker).execute(() => (++calls === 1 ? Promise.reject(new Error('down')) : Promise.resolve('up')));
    const outcome = p.catch((e: unknown) => e);
    // attempt 1 fails and opens; attempt 2 (after the 1 ms backoff) is refused by the breaker: give up
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toBeInstanceOf(CircuitOpenError);
    expect(isBreakerRejection(await outcome)).toBe(true);
    expect(calls).toBe(1);
    expect(gaveUp).toEqual(['circuitOpen']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('retry honours CircuitOpenError.retryAfterMs from an inner breaker with retryOnOpenCircuit: true', async () => {
    const breaker = circuitBreaker({ failureThreshold: 1, halfOpenAfterMs: 1000 });
    let calls = 0;
    const policy = wrap(retryPolicy({ maxAttempts: 3, backoff: constantBackoff(1), retryOnOpenCircuit: true }), breaker);
    const p = policy.execute(() => (++calls === 1 ? Promise.reject(new Error('down')) : Promise.resolve('up')));
    // attempt 1 fails and opens; attempt 2 (after 1 ms) is rejected with retryAfterMs 999; attempt 3 after that succeeds
    await vi.advanceTimersByTimeAsync(1000);
    await expect(p).resolves.toBe('up');
    expect(calls).toBe(2);
    expect(breaker.state).toBe('closed');
  });

  it('leaves no abort listeners behind on the caller signal (cockatiel #69/#81)', async () => {
    const { signal, live } = countingSignal();
    const pool = bulkhead({ maxConcurrent: 4, maxQueue: 100 });
    const policy = wrap(
      retryPolicy({ maxAttempts: 3, backoff: constantBackoff(5) }),
      circuitBreaker({ failureThreshold: 1000 }),
      pool,
      hedgePolicy({ delayMs: 20 }),
      timeoutPolicy(100),
    );
    let n = 0;
    const runs = Array.from({ length: 50 }, () =>
      policy.execute(({ signal: s }) => (++n % 3 === 0 ? Promise.reject(new Error('flaky')) : sleepFor(n % 5 === 0 ? 200 : 10, s)), signal).catch(() => 'failed'),
    );
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all(runs);
    expect(live.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects non-policies', () => {
    expect(() => wrap({} as never)).toThrow(/policies\[0\]/);
  });
});

describe('breakerRegistry', () => {
  it('one breaker per key, bounded by an LRU', async () => {
    const registry = breakerRegistry({ max: 2, breaker: (key) => ({ failureThreshold: 1, name: `http:${key}` }) });
    await expect(registry.execute('a', () => Promise.reject(new Error('down')))).rejects.toThrow();
    expect(registry.get('a').state).toBe('open');
    expect(registry.get('b').state).toBe('closed');
    await expect(registry.execute('a', () => 1)).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(registry.execute('b', () => 1)).resolves.toBe(1);
    registry.get('c'); // evicts the least recently used ('a')
    expect(registry.size).toBe(2);
    expect(registry.has('a')).toBe(false);
    expect(registry.get('a').state).toBe('closed');
    expect(registry.stats().map((s) => s.name).sort()).toEqual(['http:a', 'http:c']);
    expect(registry.delete('c')).toBe(true);
  });

  it('idleMs drops breakers unused for idleMs (measured with the injected clock)', async () => {
    const clock = manualClock(); // starts at 0
    const registry = breakerRegistry({ idleMs: 1_000, clock, breaker: { clock, failureThreshold: 1, halfOpenAfterMs: 60_000 } });
    await expect(registry.execute('x', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    const tripped = registry.get('x');
    expect(tripped.state).toBe('open');
    registry.get('y');

    // used within idleMs: kept, and each use restarts its idle time
    clock.advance(999);
    expect(registry.get('x')).toBe(tripped);
    clock.advance(999);
    expect(registry.has('x')).toBe(true); // has() does not refresh
    expect(registry.get('x')).toBe(tripped);
    expect(registry.size).toBe(1); // 'y' idle for 1998 ms: dropped
    expect(registry.has('y')).toBe(false);

    // idle for idleMs: dropped, and the key gets a fresh, closed breaker
    clock.advance(1_000);
    expect(registry.has('x')).toBe(false);
    expect(registry.size).toBe(0);
    const fresh = registry.get('x');
    expect(fresh).not.toBe(tripped);
    expect(fresh.state).toBe('closed');
    expect(tripped.state).toBe('open'); // not merely half-open by the clock: it was replaced
    await expect(registry.execute('x', () => 'ok')).resolves.toBe('ok');
    expect(registry.stats().map((st) => st.name)).toEqual(['x']);
    expect(clock.pending).toBe(0); // the registry sets no timers
  });

  it('without idleMs, breakers are kept however long they sit unused', () => {
    const clock = manualClock();
    const registry = breakerRegistry({ clock });
    const b = registry.get('x');
    clock.advance(365 * 24 * 3600_000);
    expect(registry.has('x')).toBe(true);
    expect(registry.get('x')).toBe(b);
  });

  it('delete reports whether a live breaker was held', () => {
    const clock = manualClock();
    const registry = breakerRegistry({ idleMs: 10, clock });
    registry.get('a');
    registry.get('b');
    expect(registry.delete('a')).toBe(true);
    expect(registry.delete('a')).toBe(false);
    clock.advance(10);
    expect(registry.delete('b')).toBe(false);
    expect(registry.size).toBe(0);
  });
});

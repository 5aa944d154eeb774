import {
  ArmorError,
  AuthenticationError,
  AuthorizationError,
  BadRequestError,
  CircuitOpenError,
  ConfigurationError,
  ConflictError,
  DatabaseError,
  ExternalServiceError,
  InternalError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitError,
  ServiceUnavailableError,
  TimeoutError,
  ValidationError,
} from '@armor/errors';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { circuitBreaker, constantBackoff, exponentialBackoff, isRetryableByDefault, manualClock, retry, retryAfterFromError, retryBudget, retryPolicy, type RetryEvent } from './index.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** fn failing `failures` times then returning 'ok', recording when each attempt started. */
function flaky(failures: number, error: () => unknown = () => new Error('boom')) {
  const calls: { attempt: number; at: number }[] = [];
  const fn = vi.fn(({ attempt }: { attempt: number }) => {
    calls.push({ attempt, at: Date.now() });
    if (calls.length <= failures) return Promise.reject(error());
    return Promise.resolve('ok');
  });
  return { fn, calls };
}

describe('retry', () => {
  it('returns the first success without waiting', async () => {
    const { fn } = flaky(0);
    await expect(retry(fn)).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('follows the exponential backoff sequence (fake timers)', async () => {
    const { fn, calls } = flaky(3);
    const start = Date.now();
    const events: RetryEvent[] = [];
    const p = retry(fn, { maxAttempts: 4, backoff: exponentialBackoff({ initial: 100, jitter: 'none' }), onRetry: (e) => events.push(e) });
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(600);
    await expect(p).resolves.toBe('ok');
    expect(calls.map((c) => c.at - start)).toEqual([0, 100, 300, 700]);
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3, 4]);
    expect(events.map((e) => [e.attempt, e.delayMs])).toEqual([
      [1, 100],
      [2, 200],
      [3, 400],
    ]);
  });

  it('rejects with the last error after maxAttempts', async () => {
    let n = 0;
    const fn = vi.fn(() => Promise.reject(new Error(`e${++n}`)));
    const p = retry(fn, { maxAttempts: 3, backoff: constantBackoff(10) });
    const assertion = expect(p).rejects.toThrow('e3');
    await vi.advanceTimersByTimeAsync(100);
    await assertion;
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('catches synchronous throws from fn', async () => {
    let n = 0;
    const p = retry(
      () => {
        if (++n < 2) throw new Error('sync');
        return 'ok';
      },
      { backoff: constantBackoff(0) },
    );
    await vi.advanceTimersByTimeAsync(1);
    await expect(p).resolves.toBe('ok');
  });

  it('does not retry exposed client errors (4xx other than 408/429) by default', async () => {
    for (const error of [new BadRequestError(), new ValidationError(), new NotFoundError(), new AuthorizationError()]) {
      const fn = vi.fn(() => Promise.reject(error));
      await expect(retry(fn, { backoff: constantBackoff(0) })).rejects.toBe(error);
      expect(fn).toHaveBeenCalledTimes(1);
    }
  });

  it('does not retry any exposed 4xx other than 408/429 (400, 401, 403, 404, 409, 413, 422)', async () => {
    const errors = [
      new BadRequestError(),
      new ValidationError(),
      new AuthenticationError(),
      new AuthorizationError(),
      new NotFoundError(),
      new ConflictError(),
      new PayloadTooLargeError(),
      new ArmorError('BAD_REQUEST', 'unprocessable', { status: 422 }),
    ];
    expect(errors.map((e) => e.status)).toEqual([400, 400, 401, 403, 404, 409, 413, 422]);
    for (const error of errors) {
      expect(isRetryableByDefault(error)).toBe(false);
      const fn = vi.fn(() => Promise.reject(error));
      await expect(retry(fn, { backoff: constantBackoff(0) })).rejects.toBe(error);
      expect(fn).toHaveBeenCalledTimes(1);
    }
  });

  it('retries 5xx Armor errors, including 500s whose retryable defaulted to false', async () => {
    const makers = [
      () => new InternalError(),
      () => new DatabaseError(),
      () => new ExternalServiceError(),
      () => new ServiceUnavailableError(),
      () => new TimeoutError(),
      () => new ArmorError('INTERNAL', 'not implemented', { status: 501 }),
    ];
    expect(new InternalError().retryable).toBe(false); // the errors package's default for 500
    expect(new DatabaseError().retryable).toBe(false);
    for (const make of makers) {
      expect(isRetryableByDefault(make())).toBe(true);
      const { fn } = flaky(2, make);
      const p = retry(fn, { backoff: constantBackoff(5) });
      await vi.advanceTimersByTimeAsync(10);
      await expect(p).resolves.toBe('ok');
      expect(fn).toHaveBeenCalledTimes(3);
    }
  });

  it('retries 408 and 429', async () => {
    for (const make of [() => new ArmorError('REQUEST_TIMEOUT'), () => new RateLimitError()]) {
      expect(make().status).toBeOneOf([408, 429]);
      expect(isRetryableByDefault(make())).toBe(true);
      const { fn } = flaky(1, make);
      const p = retry(fn, { backoff: constantBackoff(5) });
      await vi.advanceTimersByTimeAsync(5);
      await expect(p).resolves.toBe('ok');
      expect(fn).toHaveBeenCalledTimes(2);
    }
  });

  it('does not retry ConfigurationError (a programming error)', async () => {
    const error = new ConfigurationError('url', 'must be absolute');
    expect(isRetryableByDefault(new ConfigurationError('x', 'y', { retryable: true }))).toBe(false);
    const fn = vi.fn(() => Promise.reject(error));
    await expect(retry(fn, { backoff: constantBackoff(0) })).rejects.toBe(error);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('honours retryable where it differs from the status default (so was set explicitly)', async () => {
    // explicit false on a status retryable by default
    for (const error of [
      new ServiceUnavailableError('maintenance', { retryable: false }),
      new ExternalServiceError('bad credentials upstream', { retryable: false }),
      new RateLimitError('quota exhausted for the month', { retryable: false }),
    ]) {
      expect(isRetryableByDefault(error)).toBe(false);
      const fn = vi.fn(() => Promise.reject(error));
      await expect(retry(fn, { backoff: constantBackoff(0) })).rejects.toBe(error);
      expect(fn).toHaveBeenCalledTimes(1);
    }
    // explicit true on a client error
    const { fn } = flaky(1, () => new ConflictError('version changed', { retryable: true }));
    const p = retry(fn, { backoff: constantBackoff(5) });
    await vi.advanceTimersByTimeAsync(5);
    await expect(p).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(2);
    // explicit false on a 500 cannot be told from the default: still retried (documented)
    expect(isRetryableByDefault(new DatabaseError('constraint', { retryable: false }))).toBe(true);
  });

  it('uses the same client-error check as the breaker (unexposed 4xx and plain errors are retried)', async () => {
    const notCounted = async (error: unknown) => {
      const breaker = circuitBreaker({ failureThreshold: 1 });
      await breaker.execute(() => Promise.reject(error)).catch(() => undefined);
      return breaker.state === 'closed';
    };
    const cases = [
      new NotFoundError(),
      new NotFoundError('gone', { expose: false }),
      Object.assign(new Error('duck-typed client error'), { status: 404, expose: true, code: 'NOT_FOUND' }),
      new InternalError(),
      new TypeError('fetch failed'),
    ];
    for (const error of cases) expect(isRetryableByDefault(error)).toBe(!(await notCounted(error)));
    expect(isRetryableByDefault(new NotFoundError('gone', { expose: false }))).toBe(true);
    expect(isRetryableByDefault(new TypeError('fetch failed'))).toBe(true);
    expect(isRetryableByDefault('string')).toBe(true);
  });

  it('retries 429 and 503 Armor errors and plain errors', async () => {
    for (const make of [() => new RateLimitError(), () => new ServiceUnavailableError(), () => new TypeError('net')]) {
      const { fn } = flaky(1, make);
      const p = retry(fn, { backoff: constantBackoff(5) });
      await vi.advanceTimersByTimeAsync(5);
      await expect(p).resolves.toBe('ok');
      expect(fn).toHaveBeenCalledTimes(2);
    }
  });

  it('honours RateLimitError.retryAfterMs as a lower bound of the delay', async () => {
    const { fn, calls } = flaky(1, () => new RateLimitError('slow down', { retryAfterMs: 1500 }));
    const start = Date.now();
    const p = retry(fn, { backoff: constantBackoff(10) });
    await vi.advanceTimersByTimeAsync(1499);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(p).resolves.toBe('ok');
    expect(calls[1]!.at - start).toBe(1500);
  });

  it('honours an HTTP Retry-After carried in details (seconds and HTTP date)', async () => {
    const seconds = flaky(1, () => Object.assign(new Error('503'), { details: { headers: { 'retry-after': '2' } } }));
    const start = Date.now();
    const p = retry(seconds.fn, { backoff: constantBackoff(0) });
    await vi.advanceTimersByTimeAsync(2000);
    await expect(p).resolves.toBe('ok');
    expect(seconds.calls[1]!.at - start).toBe(2000);

    const now = Date.now();
    expect(retryAfterFromError({ details: { retryAfter: new Date(now + 3000).toUTCString() } }, now)).toBeGreaterThan(2000);
    expect(retryAfterFromError({ details: { 'Retry-After': 4 } })).toBe(4000);
    expect(retryAfterFromError({ details: { headers: new Headers({ 'Retry-After': '1' }) } })).toBe(1000);
    expect(retryAfterFromError(new Error('x'))).toBeUndefined();
    expect(retryAfterFromError(null)).toBeUndefined();
    expect(retryAfterFromError({ details: { retryAfter: 'soon' } })).toBeUndefined();
  });

  it('gives up instead of waiting when Retry-After exceeds maxRetryAfterMs', async () => {
    const error = new CircuitOpenError('open', { retryAfterMs: 120_000 });
    const fn = vi.fn(() => Promise.reject(error));
    await expect(retry(fn, { maxRetryAfterMs: 60_000 })).rejects.toBe(error);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('aborting during a backoff wait rejects at once with the abort reason (p-retry #97)', async () => {
    const controller = new AbortController();
    const fn = vi.fn(() => Promise.reject(new Error('boom')));
    const p = retry(fn, { maxAttempts: 5, backoff: constantBackoff(60_000), signal: controller.signal });
    const settled = vi.fn();
    p.then(settled, settled);
    await vi.advanceTimersByTimeAsync(10);
    expect(fn).toHaveBeenCalledTimes(1);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    // no timer advance: only microtasks run
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(settled).toHaveBeenCalledWith(reason);
    await expect(p).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('rejects with the abort reason when already aborted, and passes the signal to fn', async () => {
    const controller = new AbortController();
    controller.abort(new Error('early'));
    await expect(retry(() => 1, { signal: controller.signal })).rejects.toThrow('early');
    const c2 = new AbortController();
    await retry(({ signal }) => expect(signal).toBe(c2.signal), { signal: c2.signal });
  });

  it('retryIf decides; a throwing retryIf means no retry', async () => {
    const fn = vi.fn(() => Promise.reject(new Error('x')));
    await expect(retry(fn, { retryIf: () => false })).rejects.toThrow('x');
    expect(fn).toHaveBeenCalledTimes(1);
    await expect(
      retry(fn, {
        retryIf: () => {
          throw new Error('bad');
        },
      }),
    ).rejects.toThrow('x');
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('policy emits retry and giveUp events; listener errors are isolated', async () => {
    const policy = retryPolicy({ maxAttempts: 2, backoff: constantBackoff(1) });
    const seen: string[] = [];
    policy.on('retry', () => {
      seen.push('retry');
      throw new Error('listener bug');
    });
    const off = policy.on('giveUp', (e) => seen.push(`giveUp:${e.reason}:${e.attempts}`));
    const p = policy.execute(() => Promise.reject(new Error('x')));
    const assertion = expect(p).rejects.toThrow('x');
    await vi.advanceTimersByTimeAsync(5);
    await assertion;
    expect(seen).toEqual(['retry', 'giveUp:maxAttempts:2']);
    off();
    const p2 = policy.execute(() => Promise.reject(new Error('y')));
    const a2 = expect(p2).rejects.toThrow('y');
    await vi.advanceTimersByTimeAsync(5);
    await a2;
    expect(seen).toHaveLength(3);
  });

  it('works with an injected manual clock (no global timers)', async () => {
    vi.useRealTimers();
    const clock = manualClock();
    const { fn } = flaky(2);
    const p = retry(fn, { backoff: constantBackoff(1000), clock });
    await Promise.resolve();
    await clock.advanceAsync(1000);
    expect(fn).toHaveBeenCalledTimes(2);
    await clock.advanceAsync(1000);
    await expect(p).resolves.toBe('ok');
    expect(clock.pending).toBe(0);
  });
});

describe('retryBudget', () => {
  it('caps retries at ratio * requests + floor, over a rolling window', async () => {
    const clock = manualClock(0);
    const budget = retryBudget({ ratio: 0.5, minRetriesPerSecond: 0, windowMs: 1000, clock });
    const policy = retryPolicy({ maxAttempts: 2, backoff: constantBackoff(0), budget, clock });
    const failing = vi.fn(() => Promise.reject(new Error('down')));
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => policy.execute(failing)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    // 10 first attempts, at most 5 retries
    expect(failing).toHaveBeenCalledTimes(15);
    expect(budget.stats()).toMatchObject({ name: 'retry-budget', requests: 10, retries: 5, available: 0, exhausted: 5 });
    clock.advance(1000);
    expect(budget.stats()).toMatchObject({ requests: 0, retries: 0 });
  });

  it('minRetriesPerSecond allows retries with no traffic', () => {
    const clock = manualClock(0);
    const budget = retryBudget({ ratio: 0, minRetriesPerSecond: 2, windowMs: 1000, clock });
    expect([budget.tryRetry(), budget.tryRetry(), budget.tryRetry()]).toEqual([true, true, false]);
  });
});

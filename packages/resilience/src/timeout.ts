/**
 * Timeouts that abort the work they give up on.
 *
 * @module
 */
import { ConfigurationError, TimeoutError } from '@armor/errors';
import { toScheduler, type Clock, type Scheduler } from './clock.js';
import { Emitter, type Observable } from './events.js';
import { Context, abortReason, noop, onAbort, checkClock, checkFunction, checkMs, checkName, checkOptions, checkSignal, type Policy, type PolicyFn } from './policy.js';

/** Options of {@link timeout}. */
export interface TimeoutOptions {
  /** Cancels the call; it rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Scheduler for the timer. @default system clock (unref'd timer) */
  clock?: Clock;
}

/** Options of {@link timeoutPolicy}. */
export interface TimeoutPolicyOptions {
  /** Name used in metrics. @default 'timeout' */
  name?: string;
  /** Scheduler for the timer. @default system clock (unref'd timer) */
  clock?: Clock;
}

/** Events of a {@link TimeoutPolicy}. */
export interface TimeoutEvents {
  /** A call exceeded the limit. */
  timeout: { timeoutMs: number };
}

/** A timeout policy (see {@link timeoutPolicy}). */
export interface TimeoutPolicy extends Policy, Observable<TimeoutEvents> {}

function run<T>(fn: PolicyFn<T>, ms: number, parent: AbortSignal | undefined, time: Scheduler, attempt: number, onTimeout?: () => void): Promise<T> {
  if (parent?.aborted) return Promise.reject(abortReason(parent));
  return new Promise<T>((resolve, reject) => {
    const controller = new AbortController();
    let done = false;
    const finish = () => {
      done = true;
      time.clearTimeout(handle);
      off();
    };
    const onParentAbort = () => {
      if (done) return;
      finish();
      const reason = abortReason(parent!);
      controller.abort(reason);
      reject(reason);
    };
    const handle = time.setTimeout(() => {
      if (done) return;
      finish();
      const error = new TimeoutError(`Operation timed out after ${ms} ms`, { details: { timeoutMs: ms } });
      controller.abort(error);
      onTimeout?.();
      reject(error);
    }, ms);
    const off = parent === undefined ? noop : onAbort(parent, onParentAbort);
    let result: T | PromiseLike<T>;
    try {
      result = fn(new Context(attempt, controller.signal));
    } catch (error) {
      finish();
      reject(error);
      return;
    }
    Promise.resolve(result).then(
      (value) => {
        if (done) return;
        finish();
        resolve(value);
      },
      (error: unknown) => {
        if (done) return;
        finish();
        reject(error);
      },
    );
  });
}

/**
 * Runs `fn` with a deadline of `ms` milliseconds. `fn` receives an AbortSignal that aborts
 * (with the `TimeoutError`) when the deadline passes or `options.signal` aborts; the call
 * then rejects at once with `TimeoutError` (or the caller's abort reason).
 *
 * @param ms - Deadline in milliseconds (> 0).
 * @example
 * ```ts
 * const res = await timeout(({ signal }) => fetch(url, { signal }), 2_000);
 * ```
 */
export function timeout<T>(fn: PolicyFn<T>, ms: number, options: TimeoutOptions = {}): Promise<T> {
  checkFunction('fn', fn);
  checkTimeoutMs(ms);
  checkOptions('options', options);
  checkSignal('signal', options.signal);
  checkClock(options.clock);
  return run(fn, ms, options.signal, toScheduler(options.clock), 1);
}

function checkTimeoutMs(ms: unknown): void {
  checkMs('ms', ms, { min: 0 });
  if (ms === undefined || ms === 0) throw new ConfigurationError('ms', 'must be a finite number > 0', { received: ms });
}

class TimeoutPolicyImpl extends Emitter<TimeoutEvents> implements TimeoutPolicy {
  readonly #ms: number;
  readonly #time: Scheduler;
  readonly #onTimeout: () => void;
  constructor(ms: number, options: TimeoutPolicyOptions) {
    super();
    checkTimeoutMs(ms);
    checkOptions('options', options);
    checkName(options.name);
    checkClock(options.clock);
    this.#ms = ms;
    this.#time = toScheduler(options.clock);
    this.#onTimeout = () => this.emit('timeout', { timeoutMs: ms });
  }
  execute<T>(fn: PolicyFn<T>, signal?: AbortSignal): Promise<T> {
    if (typeof fn !== 'function') return Promise.reject(new ConfigurationError('fn', 'must be a function', { received: fn }));
    return run(fn, this.#ms, signal, this.#time, 1, this.#onTimeout);
  }
}

/**
 * A reusable timeout {@link Policy} for {@link wrap}.
 *
 * @param ms - Deadline in milliseconds (> 0).
 * @example
 * ```ts
 * const policy = wrap(retryPolicy({ maxAttempts: 3 }), timeoutPolicy(1_000));
 * ```
 */
export function timeoutPolicy(ms: number, options: TimeoutPolicyOptions = {}): TimeoutPolicy {
  return new TimeoutPolicyImpl(ms, options);
}

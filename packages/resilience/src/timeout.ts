/**
 * Timeouts that abort the work they give up on.
 *
 * @module
 */
import { ConfigurationError, TimeoutError } from '@armor/errors';
import {
  Emitter,
  abortReason,
  checkBoolean,
  checkClock,
  checkFunction,
  checkMs,
  checkOptions,
  checkRequired,
  checkSignal,
  checkString,
  onAbort,
  toScheduler,
  type Clock,
  type Kinded,
  type Observable,
  type Scheduler,
} from '@armor/core';
import { Context, noop, type Policy, type PolicyFn } from './policy.js';

/** Options of {@link timeout}. */
export interface TimeoutOptions {
  /** Cancels the call; it rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Scheduler for the timer. @default system clock (a keep-alive timer) */
  clock?: Clock;
  /**
   * Unref the system-clock timer, so a pending timeout does not keep the process alive.
   * By default it does, like `setTimeout`: `await timeout(...)` at the top level of a script
   * finishes. @default false
   */
  unref?: boolean;
}

/** Options of {@link timeoutPolicy}. */
export interface TimeoutPolicyOptions {
  /** Name used in metrics. @default 'timeout' */
  name?: string;
  /** Scheduler for the timer. @default system clock (a keep-alive timer) */
  clock?: Clock;
  /** Unref the system-clock timer (see {@link TimeoutOptions.unref}). @default false */
  unref?: boolean;
}

/** Events of a {@link TimeoutPolicy}. */
export interface TimeoutEvents {
  /** A call exceeded the limit. */
  timeout: { timeoutMs: number };
}

/** Plain-data statistics of a {@link TimeoutPolicy}, counted since creation. */
export interface TimeoutStats {
  name: string;
  /** The limit in ms. */
  timeoutMs: number;
  /** Calls that exceeded the limit (one per `timeout` event). */
  timeouts: number;
  /** Calls that resolved in time. */
  successes: number;
  /** Calls that rejected (or threw) in time. Caller aborts count nowhere. */
  failures: number;
}

/** A timeout policy (see {@link timeoutPolicy}). */
export interface TimeoutPolicy extends Policy, Kinded<'timeout'>, Observable<TimeoutEvents> {
  /** The policy's name (`options.name`, default `'timeout'`). */
  readonly name: string;
  /** Plain-data statistics. */
  stats(): TimeoutStats;
}

/** @internal What a policy counts; the one-shot {@link timeout} passes none. */
interface TimeoutHooks {
  timedOut(): void;
  succeeded(): void;
  failed(): void;
}

function run<T>(fn: PolicyFn<T>, ms: number, parent: AbortSignal | undefined, time: Scheduler, attempt: number, hooks?: TimeoutHooks): Promise<T> {
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
      hooks?.timedOut();
      reject(error);
    }, ms);
    const off = parent === undefined ? noop : onAbort(parent, onParentAbort);
    let result: T | PromiseLike<T>;
    try {
      result = fn(new Context(attempt, controller.signal));
    } catch (error) {
      finish();
      hooks?.failed();
      reject(error);
      return;
    }
    Promise.resolve(result).then(
      (value) => {
        if (done) return;
        finish();
        hooks?.succeeded();
        resolve(value);
      },
      (error: unknown) => {
        if (done) return;
        finish();
        hooks?.failed();
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
  checkRequired('fn', fn, 'a function');
  checkFunction('fn', fn);
  checkTimeoutMs(ms);
  checkOptions('timeout', options, ['signal', 'clock', 'unref']);
  checkSignal('signal', options.signal);
  checkClock(options.clock);
  checkBoolean('unref', options.unref);
  return run(fn, ms, options.signal, toScheduler(options.clock, { unref: options.unref === true }), 1);
}

function checkTimeoutMs(ms: unknown): void {
  checkRequired('ms', ms, 'a number of milliseconds > 0');
  checkMs('ms', ms, { min: 0 });
  if (ms === 0) throw new ConfigurationError('ms', 'must be a finite number > 0', { received: ms });
}

class TimeoutPolicyImpl extends Emitter<TimeoutEvents> implements TimeoutPolicy {
  readonly kind = 'timeout' as const;
  readonly name: string;
  readonly #ms: number;
  readonly #time: Scheduler;
  readonly #hooks: TimeoutHooks;
  #timeouts = 0;
  #successes = 0;
  #failures = 0;
  constructor(ms: number, options: TimeoutPolicyOptions) {
    checkTimeoutMs(ms);
    checkOptions('timeoutPolicy', options, ['name', 'clock', 'unref']);
    checkString('name', options.name);
    checkClock(options.clock);
    checkBoolean('unref', options.unref);
    super({ component: `timeout ${options.name ?? 'timeout'}` });
    this.name = options.name ?? 'timeout';
    this.#ms = ms;
    this.#time = toScheduler(options.clock, { unref: options.unref === true });
    this.#hooks = {
      timedOut: () => {
        this.#timeouts++;
        this.emit('timeout', { timeoutMs: ms });
      },
      succeeded: () => {
        this.#successes++;
      },
      failed: () => {
        this.#failures++;
      },
    };
  }
  execute<T>(fn: PolicyFn<T>, signal?: AbortSignal): Promise<T> {
    if (typeof fn !== 'function') return Promise.reject(new ConfigurationError('fn', 'must be a function', { received: fn }));
    return run(fn, this.#ms, signal, this.#time, 1, this.#hooks);
  }
  stats(): TimeoutStats {
    return { name: this.name, timeoutMs: this.#ms, timeouts: this.#timeouts, successes: this.#successes, failures: this.#failures };
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

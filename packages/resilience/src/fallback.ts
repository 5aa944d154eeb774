/**
 * Fallback values for failed calls.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import { Emitter, abortReason, checkFunction, checkOptions, checkRequired, checkSignal, checkString, type Kinded, type Observable } from '@armor/core';
import { callFn, type Policy, type PolicyFn } from './policy.js';

/** A fallback value, or a function of the error producing one. */
export type FallbackValue<T> = T | ((error: unknown) => T | PromiseLike<T>);

/** Options of {@link fallback} and {@link fallbackPolicy}. */
export interface FallbackOptions {
  /** Whether to fall back for this error. @default every error except the caller's abort */
  shouldFallback?: (error: unknown) => boolean;
  /** Cancels the call (an abort is never replaced by the fallback). */
  signal?: AbortSignal;
}

/** Options of {@link fallbackPolicy}. */
export interface FallbackPolicyOptions extends Omit<FallbackOptions, 'signal'> {
  /** Name used in metrics. @default 'fallback' */
  name?: string;
}

/** Payload of the `fallback` event. */
export interface FallbackEvent {
  /** The error being replaced by the fallback value. */
  error: unknown;
}

/** Events of a {@link FallbackPolicy}. */
export interface FallbackEvents {
  /** `fn` failed and the fallback is being used (emitted before a fallback function runs). */
  fallback: FallbackEvent;
}

/** Plain-data statistics of a {@link FallbackPolicy}, counted since creation. */
export interface FallbackStats {
  name: string;
  /** Calls where `fn` succeeded. */
  successes: number;
  /** Calls where `fn` failed and the fallback was used (one per `fallback` event). */
  fallbacks: number;
  /**
   * Calls that rejected anyway: `shouldFallback` declined (or threw on) the error, or the
   * fallback function itself failed (then it counts in `fallbacks` too). Caller aborts count
   * nowhere.
   */
  failures: number;
}

/** A fallback policy (see {@link fallbackPolicy}). */
export interface FallbackPolicy extends Policy, Kinded<'fallback'>, Observable<FallbackEvents> {
  /** The policy's name (`options.name`, default `'fallback'`). */
  readonly name: string;
  /** Plain-data statistics. */
  stats(): FallbackStats;
}

function pick<T>(valueOrFn: FallbackValue<T>, error: unknown): T | PromiseLike<T> {
  return typeof valueOrFn === 'function' ? (valueOrFn as (error: unknown) => T | PromiseLike<T>)(error) : valueOrFn;
}

/** @internal What a policy counts; the one-shot {@link fallback} passes none. */
interface FallbackHooks {
  succeeded(): void;
  /** Called before the fallback value is picked (a fallback function runs after it). */
  fellBack(error: unknown): void;
  failed(): void;
}

async function runFallback<T>(
  fn: PolicyFn<T>,
  valueOrFn: FallbackValue<T>,
  signal: AbortSignal | undefined,
  should: ((error: unknown) => boolean) | undefined,
  hooks?: FallbackHooks,
): Promise<T> {
  let value: T;
  try {
    value = await callFn(fn, 1, signal);
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal);
    try {
      if (should !== undefined && should(error) !== true) throw error;
      hooks?.fellBack(error);
      return await pick(valueOrFn, error);
    } catch (thrown) {
      hooks?.failed();
      throw thrown;
    }
  }
  hooks?.succeeded();
  return value;
}

/**
 * Runs `fn`; if it fails, returns `valueOrFn` (or the result of calling it with the error).
 * To fall back to a function value itself, pass `() => thatFunction`.
 *
 * @example
 * ```ts
 * const prices = await fallback(() => fetchPrices(), (error) => cachedPrices());
 * ```
 */
export function fallback<T>(fn: PolicyFn<T>, valueOrFn: FallbackValue<T>, options: FallbackOptions = {}): Promise<T> {
  checkRequired('fn', fn, 'a function');
  checkFunction('fn', fn);
  checkOptions('fallback', options, ['shouldFallback', 'signal']);
  checkFunction('shouldFallback', options.shouldFallback);
  checkSignal('signal', options.signal);
  return runFallback(fn, valueOrFn, options.signal, options.shouldFallback);
}

class FallbackPolicyImpl<V> extends Emitter<FallbackEvents> implements FallbackPolicy {
  readonly kind = 'fallback' as const;
  readonly name: string;
  readonly #valueOrFn: FallbackValue<V>;
  readonly #should: ((error: unknown) => boolean) | undefined;
  #successes = 0;
  #fallbacks = 0;
  #failures = 0;
  constructor(valueOrFn: FallbackValue<V>, options: FallbackPolicyOptions) {
    checkOptions('fallbackPolicy', options, ['name', 'shouldFallback']);
    checkString('name', options.name);
    checkFunction('shouldFallback', options.shouldFallback);
    super({ component: `fallback ${options.name ?? 'fallback'}` });
    this.name = options.name ?? 'fallback';
    this.#valueOrFn = valueOrFn;
    this.#should = options.shouldFallback;
  }

  readonly #hooks: FallbackHooks = {
    succeeded: () => {
      this.#successes++;
    },
    fellBack: (error) => {
      this.#fallbacks++;
      if (this.has('fallback')) this.emit('fallback', { error });
    },
    failed: () => {
      this.#failures++;
    },
  };

  execute<R>(fn: PolicyFn<R>, signal?: AbortSignal): Promise<R> {
    if (typeof fn !== 'function') return Promise.reject(new ConfigurationError('fn', 'must be a function', { received: fn }));
    return runFallback(fn, this.#valueOrFn as FallbackValue<R>, signal, this.#should, this.#hooks);
  }

  stats(): FallbackStats {
    return { name: this.name, successes: this.#successes, fallbacks: this.#fallbacks, failures: this.#failures };
  }
}

/**
 * A reusable fallback {@link Policy}, usually the outermost layer of {@link wrap}. Emits
 * `fallback` `{ error }` each time the fallback is used; `stats()` →
 * `{ name, successes, fallbacks, failures }`.
 *
 * @example
 * ```ts
 * const policy = fallbackPolicy(() => [], { name: 'prices' });
 * policy.on('fallback', ({ error }) => log.warn({ err: error }, 'serving cached prices'));
 * const prices = await wrap(policy, retryPolicy(), timeoutPolicy(500)).execute(fetchPrices);
 * ```
 */
export function fallbackPolicy<T>(valueOrFn: FallbackValue<T>, options: FallbackPolicyOptions = {}): FallbackPolicy {
  return new FallbackPolicyImpl(valueOrFn, options);
}

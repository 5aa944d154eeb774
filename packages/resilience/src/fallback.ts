/**
 * Fallback values for failed calls.
 *
 * @module
 */
import { Context, abortReason, checkFunction, checkOptionalFunction, checkOptions, type Policy, type PolicyFn } from './policy.js';

/** A fallback value, or a function of the error producing one. */
export type FallbackValue<T> = T | ((error: unknown) => T | PromiseLike<T>);

/** Options of {@link fallback} and {@link fallbackPolicy}. */
export interface FallbackOptions {
  /** Whether to fall back for this error. @default every error except the caller's abort */
  shouldFallback?: (error: unknown) => boolean;
  /** Cancels the call (an abort is never replaced by the fallback). */
  signal?: AbortSignal;
}

function pick<T>(valueOrFn: FallbackValue<T>, error: unknown): T | PromiseLike<T> {
  return typeof valueOrFn === 'function' ? (valueOrFn as (error: unknown) => T | PromiseLike<T>)(error) : valueOrFn;
}

async function runFallback<T>(fn: PolicyFn<T>, valueOrFn: FallbackValue<T>, signal: AbortSignal | undefined, should: ((error: unknown) => boolean) | undefined): Promise<T> {
  try {
    return await fn(new Context(1, signal));
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal);
    if (should !== undefined && should(error) !== true) throw error;
    return await pick(valueOrFn, error);
  }
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
  checkFunction('fn', fn);
  checkOptions('options', options);
  checkOptionalFunction('shouldFallback', options.shouldFallback);
  return runFallback(fn, valueOrFn, options.signal, options.shouldFallback);
}

/**
 * A reusable fallback {@link Policy}, usually the outermost layer of {@link wrap}.
 *
 * @example
 * ```ts
 * const policy = wrap(fallbackPolicy(() => []), retryPolicy(), timeoutPolicy(500));
 * ```
 */
export function fallbackPolicy<T>(valueOrFn: FallbackValue<T>, options: Omit<FallbackOptions, 'signal'> = {}): Policy {
  checkOptions('options', options);
  checkOptionalFunction('shouldFallback', options.shouldFallback);
  const should = options.shouldFallback;
  return {
    execute: <R>(fn: PolicyFn<R>, signal?: AbortSignal) => runFallback(fn, valueOrFn as FallbackValue<R>, signal, should),
  };
}

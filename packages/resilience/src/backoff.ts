/**
 * Backoff strategies for {@link retry}: constant and exponential with jitter.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import { checkFunction, checkMs, checkNumber, checkOneOf, checkOptions } from '@armor/core';

/** What a backoff gets to compute the delay before retry number `attempt`. */
export interface BackoffInput {
  /** The attempt that just failed (1 = the first call). */
  attempt: number;
  /** The previous delay in ms (0 before the first retry). Used by decorrelated jitter. */
  previousDelayMs: number;
  /** The error that made the attempt fail. */
  error: unknown;
}

/** Returns the delay in milliseconds before the next attempt. */
export type Backoff = (input: BackoffInput) => number;

/**
 * Waits the same time before every retry.
 *
 * @param ms - Delay in milliseconds. @default 0
 * @example
 * ```ts
 * await retry(fn, { backoff: constantBackoff(250) });
 * ```
 */
export function constantBackoff(ms = 0): Backoff {
  checkMs('backoff', ms);
  return () => ms;
}

/** Jitter modes; see {@link exponentialBackoff}. */
export type Jitter = 'none' | 'full' | 'equal' | 'decorrelated';

/** Options of {@link exponentialBackoff}. */
export interface ExponentialBackoffOptions {
  /** First delay in ms. @default 100 */
  initial?: number;
  /** Upper bound of any delay in ms. @default 30_000 */
  max?: number;
  /** Growth factor per attempt (> 1... or 1 for constant). @default 2 */
  factor?: number;
  /**
   * - `none`: `initial * factor^(attempt-1)`, capped at `max`.
   * - `full`: uniform in `[0, that]` (AWS "full jitter").
   * - `equal`: half of it plus uniform in `[0, half]`.
   * - `decorrelated`: uniform in `[initial, previous * 3]`, capped at `max`.
   * @default 'full'
   */
  jitter?: Jitter;
  /** Random source in `[0, 1)`, for deterministic tests. @default Math.random */
  random?: () => number;
}

const JITTERS: readonly Jitter[] = ['none', 'full', 'equal', 'decorrelated'];

/**
 * Exponential backoff with optional jitter (spreads retries of many clients apart).
 *
 * @example
 * ```ts
 * const backoff = exponentialBackoff({ initial: 100, max: 5_000, jitter: 'decorrelated' });
 * await retry(fn, { maxAttempts: 5, backoff });
 * ```
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): Backoff {
  checkOptions('exponentialBackoff', options, ['initial', 'max', 'factor', 'jitter', 'random']);
  const { initial = 100, max = 30_000, factor = 2, jitter = 'full', random = Math.random } = options;
  checkMs('initial', initial);
  checkMs('max', max, { allowInfinity: true });
  checkNumber('factor', factor, { min: 1 });
  checkOneOf('jitter', jitter, JITTERS);
  checkFunction('random', random);
  if (max < initial) throw new ConfigurationError('max', 'must be >= initial', { received: max });

  return ({ attempt, previousDelayMs }) => {
    if (jitter === 'decorrelated') {
      const upper = Math.max(initial, previousDelayMs * 3);
      return Math.min(max, initial + random() * (upper - initial));
    }
    const base = Math.min(max, initial * factor ** Math.max(0, attempt - 1));
    if (jitter === 'none') return base;
    if (jitter === 'full') return random() * base;
    return base / 2 + random() * (base / 2);
  };
}

/**
 * Composition of policies.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import { raceAbort, type Kinded } from '@armor/core';
import { Context, RETRY_MARK, type Policy, type PolicyContext, type PolicyFn } from './policy.js';

/** What {@link wrap} returns: a policy of kind `'wrap'` that also lists its layers. */
export interface WrappedPolicy extends Policy, Kinded<'wrap'> {
  /** The composed policies, outermost first. */
  readonly policies: readonly Policy[];
}

/**
 * Composes policies, outermost first: `wrap(a, b, c).execute(fn)` runs
 * `a.execute(() => b.execute(() => c.execute(fn)))`. Each layer's signal is passed inward,
 * `fn` sees the attempt number of the nearest retry policy, and an abort of `signal` rejects
 * the call at once with the abort reason, even when a layer or `fn` ignores its signal.
 *
 * @example
 * ```ts
 * const policy = wrap(
 *   fallbackPolicy(null),
 *   retryPolicy({ maxAttempts: 3 }),
 *   breaker,
 *   timeoutPolicy(1_000),
 * );
 * const user = await policy.execute(({ signal }) => fetchUser(id, { signal }));
 * ```
 */
export function wrap(...policies: Policy[]): WrappedPolicy {
  policies.forEach((p, i) => {
    if (typeof p !== 'object' || p === null || typeof (p as Partial<Policy>).execute !== 'function') {
      throw new ConfigurationError(`policies[${i}]`, 'must be a policy (an object with execute())', { received: p });
    }
  });
  const n = policies.length;
  const isRetry = policies.map((p) => (p as { [RETRY_MARK]?: boolean })[RETRY_MARK] === true);
  return {
    kind: 'wrap',
    policies: Object.freeze([...policies]),
    execute<T>(fn: PolicyFn<T>, signal?: AbortSignal): Promise<T> {
      if (typeof fn !== 'function') return Promise.reject(new ConfigurationError('fn', 'must be a function', { received: fn }));
      const layer = (i: number, sig: AbortSignal | undefined, attempt: number): Promise<T> => {
        if (i === n) {
          try {
            return Promise.resolve(fn(new Context(attempt, sig)));
          } catch (error) {
            return Promise.reject(error as Error);
          }
        }
        return policies[i]!.execute((ctx: PolicyContext) => layer(i + 1, ctx.signal, isRetry[i] ? ctx.attempt : attempt), sig);
      };
      // every Armor policy already rejects at once on abort; this covers any other layer
      return signal === undefined ? layer(0, signal, 1) : raceAbort(layer(0, signal, 1), signal);
    },
  };
}

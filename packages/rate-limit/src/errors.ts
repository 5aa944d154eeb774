import { ArmorError, type ArmorErrorOptions } from '@armor/errors';

/**
 * Thrown (or rejected) when a call to a limiter gets bad input: a cost that is negative,
 * NaN or larger than the limit, an empty key, or a key longer than 512 bytes. These are
 * programming or client errors, never a rate limit: a limit is a resolved result.
 *
 * Code `BAD_REQUEST` (HTTP 400).
 */
export class RateLimitInputError extends ArmorError {
  override name = 'RateLimitInputError' as const;
  /** The argument that is wrong: `"key"` or `"cost"`. */
  readonly argument: 'key' | 'cost' | 'limiters';
  constructor(argument: 'key' | 'cost' | 'limiters', message: string, options?: ArmorErrorOptions) {
    super('BAD_REQUEST', message, { ...options, details: { argument, ...options?.details } });
    this.argument = argument;
  }
}

/**
 * Wraps a failure of a rate-limit store (Redis down, a timeout, a broken custom store). The
 * limiter never lets it escape from `consume`: it reports it as a `storeError` event and
 * answers from the insurance store or with the `onStoreError` policy.
 *
 * Code `SERVICE_UNAVAILABLE` (HTTP 503).
 */
export class RateLimitStoreError extends ArmorError {
  override name = 'RateLimitStoreError' as const;
  constructor(message = 'Rate-limit store unavailable', options?: ArmorErrorOptions) {
    super('SERVICE_UNAVAILABLE', message, options);
  }
}

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
 * A rate-limit store is unavailable (Redis down, a timeout, a broken custom store). The
 * limiter never throws it from `consume`: it reports the failure as a `storeError` event and
 * answers from the insurance store or with the `onStoreError` policy. The Express and Fetch
 * adapters answer a request refused by `onStoreError: 'deny'` with this error: 503
 * `application/problem+json`, code `SERVICE_UNAVAILABLE`, never a 429 (an outage is not the
 * client's fault). Not exposed (5xx): clients see the generic 503 detail, not the message.
 *
 * Code `SERVICE_UNAVAILABLE` (HTTP 503), retryable.
 *
 * @example
 * ```ts
 * app.use((err, req, res, next) => {
 *   if (err instanceof RateLimitStoreError) alertOps('rate-limit store down');
 *   next(err);
 * });
 * ```
 */
export class RateLimitStoreError extends ArmorError {
  override name = 'RateLimitStoreError' as const;
  constructor(message = 'Rate-limit store unavailable', options?: ArmorErrorOptions) {
    super('SERVICE_UNAVAILABLE', message, options);
  }
}

/**
 * A rate-limit adapter could not tell who sent the request: no client address (a Fetch
 * `Request` without `X-Forwarded-For` from a trusted proxy, or an unparseable forwarded
 * address), so keying it would put every such client in one bucket. Answered with the
 * adapters' default `unknownClient: 'refuse'`.
 *
 * Code `BAD_REQUEST` (HTTP 400), exposed (the detail is safe to show).
 */
export class UnknownClientError extends ArmorError {
  override name = 'UnknownClientError' as const;
  constructor(message = 'The client address of this request is unknown (no X-Forwarded-For address from a trusted proxy)', options?: ArmorErrorOptions) {
    super('BAD_REQUEST', message, options);
  }
}

/**
 * Errors specific to this package (the rest come from `@armor/errors`).
 *
 * @module
 */
import { ArmorError, type ErrorOptions } from '@armor/errors';

/**
 * 503 — a {@link bulkhead} is full (every slot busy and the queue full), so the call was not
 * attempted. Retryable by default.
 *
 * @example
 * ```ts
 * if (isArmorError(error, 'BULKHEAD_REJECTED')) res.status(503);
 * ```
 */
export class BulkheadRejectedError extends ArmorError {
  override name = 'BulkheadRejectedError' as const;
  constructor(message = 'Bulkhead full', options?: ErrorOptions) {
    super('BULKHEAD_REJECTED', message, options);
  }
}

/** The API key error class. @module */
import { ArmorError, type ArmorErrorOptions } from '@armor/errors';

/** Why an API key was refused. 401 for all but `INSUFFICIENT_SCOPE` (403). */
export type ApiKeyErrorCode = 'UNAUTHENTICATED' | 'API_KEY_INVALID' | 'API_KEY_EXPIRED' | 'API_KEY_REVOKED' | 'INSUFFICIENT_SCOPE';

/**
 * An API key was missing or refused. `details.reason` refines `API_KEY_INVALID`
 * (`format`, `checksum`, `prefix`, `unknown`, `hash`). Never contains the key; `details.keyId`
 * (the public id) is included only once the key is known to exist.
 *
 * @example
 * ```ts
 * if (isArmorError(error, 'API_KEY_EXPIRED')) notifyOwner();
 * ```
 */
export class ApiKeyError extends ArmorError {
  override name = 'ApiKeyError' as const;
  declare readonly code: ApiKeyErrorCode;
  constructor(code: ApiKeyErrorCode, message: string, options?: ArmorErrorOptions) {
    super(code, message, options);
  }
}

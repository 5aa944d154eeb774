/** The API key error class. @module */
import { ArmorError, type ArmorErrorOptions } from '@armor/errors';

/** Why an API key was refused. 401 for all but `INSUFFICIENT_SCOPE` (403). */
export type ApiKeyErrorCode = 'UNAUTHENTICATED' | 'API_KEY_INVALID' | 'API_KEY_EXPIRED' | 'API_KEY_REVOKED' | 'INSUFFICIENT_SCOPE';

/**
 * An API key was missing or refused. `details.reason` refines `API_KEY_INVALID` for mistakes
 * anyone can see without the database (`format`, `checksum`, `prefix`). An unknown key id and a
 * wrong secret give the very same error (`API_KEY_INVALID`, `'Invalid API key'`, no details)
 * after the same work, so a client cannot learn whether a key id exists. Never contains the
 * key; `details.keyId` (the public id) is included only once the key is verified.
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

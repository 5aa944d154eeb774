/** The CSRF error class. @module */
import { ArmorError, type ArmorErrorOptions } from '@armor/errors';

/** Which CSRF check failed; each maps to its own stable error code (all 403). */
export type CsrfErrorCode =
  | 'CSRF_TOKEN_MISSING'
  | 'CSRF_TOKEN_INVALID'
  | 'CSRF_TOKEN_MISMATCH'
  | 'CSRF_TOKEN_EXPIRED'
  | 'CSRF_SESSION_MISMATCH'
  | 'CSRF_ORIGIN_REJECTED';

/**
 * 403 — a state-changing request failed CSRF protection. `code` says which check:
 * `CSRF_ORIGIN_REJECTED` (Sec-Fetch-Site/Origin), `CSRF_TOKEN_MISSING` (no cookie or no
 * submitted token), `CSRF_TOKEN_MISMATCH` (the submitted token is not the cookie's),
 * `CSRF_TOKEN_INVALID` (forged, malformed, unknown secret, or a replayed one-time token;
 * `details.reason` says which), `CSRF_TOKEN_EXPIRED`,
 * `CSRF_SESSION_MISMATCH` (issued for another session). Never contains the token.
 *
 * @example
 * ```ts
 * if (isArmorError(error, 'CSRF_TOKEN_EXPIRED')) reloadForm();
 * ```
 */
export class CsrfError extends ArmorError {
  override name = 'CsrfError' as const;
  declare readonly code: CsrfErrorCode;
  constructor(code: CsrfErrorCode, message: string, options?: ArmorErrorOptions) {
    super(code, message, options);
  }
}

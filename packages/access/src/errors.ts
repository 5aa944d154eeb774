/** The access-denied error. @module */
import { AuthorizationError, type ErrorOptions } from '@armor/errors';
import type { Decision } from './policy.js';

/**
 * 403: the policy denied the request. The client sees only `Forbidden` (no rule, role or
 * field names: those would map the policy for an attacker); the server keeps the full
 * {@link Decision} on `decision` (not serialized into problem details).
 */
export class AccessDeniedError extends AuthorizationError {
  /** Why, for logs and audit (never sent to the client). */
  declare readonly decision: Decision;
  constructor(decision: Decision, options?: ErrorOptions) {
    super('Forbidden', options);
    Object.defineProperty(this, 'decision', { value: decision, enumerable: false });
  }
}

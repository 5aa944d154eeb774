/** The audit error class. @module */
import { ArmorError, type ArmorErrorOptions, type ErrorCode } from '@armor/errors';

/**
 * Why an audit operation was refused:
 * - `not_canonical`: a value cannot be written as RFC 8785 JSON (a function, `NaN`, a cycle, a lone surrogate, ...);
 * - `malformed_bundle`: an exported bundle is not valid JSONL of this format (line number in `details.line`);
 * - `foreign_bundle`: a bundle of another format, version or stream;
 * - `bad_key`: a signing or public key that is not a 32-byte Ed25519 key;
 * - `idempotency_conflict`: an idempotency key reused with a different event;
 * - `retention_boundary`: pruning that would leave the log unverifiable (no signed checkpoint at the cut).
 */
export type AuditErrorReason =
  | 'not_canonical'
  | 'malformed_bundle'
  | 'foreign_bundle'
  | 'bad_key'
  | 'idempotency_conflict'
  | 'retention_boundary';

const CODE: Record<AuditErrorReason, ErrorCode> = {
  not_canonical: 'BAD_REQUEST',
  malformed_bundle: 'UNPROCESSABLE_CONTENT',
  foreign_bundle: 'UNPROCESSABLE_CONTENT',
  bad_key: 'CONFIGURATION_ERROR',
  idempotency_conflict: 'CONFLICT',
  retention_boundary: 'PRECONDITION_FAILED',
};

/**
 * A refused audit operation. `reason` says what was wrong; `details` names the place (a JSON
 * path, a bundle line) and never contains event data.
 *
 * @example
 * ```ts
 * try { parseBundle(text); } catch (e) { if (e instanceof AuditError && e.reason === 'malformed_bundle') ... }
 * ```
 */
export class AuditError extends ArmorError {
  override name = 'AuditError' as const;
  /** Why the operation was refused. */
  readonly reason: AuditErrorReason;
  constructor(reason: AuditErrorReason, message: string, options: ArmorErrorOptions = {}) {
    super(CODE[reason], message, { ...options, details: { reason, ...options.details } });
    this.reason = reason;
  }
}

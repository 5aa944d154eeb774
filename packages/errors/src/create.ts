import { ArmorError, type ArmorErrorOptions } from './armor-error.js';
import {
  AuthenticationError,
  AuthorizationError,
  BadRequestError,
  CircuitOpenError,
  ConflictError,
  DatabaseError,
  ExternalServiceError,
  InternalError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitError,
  ServiceUnavailableError,
  TimeoutError,
  ValidationError,
  type ValidationIssue,
} from './classes.js';
import type { ErrorCode } from './codes.js';

type Ctor = new (message?: string, options?: ArmorErrorOptions) => ArmorError;

const CLASS_BY_CODE: Partial<Record<ErrorCode, Ctor>> = {
  BAD_REQUEST: BadRequestError,
  UNAUTHENTICATED: AuthenticationError,
  FORBIDDEN: AuthorizationError,
  NOT_FOUND: NotFoundError,
  CONFLICT: ConflictError,
  PAYLOAD_TOO_LARGE: PayloadTooLargeError,
  RATE_LIMITED: RateLimitError,
  INTERNAL: InternalError,
  DATABASE_ERROR: DatabaseError,
  EXTERNAL_SERVICE_ERROR: ExternalServiceError,
  SERVICE_UNAVAILABLE: ServiceUnavailableError,
  CIRCUIT_OPEN: CircuitOpenError,
  TIMEOUT: TimeoutError,
};

/**
 * Builds the most specific Armor error class for a code (e.g. `NOT_FOUND` → `NotFoundError`,
 * `VALIDATION_FAILED` → `ValidationError` with `issues`); codes without a dedicated class
 * give a plain `ArmorError` with that code.
 */
export function errorFromCode(
  code: ErrorCode,
  message?: string,
  options: ArmorErrorOptions & { issues?: readonly ValidationIssue[] } = {},
): ArmorError {
  if (code === 'VALIDATION_FAILED') return new ValidationError(message, options);
  const { issues: _ignored, ...rest } = options;
  const Cls = CLASS_BY_CODE[code];
  return Cls ? new Cls(message, rest) : new ArmorError(code, message, rest);
}

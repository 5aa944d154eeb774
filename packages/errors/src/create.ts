import { ArmorError, type ArmorErrorOptions } from './armor-error.js';
import {
  AuthenticationError,
  AuthorizationError,
  BadRequestError,
  CircuitOpenError,
  ConflictError,
  DatabaseError,
  ExternalServiceError,
  GoneError,
  InternalError,
  MethodNotAllowedError,
  NotFoundError,
  NotImplementedError,
  PreconditionFailedError,
  UnprocessableContentError,
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
  METHOD_NOT_ALLOWED: MethodNotAllowedError,
  CONFLICT: ConflictError,
  GONE: GoneError,
  PRECONDITION_FAILED: PreconditionFailedError,
  UNPROCESSABLE_CONTENT: UnprocessableContentError,
  NOT_IMPLEMENTED: NotImplementedError,
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

/** `null`, `array`, `Date`, or the `typeof` name: how an `invalid_type` issue names what it received. */
function receivedType(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : value instanceof Date ? 'Date' : typeof value;
}

/**
 * A `ValidationError` (`VALIDATION_FAILED`, 400) for a function argument of the wrong type: one
 * issue with code `invalid_type` and message `Expected <expected>, received <type>`, where the
 * type is `null`, `array`, `Date` or the `typeof` name. For bad input values (a client can fix
 * them), not bad options (use `ConfigurationError`).
 *
 * @param message - The error message, e.g. `'hashApiKey expects key to be a string'`.
 * @param expected - What was expected, e.g. `'a string'`.
 * @param received - The value actually passed (only its type is reported, never the value).
 * @param path - JSON Pointer of the issue inside the argument. @default ''
 *
 * @example
 * ```ts
 * if (typeof id !== 'string') throw invalidType('pseudonymize expects id to be a string', 'a string', id);
 * // issues: [{ path: '', message: 'Expected a string, received number', code: 'invalid_type' }]
 * ```
 */
export function invalidType(message: string, expected: string, received: unknown, path = ''): ValidationError {
  return new ValidationError(message, { issues: [{ path, message: `Expected ${expected}, received ${receivedType(received)}`, code: 'invalid_type' }] });
}

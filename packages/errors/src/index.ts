/**
 * `@armor/errors`: typed errors with stable codes, RFC 9457 problem details, and the central
 * error handler every Armor adapter uses. Runtime-neutral (Node, Convex, edge).
 *
 * @module
 */
export { ARMOR_ERROR, ArmorError, isArmorError } from './armor-error.js';
export type { ArmorErrorJSON, ArmorErrorOptions } from './armor-error.js';
export { ERROR_STATUS, RETRYABLE_STATUS, STATUS_TITLE, codeForStatus, isErrorCode } from './codes.js';
export type { ErrorCode } from './codes.js';
export {
  AuthenticationError,
  AuthorizationError,
  BadRequestError,
  CircuitOpenError,
  ConfigurationError,
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
} from './classes.js';
export type { ErrorOptions, MethodNotAllowedErrorOptions, ValidationErrorOptions, ValidationIssue } from './classes.js';
export { fromUnknown } from './from-unknown.js';
export { errorFromCode, invalidType } from './create.js';
export { fingerprint, normalizeMessage } from './fingerprint.js';
export { genericDetail, parseRetryAfter, problemHeaders, problemResponse, retryAfterSeconds, toProblemDetails } from './problem.js';
export type { ProblemDetails, ProblemHeaderOptions, ProblemOptions } from './problem.js';
export { createErrorHandler } from './handler.js';
export type { ErrorContext, ErrorHandler, ErrorHandlerOptions, ErrorLogEntry, ErrorLogger, HandledError } from './handler.js';

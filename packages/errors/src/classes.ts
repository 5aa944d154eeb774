import { ArmorError, type ArmorErrorOptions } from './armor-error.js';

/** Options of errors whose code is fixed by their class. */
export type ErrorOptions = ArmorErrorOptions;

/** 400 — the request is malformed (unparseable body, bad header, ...). */
export class BadRequestError extends ArmorError {
  override name = 'BadRequestError' as const;
  constructor(message = 'Bad request', options?: ErrorOptions) {
    super('BAD_REQUEST', message, options);
  }
}

/** One problem found while validating input. */
export interface ValidationIssue {
  /** JSON-pointer-like location of the bad value, e.g. `/items/0/name`; `''` for the root. */
  path: string;
  /** Human-readable, safe to show. */
  message: string;
  /** Machine-readable reason, e.g. `too_small`, `invalid_type`. */
  code: string;
}

/** Options of {@link ValidationError}. */
export interface ValidationErrorOptions extends ErrorOptions {
  /** The individual problems. @default [] */
  issues?: readonly ValidationIssue[];
}

/** 400 — input failed validation; `issues` lists every problem with its path. */
export class ValidationError extends ArmorError {
  override name = 'ValidationError' as const;
  /** Every problem found, in input order. */
  readonly issues: readonly ValidationIssue[];
  constructor(message = 'Validation failed', options: ValidationErrorOptions = {}) {
    const { issues = [], ...rest } = options;
    super('VALIDATION_FAILED', message, rest);
    this.issues = issues;
  }
  override toJSON() {
    return { ...super.toJSON(), issues: [...this.issues] };
  }
}

/**
 * 401 — no or bad credentials. Answers carry `WWW-Authenticate` (RFC 9110 requires it): pass
 * `headers: { 'www-authenticate': 'Basic realm="admin"' }` for another scheme; the handler's
 * `wwwAuthenticate` option (default `Bearer`) fills it in otherwise.
 */
export class AuthenticationError extends ArmorError {
  override name = 'AuthenticationError' as const;
  constructor(message = 'Authentication required', options?: ErrorOptions) {
    super('UNAUTHENTICATED', message, options);
  }
}

/** 403 — authenticated but not allowed. */
export class AuthorizationError extends ArmorError {
  override name = 'AuthorizationError' as const;
  constructor(message = 'Forbidden', options?: ErrorOptions) {
    super('FORBIDDEN', message, options);
  }
}

/** 404 — the resource does not exist (or is hidden from this caller). */
export class NotFoundError extends ArmorError {
  override name = 'NotFoundError' as const;
  constructor(message = 'Not found', options?: ErrorOptions) {
    super('NOT_FOUND', message, options);
  }
}

/** Options of {@link MethodNotAllowedError}. */
export interface MethodNotAllowedErrorOptions extends ErrorOptions {
  /** Methods the resource supports, sent as `Allow` (RFC 9110 requires it on a 405). @default [] */
  allow?: readonly string[];
}

/** 405 — the resource exists but not for this method; answers carry `Allow`. */
export class MethodNotAllowedError extends ArmorError {
  override name = 'MethodNotAllowedError' as const;
  /** Methods the resource supports. */
  readonly allow: readonly string[];
  constructor(message = 'Method not allowed', options: MethodNotAllowedErrorOptions = {}) {
    const { allow = [], ...rest } = options;
    const methods = allow.filter((m) => typeof m === 'string' && /^[A-Za-z]+$/.test(m)).map((m) => m.toUpperCase());
    super('METHOD_NOT_ALLOWED', message, { ...rest, headers: { ...rest.headers, allow: methods.join(', ') } });
    this.allow = methods;
  }
}

/** 410 — the resource existed and is gone for good. */
export class GoneError extends ArmorError {
  override name = 'GoneError' as const;
  constructor(message = 'Gone', options?: ErrorOptions) {
    super('GONE', message, options);
  }
}

/** 412 — a precondition (`If-Match`, `If-Unmodified-Since`) failed. */
export class PreconditionFailedError extends ArmorError {
  override name = 'PreconditionFailedError' as const;
  constructor(message = 'Precondition failed', options?: ErrorOptions) {
    super('PRECONDITION_FAILED', message, options);
  }
}

/** 422 — well-formed, but semantically unprocessable (e.g. a business rule refused it). */
export class UnprocessableContentError extends ArmorError {
  override name = 'UnprocessableContentError' as const;
  constructor(message = 'Unprocessable content', options?: ErrorOptions) {
    super('UNPROCESSABLE_CONTENT', message, options);
  }
}

/** 501 — the server does not support this (yet). */
export class NotImplementedError extends ArmorError {
  override name = 'NotImplementedError' as const;
  constructor(message = 'Not implemented', options?: ErrorOptions) {
    super('NOT_IMPLEMENTED', message, options);
  }
}

/** 409 — the request conflicts with the current state (duplicate, version mismatch). */
export class ConflictError extends ArmorError {
  override name = 'ConflictError' as const;
  constructor(message = 'Conflict', options?: ErrorOptions) {
    super('CONFLICT', message, options);
  }
}

/** 413 — the request body is larger than allowed. */
export class PayloadTooLargeError extends ArmorError {
  override name = 'PayloadTooLargeError' as const;
  constructor(message = 'Payload too large', options?: ErrorOptions) {
    super('PAYLOAD_TOO_LARGE', message, options);
  }
}

/** 429 — too many requests; `retryAfterMs` says when to come back. */
export class RateLimitError extends ArmorError {
  override name = 'RateLimitError' as const;
  constructor(message = 'Too many requests', options?: ErrorOptions) {
    super('RATE_LIMITED', message, options);
  }
}

/** 500 — an unexpected failure. Never exposed by default. */
export class InternalError extends ArmorError {
  override name = 'InternalError' as const;
  constructor(message = 'Internal error', options?: ErrorOptions) {
    super('INTERNAL', message, options);
  }
}

/** 500 — a database operation failed. Never exposed by default. */
export class DatabaseError extends ArmorError {
  override name = 'DatabaseError' as const;
  constructor(message = 'Database error', options?: ErrorOptions) {
    super('DATABASE_ERROR', message, options);
  }
}

/** 502 — a dependency (HTTP API, webhook, ...) failed. Retryable by default. */
export class ExternalServiceError extends ArmorError {
  override name = 'ExternalServiceError' as const;
  constructor(message = 'External service error', options?: ErrorOptions) {
    super('EXTERNAL_SERVICE_ERROR', message, options);
  }
}

/** 503 — temporarily unable to serve (shutting down, overloaded, dependency down). */
export class ServiceUnavailableError extends ArmorError {
  override name = 'ServiceUnavailableError' as const;
  constructor(message = 'Service unavailable', options?: ErrorOptions) {
    super('SERVICE_UNAVAILABLE', message, options);
  }
}

/** 503 — a circuit breaker is open; the call was not attempted. */
export class CircuitOpenError extends ArmorError {
  override name = 'CircuitOpenError' as const;
  constructor(message = 'Circuit open', options?: ErrorOptions) {
    super('CIRCUIT_OPEN', message, options);
  }
}

/** 504 — an operation did not finish in time. */
export class TimeoutError extends ArmorError {
  override name = 'TimeoutError' as const;
  constructor(message = 'Operation timed out', options?: ErrorOptions) {
    super('TIMEOUT', message, options);
  }
}

/**
 * Thrown at construction time when an option is invalid. The message and `details.option`
 * name the option, so the fix is obvious.
 *
 * @example
 * ```ts
 * throw new ConfigurationError('maxAttempts', 'must be an integer >= 1', { received: -1 });
 * // Invalid option "maxAttempts": must be an integer >= 1 (received -1)
 * ```
 */
export class ConfigurationError extends ArmorError {
  override name = 'ConfigurationError' as const;
  /** The option that is wrong, e.g. `"failureRate"` or `"store.client"`. */
  readonly option: string;
  constructor(option: string, problem: string, extra: { received?: unknown } & ErrorOptions = {}) {
    const { received, ...options } = extra;
    const shown = 'received' in extra ? ` (received ${describe(received)})` : '';
    super('CONFIGURATION_ERROR', `Invalid option "${option}": ${problem}${shown}`, {
      ...options,
      details: { option, ...options.details },
    });
    this.option = option;
  }
}

function describe(value: unknown): string {
  try {
    if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    if (typeof value === 'function') return 'a function';
    if (typeof value === 'bigint') return `${value}n`;
    if (Array.isArray(value)) return 'an array';
    if (value !== null && typeof value === 'object') return 'an object';
    return String(value);
  } catch {
    return 'an unprintable value';
  }
}

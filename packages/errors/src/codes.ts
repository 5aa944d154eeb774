/**
 * The one table that maps every Armor error code to its HTTP status.
 *
 * Codes are stable API: clients branch on them, dashboards group by them. Add codes, never
 * rename them.
 *
 * @module
 */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  API_KEY_INVALID: 401,
  API_KEY_EXPIRED: 401,
  API_KEY_REVOKED: 401,
  FORBIDDEN: 403,
  INSUFFICIENT_SCOPE: 403,
  CSRF_TOKEN_MISSING: 403,
  CSRF_TOKEN_INVALID: 403,
  CSRF_TOKEN_MISMATCH: 403,
  CSRF_TOKEN_EXPIRED: 403,
  CSRF_SESSION_MISMATCH: 403,
  CSRF_ORIGIN_REJECTED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  GONE: 410,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE_CONTENT: 422,
  RATE_LIMITED: 429,
  /** The client went away (an aborted request, a DOM `AbortError`): nobody is waiting for an answer. */
  CLIENT_CLOSED_REQUEST: 499,
  INTERNAL: 500,
  DATABASE_ERROR: 500,
  CONFIGURATION_ERROR: 500,
  NOT_IMPLEMENTED: 501,
  EXTERNAL_SERVICE_ERROR: 502,
  SERVICE_UNAVAILABLE: 503,
  CIRCUIT_OPEN: 503,
  BULKHEAD_REJECTED: 503,
  TIMEOUT: 504,
} as const;

/** Every error code Armor uses; a literal union so `switch (error.code)` is exhaustive. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** Status codes that are retryable by default (the request may succeed if repeated). */
export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([408, 429, 502, 503, 504]);

/** Standard reason phrases, used as the problem `title` and for generic details. */
export const STATUS_TITLE: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Returns `true` when `value` is one of Armor's error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_STATUS, value);
}

/**
 * The code Armor uses for a bare HTTP status (e.g. from an `http-errors` object or a
 * problem+json body without a `code`).
 */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400: return 'BAD_REQUEST';
    case 401: return 'UNAUTHENTICATED';
    case 403: return 'FORBIDDEN';
    case 404: return 'NOT_FOUND';
    case 405: return 'METHOD_NOT_ALLOWED';
    case 408: return 'REQUEST_TIMEOUT';
    case 409: return 'CONFLICT';
    case 410: return 'GONE';
    case 412: return 'PRECONDITION_FAILED';
    case 413: return 'PAYLOAD_TOO_LARGE';
    case 415: return 'UNSUPPORTED_MEDIA_TYPE';
    case 422: return 'UNPROCESSABLE_CONTENT';
    case 429: return 'RATE_LIMITED';
    case 499: return 'CLIENT_CLOSED_REQUEST';
    case 501: return 'NOT_IMPLEMENTED';
    case 502: return 'EXTERNAL_SERVICE_ERROR';
    case 503: return 'SERVICE_UNAVAILABLE';
    case 504: return 'TIMEOUT';
    default: return status >= 400 && status < 500 ? 'BAD_REQUEST' : 'INTERNAL';
  }
}

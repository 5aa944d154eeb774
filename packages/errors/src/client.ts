/**
 * `@armor/errors/client`: the browser half of error handling. Turns failed `fetch` responses
 * and Convex client errors into the same Armor error classes the server threw, gives safe
 * human messages per code, maps validation issues to form fields, and says what is worth
 * retrying. No React, no Node APIs: runs in any browser or runtime.
 *
 * @module
 */
import { ArmorError, isArmorError } from './armor-error.js';
import { codeForStatus, isErrorCode, RETRYABLE_STATUS, type ErrorCode } from './codes.js';
import type { ValidationIssue } from './classes.js';
import { errorFromCode } from './create.js';
import { fromUnknown, readIssues, safeGet, safeString } from './from-unknown.js';
import { parseRetryAfter } from './problem.js';

export { fromUnknown, isArmorError, parseRetryAfter };

const MAX_BODY_CHARS = 64 * 1024;

/**
 * What a failed `fetch` Response says, read without building an error (so a caller that only
 * needs the code, detail and `Retry-After` does not carry every error class): the status, the
 * problem+json `code` (else the code for the status), its `detail` (or `message`), `details`,
 * validation `errors`, and the `Retry-After` header in milliseconds. Never throws while
 * parsing; a body that cannot be read or is not JSON reads as none. {@link fromResponse} is this
 * plus the matching error class.
 *
 * @example
 * ```ts
 * const response = await fetch('/monitoring/snapshot');
 * if (!response.ok) {
 *   const problem = await readProblem(response);
 *   console.log(problem.code, problem.detail, problem.retryAfterMs);
 * }
 * ```
 */
export async function readProblem(response: Response): Promise<ProblemReading> {
  const status = Number.isInteger(response.status) && response.status >= 400 && response.status <= 599 ? response.status : 500;
  const retryAfterMs = parseRetryAfter(safeHeader(response, 'retry-after'));
  const contentType = safeHeader(response, 'content-type') ?? '';
  let text = '';
  try {
    text = (await response.text()).slice(0, MAX_BODY_CHARS);
  } catch {
    text = '';
  }
  let body: unknown;
  if (/json/i.test(contentType) || /^\s*[{[]/.test(text)) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  const rawCode = safeGet(body, 'code');
  const details = safeGet(body, 'details');
  return {
    status,
    code: isErrorCode(rawCode) ? rawCode : codeForStatus(status),
    detail: safeString(safeGet(body, 'detail')) ?? safeString(safeGet(body, 'message')),
    retryAfterMs,
    details: details !== null && typeof details === 'object' && !Array.isArray(details) ? (details as Record<string, unknown>) : undefined,
    issues: readIssues(safeGet(body, 'errors')),
    body,
    text,
  };
}

/** What {@link readProblem} read from a failed response. */
export interface ProblemReading {
  /** The response status (400–599; anything else reads as 500). */
  status: number;
  /** The body's `code` when it is an Armor code, else the code for `status`. */
  code: ErrorCode;
  /** The body's `detail` (or `message`), when it has one. */
  detail: string | undefined;
  /** `Retry-After` in milliseconds (seconds or an HTTP date), when present and valid. */
  retryAfterMs: number | undefined;
  /** The body's `details` object, when it has one. */
  details: Record<string, unknown> | undefined;
  /** The body's validation `errors` (empty when none). */
  issues: ValidationIssue[];
  /** The parsed JSON body (`undefined` when the body is not JSON). */
  body: unknown;
  /** The body text (at most 64 KiB). */
  text: string;
}

/**
 * Turns a `fetch` Response that is not ok into the matching Armor error: reads
 * `application/problem+json` (code, status, detail, validation `errors`, `details`) and the
 * `Retry-After` header; falls back to the status for HTML, text or empty bodies. Never throws
 * while parsing (a body that cannot be read gives an error built from the status alone).
 * For an ok response it returns an `INTERNAL` error describing the misuse rather than throwing.
 *
 * @example
 * ```ts
 * const response = await fetch('/api/v1/projects', { method: 'POST', body });
 * if (!response.ok) throw await fromResponse(response);
 * ```
 */
export async function fromResponse(response: Response): Promise<ArmorError> {
  const { status, code, detail, retryAfterMs, details, issues, body, text } = await readProblem(response);
  return errorFromCode(code, detail ?? defaultMessages[code] ?? `Request failed with status ${status}`, {
    status,
    expose: status < 500,
    retryAfterMs,
    details,
    issues,
    cause: body === undefined ? (text ? { status, body: text.slice(0, 500) } : { status }) : body,
  });
}

function safeHeader(response: Response, name: string): string | null {
  try {
    return response.headers.get(name);
  } catch {
    return null;
  }
}

/**
 * The same as {@link fromResponse} for errors thrown by Convex client calls (`useMutation`,
 * `useQuery`, `client.mutation`), whose data was produced by `@armor/errors/convex`. Other
 * errors are normalized with `fromUnknown` (a plain Convex "Server Error" becomes `INTERNAL`).
 */
export function fromConvexError(thrown: unknown): ArmorError {
  const data = safeGet(thrown, 'data');
  if (safeGet(data, 'armor') === true) return fromUnknown(data);
  if (isNetworkError(thrown)) return networkError(thrown);
  return fromUnknown(thrown);
}

/** Whether `thrown` looks like a network failure of `fetch` (offline, DNS, connection refused, CORS). */
export function isNetworkError(thrown: unknown): boolean {
  if (isArmorError(thrown)) return safeGet(safeGet(thrown, 'details'), 'network') === true;
  const name = safeString(safeGet(thrown, 'name'));
  const message = safeString(safeGet(thrown, 'message')) ?? '';
  return name === 'TypeError' && /fetch|network|load failed|connection/i.test(message);
}

function networkError(cause: unknown): ArmorError {
  return new ArmorError('SERVICE_UNAVAILABLE', 'Network error', { cause, details: { network: true }, expose: true, retryable: true, status: 503 });
}

/**
 * Normalizes anything a client call may throw: network failures of `fetch` become a retryable
 * `SERVICE_UNAVAILABLE` error with `details.network = true`, Convex errors go through
 * {@link fromConvexError}, everything else through `fromUnknown`.
 */
export function normalizeClientError(thrown: unknown): ArmorError {
  if (isArmorError(thrown)) return thrown;
  if (isNetworkError(thrown)) return networkError(thrown);
  return fromConvexError(thrown);
}

/**
 * Whether repeating the call may succeed: network failures and 408/429/502/503/504 (or an
 * error marked `retryable`). Validation, auth and other client errors are not retryable.
 */
export function isRetryable(thrown: unknown): boolean {
  const error = normalizeClientError(thrown);
  return error.retryable === true || RETRYABLE_STATUS.has(error.status);
}

/**
 * How long to wait before retrying, in ms: the server's `Retry-After`/`retryAfterMs` when it
 * sent one, otherwise `fallbackMs`. `undefined` when the error is not retryable.
 */
export function retryDelay(thrown: unknown, fallbackMs = 1000): number | undefined {
  if (!isRetryable(thrown)) return undefined;
  return normalizeClientError(thrown).retryAfterMs ?? fallbackMs;
}

/** Safe default messages per code (English). Override with `userMessage(error, { messages })`. */
export const defaultMessages: Partial<Record<ErrorCode, string>> = {
  BAD_REQUEST: 'The request could not be understood.',
  VALIDATION_FAILED: 'Please check the highlighted fields.',
  UNAUTHENTICATED: 'Please sign in to continue.',
  API_KEY_INVALID: 'The API key is not valid.',
  API_KEY_EXPIRED: 'The API key has expired.',
  API_KEY_REVOKED: 'The API key has been revoked.',
  FORBIDDEN: 'You do not have permission to do that.',
  INSUFFICIENT_SCOPE: 'You do not have permission to do that.',
  CSRF_TOKEN_MISSING: 'Your session has expired. Please reload the page.',
  CSRF_TOKEN_INVALID: 'Your session has expired. Please reload the page.',
  CSRF_TOKEN_MISMATCH: 'Your session has expired. Please reload the page.',
  CSRF_TOKEN_EXPIRED: 'Your session has expired. Please reload the page.',
  CSRF_SESSION_MISMATCH: 'Your session has expired. Please reload the page.',
  CSRF_ORIGIN_REJECTED: 'This request was blocked for your security.',
  NOT_FOUND: 'We could not find what you were looking for.',
  METHOD_NOT_ALLOWED: 'That action is not allowed.',
  GONE: 'This is no longer available.',
  PRECONDITION_FAILED: 'This was changed by someone else. Please reload and try again.',
  UNPROCESSABLE_CONTENT: 'That could not be processed. Please check it and try again.',
  CLIENT_CLOSED_REQUEST: 'The request was cancelled.',
  NOT_IMPLEMENTED: 'That is not supported yet.',
  REQUEST_TIMEOUT: 'The request took too long. Please try again.',
  CONFLICT: 'This was changed by someone else. Please reload and try again.',
  PAYLOAD_TOO_LARGE: 'That is too large to upload.',
  UNSUPPORTED_MEDIA_TYPE: 'That file type is not supported.',
  RATE_LIMITED: 'Too many requests. Please wait a moment and try again.',
  INTERNAL: 'Something went wrong on our side. Please try again.',
  DATABASE_ERROR: 'Something went wrong on our side. Please try again.',
  CONFIGURATION_ERROR: 'Something went wrong on our side. Please try again.',
  EXTERNAL_SERVICE_ERROR: 'A service we depend on is not responding. Please try again later.',
  SERVICE_UNAVAILABLE: 'The service is temporarily unavailable. Please try again later.',
  CIRCUIT_OPEN: 'The service is temporarily unavailable. Please try again later.',
  BULKHEAD_REJECTED: 'The service is busy. Please try again in a moment.',
  TIMEOUT: 'The request took too long. Please try again.',
};

/** A message for one code: a string, or a function of the error (for plurals, retry times, locales). */
export type MessageFor = string | ((error: ArmorError) => string);

/** Options of {@link userMessage}. */
export interface UserMessageOptions {
  /** Per-code overrides (per app or per locale); missing codes fall back to the defaults. */
  messages?: Partial<Record<ErrorCode | 'NETWORK', MessageFor>> | undefined;
  /**
   * Use the server's exposed message for 4xx errors when no override exists for the code.
   * @default true
   */
  preferServerMessage?: boolean | undefined;
}

/**
 * A safe, human message for any error: a per-code override, else the server's exposed 4xx
 * message, else a generic message for the code. Never shows internal (5xx) text.
 *
 * @example
 * ```ts
 * userMessage(error, { messages: { RATE_LIMITED: (e) => `Wait ${Math.ceil((e.retryAfterMs ?? 1000) / 1000)} s` } });
 * ```
 */
export function userMessage(thrown: unknown, options: UserMessageOptions = {}): string {
  const error = normalizeClientError(thrown);
  const { messages = {}, preferServerMessage = true } = options;
  const key = isNetworkError(error) ? 'NETWORK' : error.code;
  const override = messages[key] ?? (key === 'NETWORK' ? messages.SERVICE_UNAVAILABLE : undefined);
  if (override !== undefined) {
    try {
      return typeof override === 'function' ? override(error) : override;
    } catch {
      // fall through to the defaults
    }
  }
  if (key === 'NETWORK') return 'You appear to be offline. Please check your connection.';
  if (preferServerMessage && error.expose && error.status < 500 && typeof error.message === 'string' && error.message && error.message !== error.code) {
    return error.message;
  }
  return defaultMessages[error.code] ?? (error.status >= 500 ? defaultMessages.INTERNAL! : defaultMessages.BAD_REQUEST!);
}

/**
 * Converts a JSON-pointer-like issue path (`/items/0/name`) to the dotted form field name
 * most form libraries use (`items.0.name`). The root path `''` maps to `_form`.
 */
export function fieldName(path: string): string {
  if (!path || path === '/') return '_form';
  return path
    .replace(/^\//, '')
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

/**
 * Field errors of a validation error, keyed by form field name (see {@link fieldName}),
 * first message per field. Empty for other errors.
 *
 * @example
 * ```ts
 * fieldErrors(error); // { name: 'Required', 'items.0.qty': 'Must be positive' }
 * ```
 */
export function fieldErrors(thrown: unknown): Record<string, string> {
  const error = normalizeClientError(thrown);
  const issues = readIssues(safeGet(error, 'issues'));
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const name = fieldName(issue.path);
    if (!(name in out)) out[name] = issue.message;
  }
  return out;
}

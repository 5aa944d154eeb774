import { cleanHeaders, type ArmorError } from './armor-error.js';
import { STATUS_TITLE } from './codes.js';
import { ValidationError, type ValidationIssue } from './classes.js';
import { fromUnknown, safeGet } from './from-unknown.js';

/** An RFC 9457 problem details object, with Armor's `code` (and `errors` for validation). */
export interface ProblemDetails {
  /** A URI for the problem type; `about:blank` unless `typeBaseUrl` is set. */
  type: string;
  /** The standard reason phrase of `status`. */
  title: string;
  /** HTTP status. */
  status: number;
  /** Human-readable explanation; generic for errors that are not exposed. */
  detail: string;
  /** URI reference of this occurrence (usually the request path). */
  instance?: string;
  /** Armor's stable error code. */
  code: string;
  /** Validation problems, for `VALIDATION_FAILED`. */
  errors?: ValidationIssue[];
  /** Exposed `details` of the error. */
  details?: Record<string, unknown>;
  /** Only with `includeStack`: the stack (development only). */
  stack?: string;
  [extension: string]: unknown;
}

/** Options of {@link toProblemDetails}. */
export interface ProblemOptions {
  /** The `instance` member, e.g. the request path. Omitted when not given. */
  instance?: string | undefined;
  /**
   * Include the stack and the internal message even for non-exposed errors. Development
   * only: never enable this in production.
   * @default false
   */
  includeStack?: boolean | undefined;
  /**
   * When set, `type` is `${typeBaseUrl}${code in kebab-case}` (e.g.
   * `https://docs.example.com/errors/not-found`); otherwise `about:blank`.
   * @default undefined
   */
  typeBaseUrl?: string | undefined;
}

/** The detail shown for errors that are not safe to expose. */
export function genericDetail(status: number): string {
  if (status === 503) return 'The service is temporarily unavailable. Please try again later.';
  if (status === 502) return 'An upstream service failed. Please try again later.';
  if (status === 504) return 'The operation timed out. Please try again later.';
  if (status >= 500) return 'An internal error occurred.';
  return STATUS_TITLE[status] ?? 'The request could not be processed.';
}

/**
 * Builds the RFC 9457 problem object for an error. Anything may be passed; non-Armor values
 * are normalized with {@link fromUnknown}. For non-exposed errors (5xx by default) `detail`
 * is generic and `details` is omitted, so internal messages never reach clients unless
 * `includeStack` is set.
 *
 * @example
 * ```ts
 * toProblemDetails(new NotFoundError('Project not found'), { instance: '/projects/7' });
 * // { type: 'about:blank', title: 'Not Found', status: 404, detail: 'Project not found', code: 'NOT_FOUND', instance: '/projects/7' }
 * ```
 */
export function toProblemDetails(error: unknown, options: ProblemOptions = {}): ProblemDetails {
  const armor: ArmorError = fromUnknown(error);
  const status = Number.isInteger(armor.status) && armor.status >= 400 && armor.status <= 599 ? armor.status : 500;
  const exposed = armor.expose === true && status < 500;
  const problem: ProblemDetails = {
    type: options.typeBaseUrl ? `${options.typeBaseUrl}${String(armor.code).toLowerCase().replace(/_/g, '-')}` : 'about:blank',
    title: STATUS_TITLE[status] ?? (status >= 500 ? 'Server Error' : 'Client Error'),
    status,
    detail: exposed || options.includeStack ? String(armor.message) : genericDetail(status),
    code: String(armor.code),
  };
  if (options.instance !== undefined) problem.instance = options.instance;
  if (armor instanceof ValidationError || Array.isArray(safeGet(armor, 'issues'))) {
    if (exposed) problem.errors = [...((safeGet(armor, 'issues') as ValidationIssue[]) ?? [])];
  }
  if ((exposed || options.includeStack) && armor.details !== undefined) problem.details = armor.details;
  if (options.includeStack) {
    const stack = safeGet(armor, 'stack');
    if (typeof stack === 'string') problem.stack = stack;
  }
  return problem;
}

/** The `Retry-After` value (whole seconds, rounded up) for an error, when it has one. */
export function retryAfterSeconds(error: ArmorError): number | undefined {
  if (error.retryAfterMs === undefined) return undefined;
  return Math.max(0, Math.ceil(error.retryAfterMs / 1000));
}

/**
 * Parses a `Retry-After` value into milliseconds from `now`: delta-seconds (a string, or a
 * number of seconds) or an HTTP date (past dates give 0). `undefined` when absent or invalid.
 *
 * @param now - current epoch ms, for HTTP dates. @default Date.now()
 * @example
 * ```ts
 * parseRetryAfter('2'); // 2000
 * parseRetryAfter('Wed, 25 Nov 2026 10:00:05 GMT', Date.parse('Wed, 25 Nov 2026 10:00:00 GMT')); // 5000
 * ```
 */
export function parseRetryAfter(value: string | number | null | undefined, now: number = Date.now()): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // An HTTP date always names a day or month; without letters, `Date.parse` would accept
  // junk such as "-1" as a year.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Options of {@link problemHeaders}. */
export interface ProblemHeaderOptions {
  /**
   * The `WWW-Authenticate` challenge of a 401 that does not bring its own (RFC 9110 requires
   * one on every 401).
   * @default 'Bearer'
   */
  wwwAuthenticate?: string | undefined;
}

/**
 * The response headers for a problem: `content-type: application/problem+json`,
 * `cache-control: no-store`, `retry-after` for 429/503 errors that carry `retryAfterMs`, the
 * error's own `headers`, `www-authenticate` on every 401 (the error's, else
 * `options.wwwAuthenticate`, else `Bearer`) and `allow` on every 405 (empty when unknown, as
 * RFC 9110 allows).
 */
export function problemHeaders(error: ArmorError, options: ProblemHeaderOptions = {}): Record<string, string> {
  const headers: Record<string, string> = {};
  const own = cleanHeaders(safeGet(error, 'headers'));
  if (own) Object.assign(headers, own);
  headers['content-type'] = 'application/problem+json; charset=utf-8';
  headers['cache-control'] = 'no-store';
  const seconds = retryAfterSeconds(error);
  if (seconds !== undefined && (error.status === 429 || error.status === 503)) headers['retry-after'] = String(seconds);
  if (error.status === 401 && headers['www-authenticate'] === undefined) headers['www-authenticate'] = options.wwwAuthenticate ?? 'Bearer';
  if (error.status === 405 && headers.allow === undefined) headers.allow = '';
  return headers;
}

/**
 * A Web `Response` carrying the problem+json for an error (runs in any runtime with `Response`).
 *
 * @example
 * ```ts
 * return problemResponse(new RateLimitError('Slow down', { retryAfterMs: 1500 }));
 * // 429, retry-after: 2, content-type: application/problem+json
 * ```
 */
export function problemResponse(error: unknown, options: ProblemOptions = {}): Response {
  const armor = fromUnknown(error);
  const body = toProblemDetails(armor, options);
  return new Response(JSON.stringify(body), { status: body.status, headers: problemHeaders(armor) });
}

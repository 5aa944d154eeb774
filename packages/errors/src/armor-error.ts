import { ERROR_STATUS, RETRYABLE_STATUS, type ErrorCode } from './codes.js';

/**
 * Marker stored on every Armor error. `Symbol.for` is shared across realms (iframes, VM
 * contexts, the edge runtime) and across duplicate installs of this package, so
 * {@link isArmorError} keeps working where `instanceof` does not.
 */
export const ARMOR_ERROR = Symbol.for('armor.error');

/** Options accepted by every Armor error constructor. */
export interface ArmorErrorOptions {
  /** Structured, JSON-safe context (shown to clients only when the error is exposed). */
  details?: Record<string, unknown> | undefined;
  /** The underlying error. Never shown to clients. */
  cause?: unknown;
  /**
   * Whether `message` and `details` are safe to show to clients.
   * @default `true` for 4xx statuses, `false` for 5xx
   */
  expose?: boolean | undefined;
  /**
   * Whether repeating the operation may succeed.
   * @default `true` for 408, 429, 502, 503, 504; otherwise `false`
   */
  retryable?: boolean | undefined;
  /** Override the HTTP status from the code table (rarely needed). */
  status?: number | undefined;
  /** Milliseconds after which a retry may succeed; sent as `Retry-After` (seconds, rounded up). */
  retryAfterMs?: number | undefined;
  /**
   * Response headers this error needs, e.g. `{ 'www-authenticate': 'Bearer realm="api"' }` on a
   * 401 or `{ allow: 'GET, HEAD' }` on a 405. Names are lower-cased; values must be strings
   * without CR/LF (others are dropped). `content-type` and `cache-control` cannot be set here.
   */
  headers?: Record<string, string> | undefined;
}

/** The JSON form of an Armor error (for logs and internal transport, not for clients). */
export interface ArmorErrorJSON {
  name: string;
  code: ErrorCode;
  status: number;
  message: string;
  expose: boolean;
  retryable: boolean;
  details?: Record<string, unknown>;
  retryAfterMs?: number;
}

/**
 * Base class of every error Armor throws.
 *
 * @example
 * ```ts
 * throw new ArmorError('CONFLICT', 'Project name already taken', { details: { name } });
 * ```
 */
export class ArmorError extends Error {
  override name: string = 'ArmorError';
  /** Stable machine-readable code; see {@link ERROR_STATUS}. */
  readonly code: ErrorCode;
  /** HTTP status code. */
  readonly status: number;
  /** Whether `message`/`details` may be shown to clients. */
  readonly expose: boolean;
  /** Whether retrying may succeed. */
  readonly retryable: boolean;
  /** Structured context. */
  readonly details: Record<string, unknown> | undefined;
  /** Milliseconds until a retry may succeed, when known. */
  readonly retryAfterMs: number | undefined;
  /** Response headers this error asks for (lower-cased names); see {@link ArmorErrorOptions.headers}. */
  readonly headers: Readonly<Record<string, string>> | undefined;
  /** Cross-realm marker; see {@link isArmorError}. */
  readonly [ARMOR_ERROR] = true as const;

  constructor(code: ErrorCode, message?: string, options: ArmorErrorOptions = {}) {
    super(message ?? code, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? ERROR_STATUS[code] ?? 500;
    this.expose = options.expose ?? this.status < 500;
    this.retryable = options.retryable ?? RETRYABLE_STATUS.has(this.status);
    this.details = options.details;
    this.retryAfterMs =
      options.retryAfterMs !== undefined && Number.isFinite(options.retryAfterMs) && options.retryAfterMs >= 0
        ? options.retryAfterMs
        : undefined;
    this.headers = cleanHeaders(options.headers);
  }

  /** Plain-object form for structured logs. Includes the message even when not exposed. */
  toJSON(): ArmorErrorJSON {
    const json: ArmorErrorJSON = {
      name: this.name,
      code: this.code,
      status: this.status,
      message: this.message,
      expose: this.expose,
      retryable: this.retryable,
    };
    if (this.details !== undefined) json.details = this.details;
    if (this.retryAfterMs !== undefined) json.retryAfterMs = this.retryAfterMs;
    return json;
  }
}

/** Header names an error may not set (the problem answer owns them). */
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'cache-control', 'transfer-encoding', 'set-cookie']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/**
 * Lower-cases header names and keeps only valid names with string values free of CR/LF/NUL, so a
 * header taken from an error can never split a response or override the problem's own headers.
 * @internal
 */
export function cleanHeaders(raw: unknown): Record<string, string> | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const out: Record<string, string> = {};
  let any = false;
  try {
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
      const name = key.toLowerCase();
      if (!HEADER_NAME.test(name) || RESERVED_HEADERS.has(name) || typeof value !== 'string' || /[\r\n\0]/.test(value) || value.length > 8192) continue;
      out[name] = value;
      any = true;
    }
  } catch {
    return undefined;
  }
  return any ? out : undefined;
}

/**
 * Returns `true` when `value` is an Armor error — from this copy of the package, another
 * copy, or another realm. Pass `code` to also check the code.
 *
 * @example
 * ```ts
 * if (isArmorError(err, 'NOT_FOUND')) return null;
 * ```
 */
export function isArmorError(value: unknown, code?: ErrorCode): value is ArmorError {
  if (typeof value !== 'object' || value === null) return false;
  try {
    if ((value as Record<symbol, unknown>)[ARMOR_ERROR] !== true) return false;
    return code === undefined || (value as ArmorError).code === code;
  } catch {
    return false;
  }
}

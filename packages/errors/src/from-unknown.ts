import { ArmorError, isArmorError } from './armor-error.js';
import { codeForStatus, isErrorCode, STATUS_TITLE, type ErrorCode } from './codes.js';
import type { ValidationIssue } from './classes.js';
import { errorFromCode } from './create.js';

/** Reads a property without ever throwing (getters may throw, proxies may trap). */
export function safeGet(value: unknown, key: PropertyKey): unknown {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  try {
    return (value as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

export function safeString(value: unknown, max = 2000): string | undefined {
  try {
    if (typeof value === 'string') return value.length > max ? `${value.slice(0, max)}…` : value;
    return undefined;
  } catch {
    return undefined;
  }
}

/** Messages for the errors thrown by Express's body parsers (`type` field of http-errors). */
const BODY_PARSER_MESSAGES: Record<string, string> = {
  'entity.parse.failed': 'Malformed request body',
  'entity.too.large': 'Request body is too large',
  'entity.verify.failed': 'Request body verification failed',
  'encoding.unsupported': 'Unsupported content encoding',
  'charset.unsupported': 'Unsupported charset',
  'request.aborted': 'Request aborted',
  'request.size.invalid': 'Request size did not match Content-Length',
  'stream.encoding.set': 'Internal stream error',
  'parameters.too.many': 'Too many parameters',
};

/**
 * Turns anything that was thrown into an {@link ArmorError}. It never throws, whatever it is
 * given: strings, `null`, plain objects, `Error`s with throwing getters or circular causes,
 * Armor errors from another realm or copy of this package (returned as they are),
 * `http-errors` objects (Express body parsers) and DOM `AbortError`/`TimeoutError`s.
 *
 * Unknown failures become a non-exposed `INTERNAL` error whose `cause` is the original, so
 * the original message reaches logs but never clients.
 *
 * @example
 * ```ts
 * try { await work(); } catch (thrown) { const error = fromUnknown(thrown); log(error.code); }
 * ```
 */
export function fromUnknown(thrown: unknown): ArmorError {
  try {
    if (isArmorError(thrown)) return wellFormed(thrown) ? thrown : rebuildMalformed(thrown);
    if (typeof thrown === 'string') return new ArmorError('INTERNAL', safeString(thrown) || 'Unknown error', { expose: false });
    if (thrown === null || thrown === undefined || (typeof thrown !== 'object' && typeof thrown !== 'function')) {
      return new ArmorError('INTERNAL', `Non-error value thrown: ${typeof thrown === 'symbol' ? 'symbol' : String(thrown)}`, {
        expose: false,
      });
    }
    const name = safeString(safeGet(thrown, 'name'));
    const message = safeString(safeGet(thrown, 'message')) ?? '';

    // Armor-shaped data (e.g. a ConvexError's data or a deserialized ArmorErrorJSON).
    const code = safeGet(thrown, 'code');
    if (isErrorCode(code) && safeGet(thrown, 'armor') === true) {
      return rebuild(code, message, thrown);
    }
    // A ConvexError carrying Armor data (from `@armor/errors/convex`), e.g. rethrown by ctx.runQuery.
    const data = safeGet(thrown, 'data');
    const dataCode = safeGet(data, 'code');
    if (isErrorCode(dataCode) && safeGet(data, 'armor') === true) {
      return rebuild(dataCode, safeString(safeGet(data, 'message')) ?? '', data);
    }

    // http-errors objects (body-parser, send, serve-static ...).
    const type = safeString(safeGet(thrown, 'type'));
    const rawStatus = safeGet(thrown, 'status') ?? safeGet(thrown, 'statusCode');
    const status = typeof rawStatus === 'number' && Number.isInteger(rawStatus) ? rawStatus : undefined;
    // http-errors set `expose`; Express's router sets only `status` (e.g. 400 for a malformed
    // percent-encoded path). A bare 4xx status on an Error is the thrower saying "client error":
    // keep the status, but show its message only when `expose` says it is safe.
    const httpShaped = safeGet(thrown, 'expose') !== undefined || (thrown instanceof Error && status !== undefined && status < 500);
    if (status !== undefined && status >= 400 && status < 600 && httpShaped) {
      const exposed = safeGet(thrown, 'expose') === true && status < 500;
      const mapped = codeForStatus(status);
      const text = (type && BODY_PARSER_MESSAGES[type]) ?? (exposed ? message : undefined);
      return new ArmorError(mapped, text ?? STATUS_TITLE[status] ?? 'Request failed', {
        status,
        expose: exposed,
        cause: thrown,
        details: type ? { type } : undefined,
      });
    }

    if (name === 'AbortError') {
      // The caller went away (a closed request, an unmounted component): not a server fault.
      return new ArmorError('CLIENT_CLOSED_REQUEST', message || 'Request aborted', { cause: thrown, expose: false });
    }
    if (name === 'TimeoutError') {
      return new ArmorError('TIMEOUT', message || 'Operation timed out', { cause: thrown });
    }
    return new ArmorError('INTERNAL', message || name || 'Unknown error', { cause: thrown, expose: false });
  } catch {
    return new ArmorError('INTERNAL', 'Unknown error', { expose: false });
  }
}

/**
 * Whether an object carrying the Armor marker (another copy, another realm, or a forgery) can be
 * used as it is: its fields read without throwing and have the right types.
 */
function wellFormed(error: ArmorError): boolean {
  try {
    const { code, status, message, expose, retryable, name, retryAfterMs } = error;
    void error.details;
    void error.stack;
    return (
      typeof code === 'string' &&
      typeof status === 'number' &&
      Number.isInteger(status) &&
      typeof message === 'string' &&
      typeof expose === 'boolean' &&
      typeof retryable === 'boolean' &&
      typeof name === 'string' &&
      (retryAfterMs === undefined || typeof retryAfterMs === 'number') &&
      typeof error.toJSON === 'function'
    );
  } catch {
    return false;
  }
}

/** Longest message kept from a foreign or forged error (characters). */
const MAX_MESSAGE = 10_000;

/**
 * A marked object whose fields throw or have the wrong types: rebuilt from what can be read,
 * with its code only when it is one of ours, never exposed unless it was a readable 4xx.
 */
function rebuildMalformed(thrown: ArmorError): ArmorError {
  const code = safeGet(thrown, 'code');
  const status = safeGet(thrown, 'status');
  const known = isErrorCode(code) ? code : 'INTERNAL';
  const validStatus = typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599 ? status : undefined;
  const message = safeString(safeGet(thrown, 'message'), MAX_MESSAGE) ?? 'Unknown error';
  return new ArmorError(known, message, {
    status: known === 'INTERNAL' ? 500 : validStatus,
    expose: known !== 'INTERNAL' && safeGet(thrown, 'expose') === true && (validStatus ?? 500) < 500,
    cause: thrown,
  });
}

/** Rebuilds an error from Armor-shaped data (`{ armor: true, code, message, details, ... }`). */
function rebuild(code: ErrorCode, message: string, data: unknown): ArmorError {
  const details = safeGet(data, 'details');
  const retryAfterMs = safeGet(data, 'retryAfterMs');
  const options = {
    details: details !== null && typeof details === 'object' ? (details as Record<string, unknown>) : undefined,
    retryAfterMs: typeof retryAfterMs === 'number' ? retryAfterMs : undefined,
    cause: data,
  };
  const status = safeGet(data, 'status');
  return errorFromCode(code, message || undefined, {
    ...options,
    status: typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599 ? status : undefined,
    issues: readIssues(safeGet(data, 'issues') ?? safeGet(data, 'errors')),
  });
}

/** Reads validation issues from untrusted data (a problem body's `errors`, ConvexError data ...). */
export function readIssues(raw: unknown): ValidationIssue[] {
  if (!Array.isArray(raw)) return [];
  return raw.slice(0, 1000).map((i) => ({
    path: safeString(safeGet(i, 'path')) ?? '',
    message: safeString(safeGet(i, 'message')) ?? 'Invalid value',
    code: safeString(safeGet(i, 'code')) ?? 'invalid',
  }));
}

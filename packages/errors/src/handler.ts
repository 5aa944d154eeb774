import type { ArmorError } from './armor-error.js';
import { fromUnknown } from './from-unknown.js';
import { fingerprint } from './fingerprint.js';
import { safeGet, safeString } from './from-unknown.js';
import { cleanHeaders } from './armor-error.js';
import { problemHeaders, toProblemDetails, type ProblemDetails, type ProblemOptions } from './problem.js';

/** What the handler logs: the error's JSON plus context. Passed through `redact` first. */
export interface ErrorLogEntry {
  level: 'error' | 'warn';
  msg: string;
  error: Record<string, unknown>;
  fingerprint: string;
  stack?: string;
  cause?: string;
  instance?: string;
  [key: string]: unknown;
}

/** A logger: anything with `error` (and optionally `warn`) taking one object, e.g. pino or console. */
export interface ErrorLogger {
  error(entry: ErrorLogEntry): void;
  warn?(entry: ErrorLogEntry): void;
}

/** Per-call context for {@link ErrorHandler.handle}. */
export interface ErrorContext {
  /** The problem `instance`, usually the request path (without the query string). */
  instance?: string | undefined;
  /** Extra fields for the log entry (request id, route, user id ...). */
  log?: Record<string, unknown> | undefined;
}

/** Options of {@link createErrorHandler}. */
export interface ErrorHandlerOptions extends Omit<ProblemOptions, 'instance'> {
  /**
   * Where to log. 5xx errors are logged with `error`, 4xx with `warn` (skipped if the logger
   * has no `warn`). Each error object is logged at most once, even if handled twice.
   * @default undefined (no logging)
   */
  logger?: ErrorLogger | undefined;
  /** Called once per handled error, after logging (metrics, audit). Its own failures are swallowed. */
  onError?: ((error: ArmorError, context: ErrorContext) => void) | undefined;
  /**
   * Rewrites the log entry before it is logged, e.g. `@armor/privacy`'s `redact`.
   * @default identity
   */
  redact?: ((entry: ErrorLogEntry) => ErrorLogEntry) | undefined;
  /** Log 4xx errors too. @default true */
  logClientErrors?: boolean | undefined;
  /**
   * The `WWW-Authenticate` challenge sent with a 401 whose error brings none (RFC 9110 requires
   * one), e.g. `'Bearer realm="api"'` or `'ApiKey'`.
   * @default 'Bearer'
   */
  wwwAuthenticate?: string | undefined;
  /**
   * Adds response headers per error (merged over the error's own `headers`; `content-type` and
   * `cache-control` stay the problem's). Names are lower-cased; values with CR/LF are dropped.
   * A hook that throws adds nothing.
   */
  headers?: ((error: ArmorError, context: ErrorContext) => Record<string, string> | undefined) | undefined;
  /**
   * Reshapes the problem body (boom's and tRPC's formatter): receives the RFC 9457 body Armor
   * built (already safe for clients) and returns the body to send. A hook that throws or returns
   * a non-object leaves the default body.
   */
  format?: ((body: ProblemDetails, error: ArmorError, context: ErrorContext) => ProblemDetails) | undefined;
}

/** Longest message in a log entry (characters); longer ones end with `…`. */
const MAX_LOG_MESSAGE = 2_000;
/** Longest stack in a log entry (characters). */
const MAX_LOG_STACK = 8_000;

/**
 * The log entry of an error. Every read is guarded (getters may throw) and every text is cut:
 * a 5 MB message becomes 2,000 characters, a stack 8,000.
 */
function logEntry(error: ArmorError, context: ErrorContext, server: boolean): ErrorLogEntry {
  const message = safeString(safeGet(error, 'message'), MAX_LOG_MESSAGE) ?? '(unreadable message)';
  let json: Record<string, unknown>;
  try {
    json = { ...(error.toJSON() as unknown as Record<string, unknown>), message };
  } catch {
    json = { name: safeString(safeGet(error, 'name'), 200), code: error.code, status: error.status, message };
  }
  let fp = '';
  try {
    fp = fingerprint(error);
  } catch {
    // a fingerprint is a nicety
  }
  const entry: ErrorLogEntry = { level: server ? 'error' : 'warn', msg: `${String(error.code)}: ${message}`, error: json, fingerprint: fp };
  if (context.log) {
    try {
      Object.assign(entry, context.log);
    } catch {
      // hostile context: skip it
    }
  }
  const stack = safeString(safeGet(error, 'stack'), MAX_LOG_STACK);
  if (server && stack !== undefined) entry.stack = stack;
  const cause = safeGet(error, 'cause');
  if (cause instanceof Error) {
    entry.cause = safeString(safeGet(cause, 'stack'), MAX_LOG_STACK) ?? safeString(safeGet(cause, 'message'), MAX_LOG_MESSAGE) ?? safeString(safeGet(cause, 'name'), 200) ?? '(unreadable cause)';
  }
  // The path is the client's: cut like a message, so logging (and `redact`) costs are bounded.
  if (context.instance !== undefined) entry.instance = safeString(context.instance, MAX_LOG_MESSAGE) ?? '(unreadable instance)';
  return entry;
}

/** The outcome of handling an error: everything needed to answer. */
export interface HandledError {
  error: ArmorError;
  status: number;
  headers: Record<string, string>;
  body: ProblemDetails;
}

/** The central error handler; see {@link createErrorHandler}. */
export interface ErrorHandler {
  /** Normalizes, logs once, calls `onError`, and returns status, headers and problem body. */
  handle(thrown: unknown, context?: ErrorContext): HandledError;
  /** Like `handle`, returning a Web `Response`. */
  toResponse(thrown: unknown, context?: ErrorContext): Response;
}

/**
 * Creates the central error handler every adapter uses: one place that normalizes anything
 * thrown, logs it once (after redaction), reports it (`onError`) and builds the
 * problem+json answer.
 *
 * @example
 * ```ts
 * const errors = createErrorHandler({ logger: console, onError: (e) => metrics.recordError(e) });
 * export default { fetch: (req) => handle(req).catch((e) => errors.toResponse(e, { instance: new URL(req.url).pathname })) };
 * ```
 */
export function createErrorHandler(options: ErrorHandlerOptions = {}): ErrorHandler {
  const logged = new WeakSet<object>();
  const { logger, onError, redact, logClientErrors = true, wwwAuthenticate, headers: headersHook, format, ...problemOptions } = options;

  function handle(thrown: unknown, context: ErrorContext = {}): HandledError {
    const error = fromUnknown(thrown);
    if (!logged.has(error)) {
      logged.add(error);
      if (logger) log(logger, error, context);
      if (onError) {
        try {
          onError(error, context);
        } catch {
          // A failing reporter must never turn one error into two.
        }
      }
    }
    let body = toProblemDetails(error, { ...problemOptions, instance: context.instance });
    const status = body.status;
    if (format) {
      try {
        const formatted = format(body, error, context);
        // must serialize: a circular or BigInt body would throw while answering
        if (typeof formatted === 'object' && formatted !== null && typeof JSON.stringify(formatted) === 'string') body = formatted;
      } catch {
        // a broken formatter must not turn one error into two: keep the default body
      }
    }
    const headers = problemHeaders(error, { wwwAuthenticate });
    if (headersHook) {
      try {
        const extra = cleanHeaders(headersHook(error, context));
        if (extra) for (const [name, value] of Object.entries(extra)) if (name !== 'content-type' && name !== 'cache-control') headers[name] = value;
      } catch {
        // a broken hook adds nothing
      }
    }
    return { error, status, headers, body };
  }

  function log(target: ErrorLogger, error: ArmorError, context: ErrorContext): void {
    const server = error.status >= 500;
    if (!server && (!logClientErrors || !target.warn)) return;
    let entry: ErrorLogEntry;
    try {
      entry = logEntry(error, context, server);
    } catch {
      // Even a hostile error gets a line: the code and status are ours (fromUnknown made them).
      entry = { level: server ? 'error' : 'warn', msg: `${String(error.code)}: (unreadable error)`, error: { code: error.code, status: error.status }, fingerprint: '' };
    }
    try {
      if (redact) entry = redact(entry);
      if (server) target.error(entry);
      else target.warn?.(entry);
    } catch {
      // Logging must never throw out of an error handler.
    }
  }

  return {
    handle,
    toResponse(thrown, context) {
      const handled = handle(thrown, context);
      return new Response(JSON.stringify(handled.body), { status: handled.status, headers: handled.headers });
    },
  };
}

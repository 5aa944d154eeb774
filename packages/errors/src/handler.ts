import type { ArmorError } from './armor-error.js';
import { fromUnknown } from './from-unknown.js';
import { fingerprint } from './fingerprint.js';
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
  const { logger, onError, redact, logClientErrors = true, ...problemOptions } = options;

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
    const body = toProblemDetails(error, { ...problemOptions, instance: context.instance });
    return { error, status: body.status, headers: problemHeaders(error), body };
  }

  function log(target: ErrorLogger, error: ArmorError, context: ErrorContext): void {
    const server = error.status >= 500;
    if (!server && (!logClientErrors || !target.warn)) return;
    try {
      const cause = error.cause;
      let entry: ErrorLogEntry = {
        level: server ? 'error' : 'warn',
        msg: `${error.code}: ${error.message}`,
        error: error.toJSON() as unknown as Record<string, unknown>,
        fingerprint: fingerprint(error),
        ...context.log,
      };
      if (server && typeof error.stack === 'string') entry.stack = error.stack;
      if (cause instanceof Error) entry.cause = typeof cause.stack === 'string' ? cause.stack : String(cause.message);
      if (context.instance !== undefined) entry.instance = context.instance;
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

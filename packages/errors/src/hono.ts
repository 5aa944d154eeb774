/**
 * Hono adapter: problem+json for every error (`app.onError`) and for unmatched routes
 * (`app.notFound`), through the central handler. Imports Hono's types only.
 *
 * @module
 */
import type { Context, ErrorHandler as HonoErrorHandler, NotFoundHandler } from 'hono';
import { NotFoundError } from './classes.js';
import { createErrorHandler, type ErrorHandler, type ErrorHandlerOptions } from './handler.js';

/** Options of {@link problemDetails}: the handler's options, or an existing handler. */
export type HonoErrorOptions = ErrorHandlerOptions & {
  /** Reuse a handler created with `createErrorHandler` (its options win). */
  handler?: ErrorHandler | undefined;
};

function pathOf(c: Context): string | undefined {
  try {
    return c.req.path;
  } catch {
    return undefined;
  }
}

/**
 * The `app.onError` handler: answers every error with problem+json.
 *
 * @example
 * ```ts no-run
 * app.onError(problemDetails({ logger: console }));
 * app.notFound(problemNotFound());
 * ```
 */
export function problemDetails(options: HonoErrorOptions = {}): HonoErrorHandler {
  const handler = options.handler ?? createErrorHandler(options);
  return (err, c) => handler.toResponse(err, { instance: pathOf(c), log: { method: c.req.method } });
}

/** The `app.notFound` handler: a 404 problem+json. */
export function problemNotFound(options: HonoErrorOptions = {}): NotFoundHandler {
  const handler = options.handler ?? createErrorHandler(options);
  return (c) => handler.toResponse(new NotFoundError('Route not found'), { instance: pathOf(c) });
}

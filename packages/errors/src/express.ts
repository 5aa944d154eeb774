/**
 * Express adapter: the error-handling middleware that answers every error with
 * problem+json through the central handler.
 *
 * @module
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { NotFoundError } from './classes.js';
import { createErrorHandler, type ErrorHandler, type ErrorHandlerOptions } from './handler.js';

/** Options of {@link errorMiddleware}: the handler's options, or an existing handler. */
export type ErrorMiddlewareOptions = ErrorHandlerOptions & {
  /** Reuse a handler created with `createErrorHandler` (its options win). */
  handler?: ErrorHandler | undefined;
};

/**
 * Express error-handling middleware. Register it last. Handles Armor errors, anything
 * thrown, and the errors of Express's body parsers (malformed JSON → 400, body over the
 * limit → 413, unsupported charset/encoding → 415).
 *
 * @example
 * ```ts
 * app.use(express.json({ limit: '100kb' }));
 * app.use(routes);
 * app.use(notFound());
 * app.use(errorMiddleware({ logger: console }));
 * ```
 */
export function errorMiddleware(options: ErrorMiddlewareOptions = {}): ErrorRequestHandler {
  const handler = options.handler ?? createErrorHandler(options);
  return (err, req, res, next) => {
    if (res.headersSent) {
      // Too late to answer, not too late to know: log and report it, then let Express close the socket.
      handler.handle(err, { instance: typeof req.path === 'string' ? req.path : undefined, log: { method: req.method, headersSent: true } });
      next(err);
      return;
    }
    const instance = typeof req.path === 'string' ? req.path : undefined;
    const handled = handler.handle(err, { instance, log: { method: req.method } });
    res.status(handled.status).set(handled.headers).send(JSON.stringify(handled.body));
  };
}

/** Middleware for unmatched routes: passes a {@link NotFoundError} to the error middleware. */
export function notFound(message = 'Route not found'): RequestHandler {
  return (_req, _res, next) => next(new NotFoundError(message));
}

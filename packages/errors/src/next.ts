/**
 * Next.js (App Router) adapter: wrap a route handler so anything it throws becomes a
 * problem+json `Response`. Web-standard only: works in the Node and the edge runtime; no import
 * of `next`.
 *
 * @module
 */
import { createErrorHandler, type ErrorHandler, type ErrorHandlerOptions } from './handler.js';

/** Options of {@link withProblemDetails}. */
export type NextErrorOptions = ErrorHandlerOptions & {
  /** Reuse a handler created with `createErrorHandler` (its options win). */
  handler?: ErrorHandler | undefined;
};

/**
 * Wraps a route handler (`export const GET = withProblemDetails(async (request) => …)`).
 *
 * @example
 * ```ts no-run
 * export const GET = withProblemDetails(async (request: Request) => Response.json(await load(request)));
 * ```
 */
export function withProblemDetails<A extends unknown[]>(
  route: (request: Request, ...rest: A) => Response | Promise<Response>,
  options: NextErrorOptions = {},
): (request: Request, ...rest: A) => Promise<Response> {
  const handler = options.handler ?? createErrorHandler(options);
  return async (request, ...rest) => {
    try {
      return await route(request, ...rest);
    } catch (error) {
      let instance: string | undefined;
      try {
        instance = new URL(request.url).pathname;
      } catch {
        instance = undefined;
      }
      return handler.toResponse(error, { instance, log: { method: request.method } });
    }
  };
}

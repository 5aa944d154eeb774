/**
 * `@armor/cache/next`: per-request batch loaders for Next.js (App Router) route handlers.
 * Web-standard only (no import of `next`).
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import type { LoaderFactories, LoaderScope, ScopedLoaders } from './loader.js';

/**
 * Wraps a route handler: it gets a fresh set of loaders for this request (batching and
 * memoizing within the request only).
 *
 * @example
 * ```ts no-run
 * export const GET = withLoaders(scope, async (loaders, request) => Response.json(await loaders.user.load(idOf(request))));
 * ```
 */
export function withLoaders<F extends LoaderFactories, A extends unknown[]>(
  scope: LoaderScope<F>,
  route: (loaders: ScopedLoaders<F>, request: Request, ...rest: A) => Response | Promise<Response>,
): (request: Request, ...rest: A) => Promise<Response> {
  if (typeof scope !== 'function') throw new ConfigurationError('scope', 'must be a loaderScope()', { received: scope });
  return async (request, ...rest) => route(scope(), request, ...rest);
}

/**
 * `@armor/cache/hono`: per-request batch loaders (one fresh set per request, made on first use)
 * as a typed context variable (`c.var.loaders`, through {@link LoaderVariables}). Imports Hono's
 * types only.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import type { MiddlewareHandler } from 'hono';
import type { LoaderFactories, LoaderScope, ScopedLoaders } from './loader.js';

/** The context variables {@link loaders} sets: `c.var.loaders`. */
export interface LoaderVariables<F extends LoaderFactories> {
  loaders: ScopedLoaders<F>;
}

/**
 * Gives every request its own loaders from `scope` (batching and memoizing within the request
 * only), created on first access.
 *
 * @example
 * ```ts no-run
 * const app = new Hono<{ Variables: LoaderVariables<typeof scope.factories> }>();
 * app.use(loaders(scope));
 * app.get('/team', async (c) => c.json(await Promise.all(ids.map((id) => c.var.loaders.user.load(id)))));
 * ```
 */
export function loaders<F extends LoaderFactories>(scope: LoaderScope<F>): MiddlewareHandler<{ Variables: LoaderVariables<F> }> {
  if (typeof scope !== 'function') throw new ConfigurationError('scope', 'must be a loaderScope()', { received: scope });
  return async (c, next) => {
    let made: ScopedLoaders<F> | undefined;
    // Lazy: a request that loads nothing never builds its loaders.
    const lazy = new Proxy({} as ScopedLoaders<F>, {
      get: (_target, name) => ((made ??= scope()) as Record<string | symbol, unknown>)[name],
      has: (_target, name) => name in (made ??= scope()),
      ownKeys: () => Reflect.ownKeys((made ??= scope())),
      getOwnPropertyDescriptor: (_target, name) => Reflect.getOwnPropertyDescriptor((made ??= scope()), name),
    });
    c.set('loaders', lazy);
    await next();
  };
}

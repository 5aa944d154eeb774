/**
 * Express adapter of `@armor/cache`: a middleware that gives every request its own fresh
 * batch loaders, so N lookups made while handling one request become one batch call and
 * memoized values never leak between requests.
 *
 * @module
 */
import type { NextFunction, Request, Response } from 'express';
import { checkOptions } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import type { LoaderFactories, LoaderScope, ScopedLoaders } from './loader.js';

/** Options of {@link loaderMiddleware}. */
export interface LoaderMiddlewareOptions {
  /** Property of `res.locals` that holds the loaders. @default 'loaders' */
  property?: string | undefined;
}

/**
 * Express middleware: sets `res.locals.loaders` (or `property`) to a fresh set of loaders
 * from `scope` for every request (made on first read, so requests that load nothing do not
 * pay for them).
 *
 * @example
 * ```ts
 * import { createLoader, loaderScope } from '@armor/cache';
 * import { loaderMiddleware, getLoaders } from '@armor/cache/express';
 * const scope = loaderScope({ user: () => createLoader(batchUsers) });
 * app.use(loaderMiddleware(scope));
 * app.get('/team', async (req, res) => {
 *   const { user } = getLoaders(res, scope);
 *   res.json(await Promise.all(ids.map((id) => user.load(id)))); // one batchUsers call
 * });
 * ```
 */
export function loaderMiddleware<F extends LoaderFactories>(scope: LoaderScope<F>, options: LoaderMiddlewareOptions = {}) {
  if (typeof scope !== 'function') throw new ConfigurationError('scope', 'must be a loaderScope()', { received: scope });
  checkOptions('loaderMiddleware', options, ['property']);
  const { property = 'loaders' } = options;
  if (typeof property !== 'string' || property === '') throw new ConfigurationError('property', 'must be a non-empty string', { received: property });
  // The loaders are made on first read: a request that never loads anything (a cache hit, a
  // 304, an error) does not pay for them. The accessor turns into a plain data property on
  // first read or write, so the request sees one fresh set, the same one on every read.
  const settle = (locals: object, value: unknown) => {
    Object.defineProperty(locals, property, { value, writable: true, enumerable: true, configurable: true });
    return value;
  };
  const lazy: PropertyDescriptor = {
    enumerable: true,
    configurable: true,
    get(this: object) {
      return settle(this, scope());
    },
    set(this: object, value: unknown) {
      settle(this, value);
    },
  };
  return function armorLoaders(_req: Request, res: Response, next: NextFunction): void {
    Object.defineProperty(res.locals, property, lazy);
    next();
  };
}

/**
 * The typed loaders {@link loaderMiddleware} attached to this response.
 * Throws a `ConfigurationError` when the middleware did not run for this request.
 */
export function getLoaders<F extends LoaderFactories>(res: Response, _scope: LoaderScope<F>, property = 'loaders'): ScopedLoaders<F> {
  const loaders = (res.locals as Record<string, unknown>)[property];
  if (loaders === undefined) {
    throw new ConfigurationError('loaderMiddleware', `did not run for this request (res.locals.${property} is missing); app.use(loaderMiddleware(scope)) first`);
  }
  return loaders as ScopedLoaders<F>;
}

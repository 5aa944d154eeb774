/**
 * `@armor/cache/fastify`: a plugin (`fastify-plugin`, name `@armor/cache`) giving every request
 * its own batch loaders (`request.loaders`, made on first read). Imports Fastify's types only.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { LoaderFactories, LoaderScope, ScopedLoaders } from './loader.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** This request's batch loaders (see `@armor/cache/fastify`); type them with {@link loadersOf}. */
    loaders: unknown;
  }
}

/** Options of {@link armorLoaders}. */
export interface FastifyLoaderOptions<F extends LoaderFactories = LoaderFactories> {
  /** The loader scope (`loaderScope({...})`) each request gets a fresh set from. */
  scope: LoaderScope<F>;
}

const kLoaders = Symbol.for('@armor/cache.loaders');
type Marked = FastifyRequest & { [kLoaders]?: unknown };

// Async, so a bad option rejects `register`/`ready()` instead of throwing out of the boot loop.
const plugin: FastifyPluginAsync<FastifyLoaderOptions> = async (fastify, options) => {
  const scope = options?.scope;
  if (typeof scope !== 'function') throw new ConfigurationError('scope', 'must be a loaderScope()', { received: scope });
  if (!fastify.hasRequestDecorator('loaders')) {
    fastify.decorateRequest('loaders', {
      getter(this: FastifyRequest) {
        const marked = this as Marked;
        return (marked[kLoaders] ??= scope());
      },
    });
  }
};

/** The loaders of a request, typed by their scope. */
export function loadersOf<F extends LoaderFactories>(request: FastifyRequest, _scope: LoaderScope<F>): ScopedLoaders<F> {
  return request.loaders as ScopedLoaders<F>;
}

/**
 * The Fastify plugin.
 *
 * @example
 * ```ts no-run
 * await app.register(armorLoaders, { scope });
 * app.get('/team', async (request) => Promise.all(ids.map((id) => loadersOf(request, scope).user.load(id))));
 * ```
 */
export const armorLoaders = fp(plugin, { fastify: '5.x', name: '@armor/cache' });

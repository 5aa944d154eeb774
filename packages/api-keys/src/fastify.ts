/**
 * `@armor/api-keys/fastify`: a plugin (`fastify-plugin`, name `@armor/api-keys`) authenticating
 * every route by API key in an `onRequest` hook (the `hook` option picks another), with
 * per-route `config.armor.apiKeys` (`false` opts out, e.g. public routes; `{ scopes }` requires
 * scopes) and the verified key as a typed request decorator (`request.apiKey`). Imports
 * Fastify's types only.
 *
 * @module
 */
import { checkOneOf } from '@armor/core';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { authFrom, authProblem, checkScopeList, scopeError, type SharedAuthOptions } from './http-auth.js';
import type { ApiKeyRecord, VerifiedApiKey, VerifyApiKeyOptions } from './keys.js';

/** The route hook the check runs in. */
export type ApiKeyHook = 'onRequest' | 'preValidation' | 'preHandler';

/** Per-route settings (`config.armor.apiKeys`). */
export type RouteApiKeys = false | { readonly scopes: readonly string[] };

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Armor's per-route settings: `false` turns every Armor request plugin off for the route;
     * an object configures each plugin under its key (e.g. `{ rateLimit: false }`).
     */
    armor?: false | ArmorRouteConfig;
  }
  /** Per-route settings of the Armor plugins, one key per plugin (each package adds its own). */
  interface ArmorRouteConfig {
    /** `@armor/api-keys/fastify`: `false` opts the route out; `{ scopes }` requires those scopes. */
    apiKeys?: RouteApiKeys;
  }
  interface FastifyRequest {
    /** The verified API key of this request (`null` before authentication or on opted-out routes). */
    apiKey: VerifiedApiKey | null;
  }
}

/** Options of {@link armorApiKeys}: the verifier's options plus `header`, `realm`, `onError` and: */
export type FastifyApiKeyOptions<R extends ApiKeyRecord = ApiKeyRecord> = VerifyApiKeyOptions<R> &
  SharedAuthOptions & {
    /** The hook the check runs in. @default 'onRequest' */
    hook?: ApiKeyHook | undefined;
  };

// Async, so a bad option rejects `register`/`ready()` instead of throwing out of the boot loop.
const plugin: FastifyPluginAsync<FastifyApiKeyOptions> = async (fastify, options) => {
  const { verify, presented, realm, toNext } = authFrom('armorApiKeys', options, ['hook']);
  const { hook = 'onRequest' } = options;
  checkOneOf('hook', hook, ['onRequest', 'preValidation', 'preHandler'] as const);
  const answer = (request: FastifyRequest, reply: FastifyReply, error: unknown) => {
    if (toNext) throw error;
    const { status, headers, body } = authProblem(error, request.url.split('?')[0], realm);
    return reply.code(status).headers(headers).send(body);
  };
  const hookFor = (scopes: readonly string[]) => async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.apiKey === null) {
      try {
        const value = (name: string) => {
          const v = request.headers[name];
          return Array.isArray(v) ? v[0] : v;
        };
        request.apiKey = await verify(presented(value));
      } catch (error) {
        return answer(request, reply, error);
      }
    }
    if (scopes.length > 0) {
      const error = scopeError(request.apiKey, scopes);
      if (error) return answer(request, reply, error);
    }
  };
  const base = hookFor([]);
  if (!fastify.hasRequestDecorator('apiKey')) fastify.decorateRequest('apiKey', null);
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const armor = route.config?.armor;
    const own = armor === false ? false : armor?.apiKeys;
    if (own === false) return;
    let run = base;
    if (own !== undefined) {
      checkScopeList(own.scopes);
      run = hookFor(own.scopes);
    }
    const existing = route[hook];
    route[hook] = (existing === undefined ? [run] : Array.isArray(existing) ? [...existing, run] : [existing, run]) as never;
  });
};

/**
 * The Fastify plugin. Register it before the routes it protects.
 *
 * @example
 * ```ts no-run
 * await app.register(armorApiKeys, { lookup: (id) => db.apiKeys.get(id), pepper: process.env.API_KEY_PEPPER });
 * app.post('/projects', { config: { armor: { apiKeys: { scopes: ['projects:write'] } } } }, create);
 * app.get('/status', { config: { armor: { apiKeys: false } } }, status);
 * ```
 */
export const armorApiKeys = fp(plugin, { fastify: '5.x', name: '@armor/api-keys' });

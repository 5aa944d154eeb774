/**
 * `@armor/csrf/fastify`: a plugin (`fastify-plugin`, name `@armor/csrf`) that checks every unsafe
 * request in an `onRequest` hook (the `hook` option picks another; from `preValidation` on, the
 * `_csrf` field of a parsed body counts too), with per-route `config.armor.csrf` (`false` opts
 * out) and a typed `reply.issueCsrfToken()` decorator. Imports Fastify's types only.
 *
 * @module
 */
import { checkOneOf } from '@armor/core';
import { fromUnknown, problemHeaders, toProblemDetails } from '@armor/errors';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { Csrf, CsrfOptions } from './csrf.js';
import { csrfFrom } from './hono.js';

/** The route hook the check runs in. */
export type CsrfHook = 'onRequest' | 'preValidation' | 'preHandler';

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
    /** `@armor/csrf/fastify`: `false` opts the route out (e.g. a webhook with its own signature). */
    csrf?: false;
  }
  interface FastifyReply {
    /** Issues a CSRF token for this request's session, sets its cookie on the reply, and returns the token to render. */
    issueCsrfToken(): Promise<string>;
  }
}

/** Options of {@link armorCsrf}. */
export type FastifyCsrfOptions = CsrfOptions & {
  /** The session the token is bound to; `undefined` means "no session" (unsafe requests fail). */
  getSessionId: (request: FastifyRequest) => string | undefined | Promise<string | undefined>;
  /** Reuse an existing protector instead of creating one from these options. */
  csrf?: Csrf | undefined;
  /** `'respond'` answers failures with 403 problem+json; `'next'` throws the `CsrfError` to `setErrorHandler`. @default 'respond' */
  onError?: 'respond' | 'next' | undefined;
  /** The hook the check runs in. @default 'onRequest' */
  hook?: CsrfHook | undefined;
};

// Async, so a bad option rejects `register`/`ready()` instead of throwing out of the boot loop.
const plugin: FastifyPluginAsync<FastifyCsrfOptions> = async (fastify, options) => {
  const csrf = csrfFrom('armorCsrf', options, ['hook']);
  const { getSessionId, onError = 'respond', hook = 'onRequest' } = options;
  checkOneOf('hook', hook, ['onRequest', 'preValidation', 'preHandler'] as const);
  const check = async (request: FastifyRequest, reply: FastifyReply) => {
    if (csrf.isSafeMethod(request.method)) return;
    try {
      const body = request.body as Record<string, unknown> | undefined;
      const field = body !== null && typeof body === 'object' ? body[csrf.fieldName] : undefined;
      await csrf.verify(
        { method: request.method, url: `${request.protocol}://${request.host}${request.url}`, headers: request.headers, token: typeof field === 'string' ? field : undefined },
        (await getSessionId(request)) ?? '',
      );
    } catch (error) {
      if (onError === 'next') throw error;
      const armor = fromUnknown(error);
      const problem = toProblemDetails(armor, { instance: request.url.split('?')[0] });
      return reply.code(problem.status).headers(problemHeaders(armor)).send(JSON.stringify(problem));
    }
  };
  if (!fastify.hasReplyDecorator('issueCsrfToken')) {
    fastify.decorateReply('issueCsrfToken', async function issueCsrfToken(this: FastifyReply) {
      const issued = await csrf.issueToken((await getSessionId(this.request)) ?? '');
      const prior = this.getHeader('set-cookie');
      this.header('set-cookie', prior === undefined ? issued.setCookie : [...(Array.isArray(prior) ? prior : [String(prior)]), issued.setCookie]);
      return issued.token;
    });
  }
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const armor = route.config?.armor;
    if (armor === false || armor?.csrf === false) return;
    const existing = route[hook];
    route[hook] = (existing === undefined ? [check] : Array.isArray(existing) ? [...existing, check] : [existing, check]) as never;
  });
};

/**
 * The Fastify plugin. Register it before the routes it protects.
 *
 * @example
 * ```ts no-run
 * await app.register(armorCsrf, { secret: process.env.CSRF_SECRET!, getSessionId: (request) => request.cookies.sid });
 * app.get('/form', async (request, reply) => ({ token: await reply.issueCsrfToken() }));
 * app.post('/webhook', { config: { armor: { csrf: false } } }, webhook);
 * ```
 */
export const armorCsrf = fp(plugin, { fastify: '5.x', name: '@armor/csrf' });

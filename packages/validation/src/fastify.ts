/**
 * `@armor/validation/fastify`: a plugin (`fastify-plugin`, name `@armor/validation`) that
 * validates each route that declares `config.armor.validation` (`{ body, query, params }` zod
 * schemas) in a `preValidation` hook (the `hook` option picks `preHandler`): structure limits,
 * then the schema; on success `request.body`, `request.query` and `request.params` are the parsed
 * values. Failures are 400 problem+json with field paths. Fastify's own `bodyLimit` answers
 * oversized bodies (413). Imports Fastify's types only.
 *
 * @module
 */
import { checkOneOf, checkOptions } from '@armor/core';
import { problemHeaders, toProblemDetails, type ArmorError } from '@armor/errors';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { z } from 'zod';
import type { LimitsOptions, StructureGuard } from './limits.js';
import { createValidator } from './web-validate.js';

/** The hook validation runs in (after Fastify parsed the body). */
export type ValidationHook = 'preValidation' | 'preHandler';

/** Per-route schemas (`config.armor.validation`). */
export interface RouteValidation {
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  /** Structure limits for this route (replaces the plugin's). */
  limits?: LimitsOptions | StructureGuard | false;
}

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
    /** `@armor/validation/fastify`: the zod schemas of this route. */
    validation?: RouteValidation;
  }
}

/** Options of {@link armorValidation}. */
export interface FastifyValidationOptions {
  /** Default structure limits of every validated route. @default limits() */
  limits?: LimitsOptions | StructureGuard | false | undefined;
  /** `'respond'` answers 400 problem+json; `'next'` throws the `ValidationError` to `setErrorHandler`. @default 'respond' */
  onError?: 'respond' | 'next' | undefined;
  /** The hook validation runs in. @default 'preValidation' */
  hook?: ValidationHook | undefined;
}

// Async, so a bad option rejects `register`/`ready()` instead of throwing out of the boot loop.
const plugin: FastifyPluginAsync<FastifyValidationOptions> = async (fastify, options) => {
  checkOptions('armorValidation', options, ['limits', 'onError', 'hook']);
  const { hook = 'preValidation', onError = 'respond' } = options;
  checkOneOf('hook', hook, ['preValidation', 'preHandler'] as const);
  checkOneOf('onError', onError, ['respond', 'next'] as const);
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const armor = route.config?.armor;
    const own = armor === false ? undefined : armor?.validation;
    if (own === undefined) return;
    const validator = createValidator('config.armor.validation', { limits: options.limits, ...own, onError });
    const answer = (request: FastifyRequest, reply: FastifyReply, error: ArmorError) => {
      if (validator.toNext) throw error;
      const problem = toProblemDetails(error, { instance: request.url.split('?')[0] });
      return reply.code(problem.status).headers(problemHeaders(error)).send(JSON.stringify(problem));
    };
    const run = async (request: FastifyRequest, reply: FastifyReply) => {
      const parsed = validator.parse({ body: request.body, query: request.query, params: request.params });
      if ('error' in parsed) return answer(request, reply, parsed.error);
      if (own.body !== undefined) request.body = parsed.values.body;
      if (own.query !== undefined) request.query = parsed.values.query;
      if (own.params !== undefined) request.params = parsed.values.params;
    };
    const existing = route[hook];
    route[hook] = (existing === undefined ? [run] : Array.isArray(existing) ? [...existing, run] : [existing, run]) as never;
  });
};

/**
 * The Fastify plugin. Register it before the routes it validates.
 *
 * @example
 * ```ts no-run
 * await app.register(armorValidation);
 * app.post('/items', { config: { armor: { validation: { body: z.object({ name: z.string() }) } } } }, async (request) => request.body);
 * ```
 */
export const armorValidation = fp(plugin, { fastify: '5.x', name: '@armor/validation' });

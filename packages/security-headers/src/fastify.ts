/**
 * `@armor/security-headers/fastify`: a plugin (`fastify-plugin`, name `@armor/security-headers`)
 * that sends the header set in an `onRequest` hook (the `hook` option picks another), with a
 * fresh CSP nonce per request as a typed request decorator (`request.cspNonce`) and per-route
 * settings in `config.armor.securityHeaders` (`false` opts out; an object overrides the
 * options for that route, computed once). Imports Fastify's types only.
 *
 * @module
 */
import { checkOneOf } from '@armor/core';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { cspNonce } from './csp.js';
import { compileSecurityHeaders, mergeSecurityHeaderOptions, type CompiledSecurityHeaders, type SecurityHeadersOptions } from './headers.js';

/** The route hook the headers are set in. */
export type SecurityHeadersHook = 'onRequest' | 'preHandler' | 'onSend';

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
    /** `@armor/security-headers/fastify`: `false` opts the route out; an object overrides the options. */
    securityHeaders?: false | SecurityHeadersOptions;
  }
  interface FastifyRequest {
    /**
     * This request's CSP nonce (`null` when the policy uses none or the route opted out). On the
     * request, not the reply: `@fastify/helmet` declares `reply.cspNonce` with another type, and
     * both may be installed during a migration.
     */
    cspNonce: string | null;
  }
}

/** Options of {@link armorSecurityHeaders}: the header options plus: */
export interface FastifySecurityHeadersOptions extends SecurityHeadersOptions {
  /** The hook the headers are set in. @default 'onRequest' */
  hook?: SecurityHeadersHook | undefined;
}

const kApplied = Symbol.for('@armor/security-headers.applied');

function hookFor(compiled: CompiledSecurityHeaders) {
  const list = compiled.static;
  const cspName = compiled.cspHeaderName;
  return (request: FastifyRequest, reply: FastifyReply, ...rest: unknown[]) => {
    const done = rest[rest.length - 1] as (error?: unknown, payload?: unknown) => void;
    const payload = rest.length > 1 ? rest[0] : undefined;
    const marked = reply as FastifyReply & { [kApplied]?: true };
    if (!marked[kApplied]) {
      marked[kApplied] = true;
      for (let i = 0; i < list.length; i++) reply.header(list[i]![0], list[i]![1]);
      if (cspName !== undefined) {
        const nonce = cspNonce();
        request.cspNonce = nonce;
        reply.header(cspName, compiled.csp(nonce));
      }
    }
    if (rest.length > 1) done(null, payload);
    else done();
  };
}

// Async, so a bad option rejects `register`/`ready()` instead of throwing out of the boot loop.
const plugin: FastifyPluginAsync<FastifySecurityHeadersOptions> = async (fastify, options) => {
  const { hook = 'onRequest', ...headerOptions } = options;
  checkOneOf('hook', hook, ['onRequest', 'preHandler', 'onSend'] as const);
  const compiled = compileSecurityHeaders(headerOptions);
  const base = hookFor(compiled);
  if (!fastify.hasRequestDecorator('cspNonce')) fastify.decorateRequest('cspNonce', null);
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const armor = route.config?.armor;
    const own = armor === false ? false : armor?.securityHeaders;
    if (own === false) return;
    let run = base;
    if (own !== undefined) {
      run = hookFor(compileSecurityHeaders(mergeSecurityHeaderOptions(headerOptions, own)));
    }
    const existing = route[hook];
    route[hook] = (existing === undefined ? [run] : Array.isArray(existing) ? [...existing, run] : [existing, run]) as never;
  });
};

/**
 * The Fastify plugin. Register it before the routes it covers.
 *
 * @example
 * ```ts no-run
 * await app.register(armorSecurityHeaders, { preset: 'html' });
 * app.get('/', (request, reply) => reply.type('text/html').send(`<script nonce="${request.cspNonce}">…</script>`));
 * app.get('/embed', { config: { armor: { securityHeaders: { xFrameOptions: false } } } }, embed);
 * ```
 */
export const armorSecurityHeaders = fp(plugin, { fastify: '5.x', name: '@armor/security-headers' });

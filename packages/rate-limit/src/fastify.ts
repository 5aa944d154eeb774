/**
 * `@armor/rate-limit/fastify`: a plugin (`fastify-plugin`, name `@armor/rate-limit`) that limits
 * every route in an `onRequest` hook (the `hook` option picks another), with per-route settings
 * in `config.armor.rateLimit` (`false` opts a route out; a limiter source gives the route its
 * own limiter) and the result as a typed request decorator (`request.rateLimit`). A request
 * symbol makes sure a limiter counts each request once. Imports Fastify's types only.
 *
 * @module
 */
import { checkBoolean, checkOneOf } from '@armor/core';
import { problemHeaders, toProblemDetails, type ArmorError } from '@armor/errors';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { SHARED_KEYS, checkStoreReuse, createLimitCheck, reportConfig, type DistributiveOmit, type LimitCheck, type RateLimitConfigWarning, type SharedAdapterOptions } from './adapter-kit.js';
import type { LimiterSource } from './fetch.js';
import { ipKey } from './ip.js';
import type { RateLimiter } from './limiter.js';
import type { RateLimitResult } from './types.js';

/** The route hook the limit runs in. */
export type RateLimitHook = 'onRequest' | 'preParsing' | 'preValidation' | 'preHandler';

/** Per-route settings (`config.armor.rateLimit`): `false` opts out; a limiter source gives the route its own limiter. */
export type RouteRateLimit = false | DistributiveOmit<LimiterSource, 'onLimited'>;

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
    /** `@armor/rate-limit/fastify`: `false` opts the route out; a limiter source gives it its own limiter. */
    rateLimit?: RouteRateLimit;
  }
  interface FastifyRequest {
    /** The rate-limit result of this request (`null` when no limiter ran). */
    rateLimit: RateLimitResult | null;
  }
}

/** Options of {@link armorRateLimit}: a limiter source (`limiter`, `tier`, or limiter options) plus: */
export type FastifyRateLimitOptions = DistributiveOmit<LimiterSource, 'onLimited'> &
  SharedAdapterOptions<FastifyRequest> & {
    /** The hook the limit runs in. @default 'onRequest' */
    hook?: RateLimitHook | undefined;
    /**
     * Limit every route (`true`), or only routes that set `config.armor.rateLimit` to a limiter
     * source (`false`). @default true
     */
    global?: boolean | undefined;
    /** Receives each configuration warning (once per code) instead of `process.emitWarning`. */
    onConfigWarning?: ((warning: RateLimitConfigWarning) => void) | undefined;
  };

const kApplied = Symbol.for('@armor/rate-limit.applied');
type Marked = FastifyRequest & { [kApplied]?: Set<RateLimiter> };

function hookFor(check: LimitCheck<FastifyRequest>, onWarning: FastifyRateLimitOptions['onConfigWarning']) {
  const { limiter } = check;
  const answer = (request: FastifyRequest, reply: FastifyReply, decision: { headers: Record<string, string>; error: ArmorError }) => {
    reply.headers(decision.headers);
    if (check.toNext) throw decision.error;
    const body = toProblemDetails(decision.error, { instance: request.url.split('?')[0] });
    reply.code(body.status).headers(problemHeaders(decision.error));
    return reply.send(JSON.stringify(body));
  };
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (check.skip && (await check.skip(request))) return;
    const marked = request as Marked;
    const seen = (marked[kApplied] ??= new Set());
    if (seen.has(limiter)) {
      reportConfig(limiter, 'ERR_ARMOR_RL_DOUBLE_COUNT', `the limiter '${limiter.name}' was applied twice to one request (registered twice?); it counted the request once.`, onWarning);
      return;
    }
    seen.add(limiter);
    const decision = await check.decide(request, await check.key(request, () => request.ip));
    if (decision.error) return answer(request, reply, { headers: decision.headers, error: decision.error });
    request.rateLimit = decision.result ?? null;
    reply.headers(decision.headers);
  };
}

// Async, so a bad option rejects `register`/`ready()` instead of throwing out of the boot loop.
const plugin: FastifyPluginAsync<FastifyRateLimitOptions> = async (fastify, options) => {
  const { hook = 'onRequest', global = true, ...rest } = options;
  checkOneOf('hook', hook, ['onRequest', 'preParsing', 'preValidation', 'preHandler'] as const);
  checkBoolean('global', global);
  const onWarning = options.onConfigWarning;
  const base = createLimitCheck<FastifyRequest>(rest as FastifyRateLimitOptions, 'armorRateLimit', ['onConfigWarning'], (ip) => ipKey(ip));
  checkStoreReuse(base.limiter, onWarning);
  if ((fastify.initialConfig as { trustProxy?: unknown }).trustProxy === true) {
    reportConfig(base.limiter, 'ERR_ARMOR_RL_PERMISSIVE_TRUST_PROXY', 'Fastify trustProxy: true trusts every X-Forwarded-For hop, so any client picks its own request.ip and escapes the limit; trust the number of proxies in front of the app (e.g. 1) or their addresses.', onWarning);
  }
  const baseHook = hookFor(base, onWarning);
  if (!fastify.hasRequestDecorator('rateLimit')) fastify.decorateRequest('rateLimit', null);
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const armor = route.config?.armor;
    const own = armor === false ? false : armor?.rateLimit;
    if (own === false) return;
    let run: ReturnType<typeof hookFor>;
    if (own !== undefined) {
      // The route's own limiter source; the adapter options (key, cost, headers…) are the plugin's.
      const shared: Record<string, unknown> = {};
      for (const k of SHARED_KEYS) if ((rest as Record<string, unknown>)[k] !== undefined) shared[k] = (rest as Record<string, unknown>)[k];
      const check = createLimitCheck<FastifyRequest>({ ...own, ...shared } as FastifyRateLimitOptions, 'config.armor.rateLimit', [], (ip) => ipKey(ip));
      checkStoreReuse(check.limiter, onWarning);
      run = hookFor(check, onWarning);
    } else if (global) {
      run = baseHook;
    } else {
      return;
    }
    const existing = route[hook];
    route[hook] = (existing === undefined ? [run] : Array.isArray(existing) ? [...existing, run] : [existing, run]) as never;
  });
};

/**
 * The Fastify plugin. Register it before the routes it limits.
 *
 * @example
 * ```ts no-run
 * await app.register(armorRateLimit, { tier: 'api' });
 * app.get('/login', { config: { armor: { rateLimit: { tier: 'strict' } } } }, login);
 * app.get('/health', { config: { armor: false } }, probe);
 * ```
 */
export const armorRateLimit = fp(plugin, { fastify: '5.x', name: '@armor/rate-limit' });

export { ipKey } from './ip.js';
export type { RateLimitConfigCode, RateLimitConfigWarning } from './adapter-kit.js';

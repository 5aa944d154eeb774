/**
 * `@armor/rate-limit/hono`: a rate-limit `MiddlewareHandler` for Hono. The result of each
 * request is a typed context variable (`c.var.rateLimit`, through {@link RateLimitVariables});
 * the `RateLimit` headers are set after `await next()`. A limited request gets 429
 * `application/problem+json` from a `RateLimitError` (or the error goes to `app.onError` with
 * `onError: 'next'`). Imports Hono's types only.
 *
 * @module
 */
import { problemResponse } from '@armor/errors';
import type { Context, MiddlewareHandler } from 'hono';
import { checkStoreReuse, createLimitCheck, reportConfig, type Decision, type DistributiveOmit, type RateLimitConfigWarning, type SharedAdapterOptions } from './adapter-kit.js';
import type { LimiterSource } from './fetch.js';
import { clientIp, compileTrustProxy, ipKey, parseTrustProxy, type TrustProxy } from './ip.js';
import type { RateLimiter } from './limiter.js';
import type { RateLimitResult } from './types.js';

/** The context variables this middleware sets: `c.var.rateLimit` (absent when skipped). */
export interface RateLimitVariables {
  rateLimit: RateLimitResult;
}

/** Options of {@link rateLimit} (Hono): a limiter source (`limiter`, `tier`, or limiter options) plus: */
export type HonoRateLimitOptions = DistributiveOmit<LimiterSource, 'onLimited'> &
  SharedAdapterOptions<Context> & {
    /**
     * Find the client address from `X-Forwarded-For` with this trust setting (Express's
     * `trust proxy` vocabulary: `true`, a hop count, `'loopback'`, CIDR lists, a function). The
     * peer is the socket address on `@hono/node-server`; on other runtimes give a `keyGenerator`
     * (e.g. from `getConnInfo`) or trust the proxy in front.
     * @default the socket address on `@hono/node-server`, no proxy trusted
     */
    trustProxy?: TrustProxy | undefined;
    /** Receives each configuration warning (once per code) instead of `process.emitWarning`. */
    onConfigWarning?: ((warning: RateLimitConfigWarning) => void) | undefined;
  };

/** The socket address `@hono/node-server` gives (`c.env.incoming`), when present. */
function peerOf(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: unknown } } } | undefined;
  const address = env?.incoming?.socket?.remoteAddress;
  return typeof address === 'string' ? address : undefined;
}

/**
 * Rate-limit middleware for Hono.
 *
 * @example
 * ```ts no-run
 * const app = new Hono<{ Variables: RateLimitVariables }>();
 * app.use('/api/*', rateLimit({ tier: 'api' }));
 * app.get('/api/me', (c) => c.json({ remaining: c.var.rateLimit.remaining }));
 * ```
 */
export function rateLimit(options: HonoRateLimitOptions): MiddlewareHandler<{ Variables: RateLimitVariables }> {
  const check = createLimitCheck<Context>(options, 'rateLimit', ['trustProxy', 'onConfigWarning'], (ip) => ipKey(ip));
  const { limiter } = check;
  const onWarning = options.onConfigWarning;
  const trustProxy = parseTrustProxy(options.trustProxy);
  if (trustProxy === true) {
    reportConfig(limiter, 'ERR_ARMOR_RL_PERMISSIVE_TRUST_PROXY', 'trustProxy: true trusts every X-Forwarded-For hop, so any client picks its own key and escapes the limit; trust the number of proxies in front of the app (e.g. 1) or their addresses.', onWarning);
  }
  checkStoreReuse(limiter, onWarning);
  const trust = trustProxy === undefined ? undefined : compileTrustProxy(trustProxy);
  const address = (c: Context) => () => (trust === undefined ? peerOf(c) : clientIp({ remoteAddress: peerOf(c), forwardedFor: c.req.header('x-forwarded-for'), trustProxy: trust }));
  const run = async (c: Context, next: () => Promise<void>, decision: Decision) => {
    if (decision.error) {
      if (check.toNext) {
        for (const name in decision.headers) c.header(name, decision.headers[name]);
        throw decision.error;
      }
      const response = problemResponse(decision.error, { instance: c.req.path });
      for (const name in decision.headers) response.headers.set(name, decision.headers[name]!);
      return response;
    }
    c.set('rateLimit', decision.result!);
    await next();
    const headers = decision.headers;
    try {
      const target = c.res.headers;
      for (const name in headers) target.set(name, headers[name]!);
    } catch {
      // Immutable headers (a proxied fetch response): copy.
      c.res = new Response(c.res.body, c.res);
      for (const name in headers) c.res.headers.set(name, headers[name]!);
    }
    return undefined;
  };
  const limited = async (c: Context, next: () => Promise<void>) => {
    const key = await check.key(c, address(c));
    return run(c, next, await check.decide(c, key));
  };
  return async (c, next) => {
    if (check.skip && (await check.skip(c))) {
      await next();
      return;
    }
    if (alreadyApplied(c, limiter)) {
      reportConfig(limiter, 'ERR_ARMOR_RL_DOUBLE_COUNT', `the limiter '${limiter.name}' was applied twice to one request (mounted on two matching paths?); it counted the request once.`, onWarning);
      await next();
      return;
    }
    // The common case (no keyGenerator promise, a synchronous store) without extra awaits.
    const key = check.key(c, address(c));
    if (typeof key === 'object') return limited(c, next);
    const decision = check.decide(c, key);
    return run(c, next, 'then' in decision ? await decision : decision);
  };
}

/** The limiters that already ran for a request, on its context (a property, not a WeakMap: no GC cost). */
const kApplied = Symbol.for('@armor/rate-limit.applied');
type Marked = { [kApplied]?: RateLimiter | RateLimiter[] };

/** Nothing runs twice: records `limiter` on the context; `true` when it was there already. */
function alreadyApplied(c: Context, limiter: RateLimiter): boolean {
  const marked = c as unknown as Marked;
  const prev = marked[kApplied];
  if (prev === undefined) {
    marked[kApplied] = limiter;
    return false;
  }
  if (prev === limiter || (Array.isArray(prev) && prev.includes(limiter))) return true;
  marked[kApplied] = Array.isArray(prev) ? [...prev, limiter] : [prev as RateLimiter, limiter];
  return false;
}

export { ipKey } from './ip.js';
export type { RateLimitConfigCode, RateLimitConfigWarning } from './adapter-kit.js';

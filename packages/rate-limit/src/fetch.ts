/**
 * `withRateLimit`: rate limiting for Fetch-style handlers (`(request) => Response`), as used
 * by edge runtimes, Convex HTTP actions, Hono, Bun and Deno.
 *
 * @module
 */
import { checkFunction, checkNumber, checkOneOf, checkOptions, checkString } from '@armor/core';
import { ConfigurationError, RateLimitError, problemResponse } from '@armor/errors';
import { RateLimitStoreError, UnknownClientError } from './errors.js';
import { rateLimitHeaders } from './headers.js';
import { clientIp, compileTrustProxy, ipKey, parseTrustProxy, type TrustProxy } from './ip.js';
import { RATE_LIMITER_OPTION_KEYS, createRateLimiter, type RateLimiter, type RateLimiterOptions } from './limiter.js';
import { tierOptions, type TierName, type TierPreset } from './tiers.js';
import type { RateLimitResult } from './types.js';

/** Which headers to send: the IETF fields, the legacy `X-RateLimit-*`, both, or none. */
export type HeaderMode = 'standard' | 'legacy' | 'both' | false;

/**
 * How an adapter gets its limiter: an existing one, a tier, or limiter options.
 *
 * `tier: 'auth'` gives only the per-account half of the auth tier (5 per 15 min, counting
 * every request on the adapter's key, by default the IP). For login protection (failures
 * counted per account and per IP) use `createAuthLimiter` in the login handler instead.
 */
export type LimiterSource =
  | { limiter: RateLimiter }
  | ({ tier: TierName | TierPreset } & Omit<Partial<RateLimiterOptions>, 'algorithm' | 'limit' | 'windowMs'>)
  | RateLimiterOptions;

/**
 * @internal Checks an adapter's options (every key known: limiter options, `limiter`, `tier`,
 * and the adapter's own `adapterKeys`) and resolves its limiter.
 */
export function resolveLimiter(source: LimiterSource, component = 'withRateLimit', adapterKeys: readonly string[] = []): RateLimiter {
  if (source === null || typeof source !== 'object') throw new ConfigurationError('options', 'must be an object', { received: source });
  checkOptions(component, source, [...RATE_LIMITER_OPTION_KEYS, 'limiter', 'tier', ...adapterKeys]);
  const given = source as Record<string, unknown>;
  const limiterOptions: Record<string, unknown> = {};
  for (const k of RATE_LIMITER_OPTION_KEYS) if (given[k] !== undefined) limiterOptions[k] = given[k];
  if (given['limiter'] !== undefined) {
    const limiter = given['limiter'] as RateLimiter;
    if (limiter === null || typeof limiter !== 'object' || typeof limiter.consume !== 'function' || typeof limiter.reward !== 'function') {
      throw new ConfigurationError('limiter', 'must be a limiter made by createRateLimiter', { received: limiter });
    }
    const extra = Object.keys(limiterOptions);
    if (extra.length > 0 || given['tier'] !== undefined) {
      throw new ConfigurationError(extra[0] ?? 'tier', 'cannot be combined with `limiter` (configure the limiter itself)');
    }
    return limiter;
  }
  if (given['tier'] !== undefined) {
    const tier = given['tier'] as TierName | TierPreset;
    return createRateLimiter({ ...tierOptions(tier), ...limiterOptions, name: (limiterOptions['name'] as string | undefined) ?? (typeof tier === 'string' ? tier : 'rate-limit') } as RateLimiterOptions);
  }
  return createRateLimiter(limiterOptions as unknown as RateLimiterOptions);
}

/** @internal Checks the options every adapter shares. */
export function checkAdapterOptions(options: { keyGenerator?: unknown; skip?: unknown; cost?: unknown; headers?: unknown; message?: unknown }): void {
  checkFunction('keyGenerator', options.keyGenerator);
  checkFunction('skip', options.skip);
  if (typeof options.cost !== 'function') checkNumber('cost', options.cost, { min: 0 });
  checkOneOf('headers', options.headers, ['standard', 'legacy', 'both', false] as const);
  checkString('message', options.message);
}

/**
 * What an adapter does with a request whose client address cannot be known (and no
 * `keyGenerator` decides the key): `'refuse'` answers 400 problem+json from an
 * {@link UnknownClientError}; `{ key }` limits every such request under that one key (give
 * each route its own, e.g. `{ key: 'unknown-client:/upload' }`: all unknown clients of the
 * route then share one bucket, apart from every known client).
 */
export type UnknownClientPolicy = 'refuse' | { readonly key: string };

/** @internal Checks `unknownClient` and `onUnknownClient`. */
export function checkUnknownClient(policy: unknown, hook: unknown): asserts policy is UnknownClientPolicy | undefined {
  checkFunction('onUnknownClient', hook);
  if (policy === undefined || policy === 'refuse') return;
  const key = (policy as { key?: unknown } | null)?.key;
  if (policy === null || typeof policy !== 'object' || Object.keys(policy).some((k) => k !== 'key') || typeof key !== 'string' || key === '') {
    throw new ConfigurationError('unknownClient', "must be 'refuse' or { key: '<a non-empty key for unknown clients of this route>' }", { received: policy });
  }
}

/** @internal Calls the `onUnknownClient` hook, isolated (a throwing hook never fails the request). */
export function reportUnknownClient<T>(hook: ((event: { request: T }) => void) | undefined, request: T): void {
  if (!hook) return;
  try {
    hook({ request });
  } catch {
    // isolated: observability never breaks the request path
  }
}

/** @internal */
export function headersFor(result: RateLimitResult, limiter: RateLimiter, mode: HeaderMode): Record<string, string> {
  if (mode === false) return result.allowed ? {} : { 'retry-after': String(Math.max(0, Math.ceil(result.retryAfterMs / 1000))) };
  return rateLimitHeaders(result, limiter.policy, { name: limiter.name, standard: mode !== 'legacy', legacy: mode !== 'standard' });
}

/**
 * @internal The 503 error for a request refused only because the store failed and nothing
 * counted it (`onStoreError: 'deny'`: `source: 'onStoreError'`); `undefined` for any other result.
 */
export function storeFailure(result: RateLimitResult, limiter: RateLimiter): RateLimitStoreError | undefined {
  if (result.allowed || result.source !== 'onStoreError') return undefined;
  return new RateLimitStoreError('Rate-limit store unavailable; request refused (onStoreError: deny)', { details: { limiter: limiter.name } });
}

/** Options of {@link withRateLimit}. */
export type WithRateLimitOptions<A extends unknown[]> = LimiterSource & {
  /**
   * The key of a request. Required unless `trustProxy` is set (a Fetch `Request` carries no
   * client address; then the key is `ipKey` of the `X-Forwarded-For` client).
   */
  keyGenerator?: (request: Request, ...rest: A) => string | Promise<string>;
  /**
   * Trust `X-Forwarded-For` to find the client IP, with Express's `trust proxy` vocabulary
   * (see `TrustProxy`: `true`, a hop count, `'loopback'`, CIDR lists, a function). The proxy
   * that delivered the request counts as trusted hop 0 (a Fetch `Request` has no peer
   * address). Bad values throw a `ConfigurationError`.
   */
  trustProxy?: TrustProxy;
  /**
   * Without a `keyGenerator`: what to do with a request whose client address cannot be known
   * (no `X-Forwarded-For`, or no valid address at the trusted hop). `'refuse'` answers 400
   * (`UnknownClientError`); `{ key }` limits all such requests under that key. Such requests
   * are never keyed together silently.
   * @default 'refuse'
   */
  unknownClient?: UnknownClientPolicy;
  /** Called for every request whose client address cannot be known (count it in your metrics). */
  onUnknownClient?: (event: { request: Request }) => void;
  /** Requests for which this returns `true` are not limited. */
  skip?: (request: Request, ...rest: A) => boolean | Promise<boolean>;
  /** Points a request costs: a number, or a function of the request. @default 1 */
  cost?: number | ((request: Request, ...rest: A) => number | Promise<number>);
  /** Headers to send. @default 'standard' */
  headers?: HeaderMode;
  /**
   * Problem `detail` of the 429 response (not of the 503 of a store outage, whose detail is
   * the generic one). @default 'Too many requests, please try again later.'
   */
  message?: string;
};

/**
 * Wraps a Fetch handler: over the limit (reason `'limit'` or `'blocked'`, including refusals
 * of the insurance store) it answers 429 `application/problem+json` (from a `RateLimitError`,
 * with `Retry-After`); otherwise it calls the handler and adds the rate-limit headers to its
 * response.
 *
 * When the store is down and the limiter fails closed (`onStoreError: 'deny'`), it answers
 * 503 `application/problem+json` with code `SERVICE_UNAVAILABLE` (from a
 * `RateLimitStoreError`) and no `RateLimit` headers or `Retry-After`: an outage is never
 * reported as a 429.
 *
 * @example
 * ```ts
 * export default {
 *   fetch: withRateLimit((request) => new Response('ok'), { tier: 'standard', trustProxy: 1 }),
 * };
 * ```
 */
export function withRateLimit<A extends unknown[]>(
  handler: (request: Request, ...rest: A) => Response | Promise<Response>,
  options: WithRateLimitOptions<A>,
): (request: Request, ...rest: A) => Promise<Response> {
  if (typeof handler !== 'function') throw new ConfigurationError('handler', 'must be a function', { received: handler });
  const limiter = resolveLimiter(options, 'withRateLimit', ['keyGenerator', 'trustProxy', 'unknownClient', 'onUnknownClient', 'skip', 'cost', 'headers', 'message']);
  const { keyGenerator, skip, cost, headers: mode = 'standard', message = 'Too many requests, please try again later.', unknownClient = 'refuse', onUnknownClient } = options;
  checkAdapterOptions(options);
  checkUnknownClient(unknownClient, onUnknownClient);
  const trustProxy = parseTrustProxy(options.trustProxy);
  if (!keyGenerator && trustProxy === undefined) {
    throw new ConfigurationError('keyGenerator', 'is required unless trustProxy is set (a Fetch Request has no client address)');
  }
  if (!keyGenerator && (trustProxy === false || trustProxy === 0)) {
    // A Fetch Request has no peer address: without trusted proxies every client would share one key.
    throw new ConfigurationError('trustProxy', 'must trust at least the proxy in front of this handler (e.g. 1 or true) when no keyGenerator is given: a Fetch Request has no client address', { received: options.trustProxy });
  }
  const trust = trustProxy === undefined ? undefined : compileTrustProxy(trustProxy);
  const keyOf: (request: Request, ...rest: A) => string | undefined | Promise<string> =
    keyGenerator ??
    ((request: Request, ..._rest: A) => {
      const ip = clientIp({ forwardedFor: request.headers.get('x-forwarded-for'), trustProxy: trust });
      return ip === undefined ? undefined : ipKey(ip);
    });
  return async (request, ...rest) => {
    if (skip && (await skip(request, ...rest))) return handler(request, ...rest);
    let key = await keyOf(request, ...rest);
    if (key === undefined) {
      reportUnknownClient(onUnknownClient, request);
      if (unknownClient === 'refuse') return problemResponse(new UnknownClientError(), { instance: new URL(request.url).pathname });
      key = unknownClient.key;
    }
    const result = await limiter.consume(key, typeof cost === 'function' ? await cost(request, ...rest) : (cost ?? 1));
    const outage = storeFailure(result, limiter);
    if (outage) return problemResponse(outage, { instance: new URL(request.url).pathname });
    const extra = headersFor(result, limiter, mode);
    if (!result.allowed) {
      const response = problemResponse(new RateLimitError(message, { retryAfterMs: result.retryAfterMs }), { instance: new URL(request.url).pathname });
      for (const [name, value] of Object.entries(extra)) response.headers.set(name, value);
      return response;
    }
    let response = await handler(request, ...rest);
    try {
      for (const [name, value] of Object.entries(extra)) response.headers.set(name, value);
    } catch {
      // Immutable headers (e.g. a proxied fetch response): copy.
      response = new Response(response.body, response);
      for (const [name, value] of Object.entries(extra)) response.headers.set(name, value);
    }
    return response;
  };
}

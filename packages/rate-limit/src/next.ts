/**
 * `@armor/rate-limit/next`: rate limiting for Next.js (App Router): a route-handler wrapper and a
 * check for `proxy.ts` (`middleware.ts` before Next 16). Web-standard only (no import of `next`),
 * so it runs in the Node and the edge runtime (with an edge-capable store: the memory store per
 * isolate, or your own). The client address is the one Next appends to `X-Forwarded-For`.
 *
 * @module
 */
import { problemResponse } from '@armor/errors';
import { checkStoreReuse, createLimitCheck, reportConfig, type DistributiveOmit, type RateLimitConfigWarning, type SharedAdapterOptions } from './adapter-kit.js';
import type { LimiterSource } from './fetch.js';
import { clientIp, compileTrustProxy, ipKey, parseTrustProxy, type TrustProxy } from './ip.js';
import type { RateLimitResult } from './types.js';

/** Options of {@link withRateLimit} and {@link rateLimitProxy}: a limiter source plus: */
export type NextRateLimitOptions = DistributiveOmit<LimiterSource, 'onLimited'> &
  Omit<SharedAdapterOptions<Request>, 'onError'> & {
    /**
     * Proxies in front of Next.js to trust, beyond the address Next itself appends to
     * `X-Forwarded-For` (the peer of the server). Express's `trust proxy` vocabulary.
     * @default no proxy trusted: the key is the address of Next's peer
     */
    trustProxy?: TrustProxy | undefined;
    /** Receives each configuration warning (once per code) instead of `process.emitWarning`. */
    onConfigWarning?: ((warning: RateLimitConfigWarning) => void) | undefined;
  };

/** The verdict of {@link rateLimitProxy} for one request. */
export interface RateLimitCheckResult {
  /** The 429 (or 400/503) problem+json to return, or `undefined` when the request may go on. */
  readonly response: Response | undefined;
  /** The `RateLimit` headers to put on the response when it goes on. */
  readonly headers: Record<string, string>;
  /** The limiter's result (absent when skipped or refused as an unknown client). */
  readonly result: RateLimitResult | undefined;
}

function build(options: NextRateLimitOptions, component: string) {
  const check = createLimitCheck<Request>(options, component, ['trustProxy', 'onConfigWarning'], (ip) => ipKey(ip));
  const trustProxy = parseTrustProxy(options.trustProxy);
  if (trustProxy === true) {
    reportConfig(check.limiter, 'ERR_ARMOR_RL_PERMISSIVE_TRUST_PROXY', 'trustProxy: true trusts every X-Forwarded-For hop, so any client picks its own key and escapes the limit; trust the number of proxies in front of Next.js (e.g. 1) or their addresses.', options.onConfigWarning);
  }
  checkStoreReuse(check.limiter, options.onConfigWarning);
  const trust = compileTrustProxy(trustProxy);
  const address = (request: Request) => () => {
    // Next appends its peer's address last: that is the socket address; earlier hops came
    // through proxies, trusted per `trustProxy`.
    const hops = (request.headers.get('x-forwarded-for') ?? '').split(',');
    const peer = hops.pop()?.trim();
    if (!peer) return undefined;
    return clientIp({ remoteAddress: peer, forwardedFor: hops.join(','), trustProxy: trust });
  };
  return async (request: Request): Promise<RateLimitCheckResult> => {
    if (check.skip && (await check.skip(request))) return { response: undefined, headers: {}, result: undefined };
    const decision = await check.decide(request, await check.key(request, address(request)));
    if (!decision.error) return { response: undefined, headers: decision.headers, result: decision.result };
    const response = problemResponse(decision.error, { instance: new URL(request.url).pathname });
    for (const name in decision.headers) response.headers.set(name, decision.headers[name]!);
    return { response, headers: decision.headers, result: decision.result };
  };
}

/**
 * Wraps an App Router route handler: a limited request gets 429 problem+json (with
 * `Retry-After` and the `RateLimit` headers); otherwise the handler answers and its response
 * gets the `RateLimit` headers.
 *
 * @example
 * ```ts no-run
 * // app/api/orders/route.ts
 * export const GET = withRateLimit(async (request: Request) => Response.json(await listOrders(request)), { tier: 'api' });
 * ```
 */
export function withRateLimit<A extends unknown[]>(
  route: (request: Request, ...rest: A) => Response | Promise<Response>,
  options: NextRateLimitOptions,
): (request: Request, ...rest: A) => Promise<Response> {
  const decide = build(options, 'withRateLimit');
  return async (request, ...rest) => {
    const verdict = await decide(request);
    if (verdict.response) return verdict.response;
    let response = await route(request, ...rest);
    try {
      for (const name in verdict.headers) response.headers.set(name, verdict.headers[name]!);
    } catch {
      response = new Response(response.body, response);
      for (const name in verdict.headers) response.headers.set(name, verdict.headers[name]!);
    }
    return response;
  };
}

/**
 * The rate-limit check for `proxy.ts` (or `middleware.ts`): returns the refusal to answer with,
 * or the headers to set on `NextResponse.next()`.
 *
 * @example
 * ```ts no-run
 * // proxy.ts
 * const limit = rateLimitProxy({ tier: 'api' });
 * export async function proxy(request: NextRequest) {
 *   const { response, headers } = await limit(request);
 *   if (response) return response;
 *   const next = NextResponse.next();
 *   for (const [name, value] of Object.entries(headers)) next.headers.set(name, value);
 *   return next;
 * }
 * ```
 */
export function rateLimitProxy(options: NextRateLimitOptions): (request: Request) => Promise<RateLimitCheckResult> {
  return build(options, 'rateLimitProxy');
}

export { ipKey } from './ip.js';
export type { RateLimitConfigCode, RateLimitConfigWarning } from './adapter-kit.js';

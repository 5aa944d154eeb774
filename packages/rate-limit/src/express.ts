/**
 * Express adapter: `rateLimit()` middleware. Mount one per route to give routes different
 * tiers. A limited request gets 429 `application/problem+json` built from a
 * `RateLimitError` (with `Retry-After`), or is passed to your error middleware. A request
 * refused because the store is down (`onStoreError: 'deny'`) gets 503 from a
 * `RateLimitStoreError` instead: an outage is never reported as a 429.
 *
 * @module
 */
import { ConfigurationError, RateLimitError, problemHeaders, toProblemDetails, type ArmorError } from '@armor/errors';
import type { Request, RequestHandler, Response } from 'express';
import { headersFor, resolveLimiter, storeFailure, type HeaderMode, type LimiterSource } from './fetch.js';
import { clientIp, ipKey, type TrustProxy } from './ip.js';
import type { RateLimitResult } from './types.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * Options of {@link rateLimit}: a limiter source (`limiter`, `tier`, or limiter options,
 * without the limiter's own `onLimited`: the middleware's `onLimited(req, result)` replaces
 * it) plus:
 */
export type RateLimitMiddlewareOptions = DistributiveOmit<LimiterSource, 'onLimited'> & {
  /**
   * The key of a request.
   * @default ipKey of the client address (`req.ip`, which honors Express's `trust proxy`
   * setting; or the `trustProxy` option when given)
   */
  keyGenerator?: (req: Request) => string | Promise<string>;
  /**
   * Find the client address from `X-Forwarded-For` with this trust setting instead of
   * `req.ip` (see `TrustProxy`).
   */
  trustProxy?: TrustProxy;
  /** Requests for which this returns `true` are not limited (e.g. health checks). */
  skip?: (req: Request, res: Response) => boolean | Promise<boolean>;
  /** Points a request costs. @default 1 */
  cost?: (req: Request) => number;
  /** Headers to send. @default 'standard' */
  headers?: HeaderMode;
  /**
   * Problem `detail` of the 429 response (not of the 503 of a store outage, whose detail is
   * the generic one). @default 'Too many requests, please try again later.'
   */
  message?: string;
  /**
   * Pass the error to `next()` (your error middleware answers) instead of answering here: the
   * `RateLimitError` (429) of a limited request, or the `RateLimitStoreError` (503) of a
   * request refused because the store is down (`onStoreError: 'deny'`).
   * @default false
   */
  passToNext?: boolean;
  /**
   * Called for each limited request (after the limiter's own events). Not called for a
   * request refused because the store is down; listen to the limiter's `storeError` event.
   */
  onLimited?: (req: Request, result: RateLimitResult) => void;
};

/**
 * Rate-limit middleware.
 *
 * @example
 * ```ts
 * const store = redisStore({ client });
 * app.use('/api', rateLimit({ tier: 'api', store, keyGenerator: (req) => req.get('x-api-key') ?? ipKey(req.ip ?? '') }));
 * app.post('/signup', rateLimit({ tier: 'strict', store }), signup);
 * ```
 */
export function rateLimit(options: RateLimitMiddlewareOptions): RequestHandler {
  if (options === null || typeof options !== 'object') throw new ConfigurationError('options', 'must be an object', { received: options });
  // `onLimited` here is the middleware's `(req, result)` callback, not the limiter option of
  // the same name (`({ key, result })`): keep it out of the limiter.
  const { onLimited: _adapterOnLimited, ...source } = options;
  const limiter = resolveLimiter(source as LimiterSource);
  const {
    keyGenerator,
    trustProxy,
    skip,
    cost,
    headers: mode = 'standard',
    message = 'Too many requests, please try again later.',
    passToNext = false,
    onLimited,
  } = options as Extract<RateLimitMiddlewareOptions, { keyGenerator?: unknown }>;
  const keyOf =
    keyGenerator ??
    (trustProxy === undefined
      ? (req: Request) => ipKey(req.ip ?? req.socket.remoteAddress ?? 'unknown-ip')
      : (req: Request) => {
          const ip = clientIp({ remoteAddress: req.socket.remoteAddress, forwardedFor: req.headers['x-forwarded-for'] as string | undefined, trustProxy });
          return ip === undefined ? 'unknown-ip' : ipKey(ip);
        });
  const sync = typeof limiter.store.applySync === 'function';

  const answer = (req: Request, res: Response, next: (err?: unknown) => void, error: ArmorError) => {
    if (passToNext) {
      next(error);
      return;
    }
    const body = toProblemDetails(error, { instance: req.path });
    res.status(body.status).set(problemHeaders(error)).send(JSON.stringify(body));
  };

  const finish = (req: Request, res: Response, next: (err?: unknown) => void, result: RateLimitResult) => {
    const outage = storeFailure(result, limiter);
    if (outage) {
      // Store down, limiter failed closed: 503, without RateLimit headers or Retry-After.
      answer(req, res, next, outage);
      return;
    }
    const extra = headersFor(result, limiter, mode);
    for (const name in extra) res.setHeader(name, extra[name]!);
    if (result.allowed) {
      next();
      return;
    }
    if (onLimited) {
      try {
        onLimited(req, result);
      } catch {
        // isolated
      }
    }
    answer(req, res, next, new RateLimitError(message, { retryAfterMs: result.retryAfterMs }));
  };

  const limit = (req: Request, res: Response, next: (err?: unknown) => void, key: string) => {
    const points = cost ? cost(req) : 1;
    if (sync) {
      finish(req, res, next, limiter.consumeSync(key, points));
      return;
    }
    limiter.consume(key, points).then((result) => finish(req, res, next, result), next);
  };

  return (req, res, next) => {
    try {
      if (skip) {
        Promise.resolve(skip(req, res))
          .then((skipped) => {
            if (skipped) next();
            else return Promise.resolve(keyOf(req)).then((key) => limit(req, res, next, key));
          })
          .catch(next);
        return;
      }
      const key = keyOf(req);
      if (typeof key === 'string') limit(req, res, next, key);
      else key.then((k) => limit(req, res, next, k)).catch(next);
    } catch (error) {
      next(error);
    }
  };
}

export { ipKey, clientIp, normalizeIp } from './ip.js';
export type { TrustProxy } from './ip.js';

/**
 * Express adapter: `rateLimit()` middleware. Mount one per route to give routes different
 * tiers. A limited request gets 429 `application/problem+json` built from a
 * `RateLimitError` (with `Retry-After`), or is passed to your error middleware.
 *
 * @module
 */
import { ConfigurationError, RateLimitError, problemHeaders, toProblemDetails } from '@armor/errors';
import type { Request, RequestHandler, Response } from 'express';
import { headersFor, resolveLimiter, type HeaderMode, type LimiterSource } from './fetch.js';
import { clientIp, ipKey, type TrustProxy } from './ip.js';
import type { RateLimitResult } from './types.js';

/** Options of {@link rateLimit}: a limiter source (`limiter`, `tier`, or limiter options) plus: */
export type RateLimitMiddlewareOptions = LimiterSource & {
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
  /** Problem `detail` of the 429 response. @default 'Too many requests, please try again later.' */
  message?: string;
  /** Pass the `RateLimitError` to `next()` (your error middleware answers) instead of answering here. @default false */
  passToNext?: boolean;
  /** Called for each limited request (after the limiter's own events). */
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
  const limiter = resolveLimiter(options);
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

  const finish = (req: Request, res: Response, next: (err?: unknown) => void, result: RateLimitResult) => {
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
    const error = new RateLimitError(message, { retryAfterMs: result.retryAfterMs });
    if (passToNext) {
      next(error);
      return;
    }
    const body = toProblemDetails(error, { instance: req.path });
    res.status(429).set(problemHeaders(error)).send(JSON.stringify(body));
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

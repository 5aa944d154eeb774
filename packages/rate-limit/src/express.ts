/**
 * Express adapter: `rateLimit()` middleware. Mount one per route to give routes different
 * tiers. A limited request gets 429 `application/problem+json` built from a
 * `RateLimitError` (with `Retry-After`), or is passed to your error middleware. A request
 * refused because the store is down (`onStoreError: 'deny'`) gets 503 from a
 * `RateLimitStoreError` instead: an outage is never reported as a 429.
 *
 * @module
 */
import { checkBoolean, checkFunction, checkOneOf } from '@armor/core';
import { ConfigurationError, RateLimitError, problemHeaders, toProblemDetails, type ArmorError } from '@armor/errors';
import type { Request, RequestHandler, Response } from 'express';
import { UnknownClientError } from './errors.js';
import { checkAdapterOptions, checkUnknownClient, headersFor, reportUnknownClient, resolveLimiter, storeFailure, type HeaderMode, type LimiterSource, type UnknownClientPolicy } from './fetch.js';
import { clientIp, compileTrustProxy, ipKey, parseTrustProxy, type TrustProxy } from './ip.js';
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
   * `req.ip`: Express's `trust proxy` vocabulary with Express's semantics (`true`, a hop
   * count, `'loopback'`, `'linklocal'`, `'uniquelocal'`, addresses/CIDRs as a list or a
   * comma-separated string, or `(address, hop) => boolean`; see `TrustProxy`). Bad values
   * throw a `ConfigurationError` at construction.
   * @default Express's own `trust proxy` setting, through `req.ip`
   */
  trustProxy?: TrustProxy;
  /**
   * Without a `keyGenerator`: what to do with a request whose client address cannot be known
   * (no socket address, or no valid address at the trusted `X-Forwarded-For` hop). `'refuse'`
   * answers 400 (`UnknownClientError`, or passes it to `next()` with `onError: 'next'`);
   * `{ key }` limits all such requests of this middleware under that key. Never keyed
   * together silently.
   * @default 'refuse'
   */
  unknownClient?: UnknownClientPolicy;
  /** Called for every request whose client address cannot be known (count it in your metrics). */
  onUnknownClient?: (event: { request: Request }) => void;
  /** Requests for which this returns `true` are not limited (e.g. health checks). */
  skip?: (req: Request, res: Response) => boolean | Promise<boolean>;
  /** Points a request costs: a number, or a function of the request. @default 1 */
  cost?: number | ((req: Request) => number | Promise<number>);
  /** Headers to send. @default 'standard' */
  headers?: HeaderMode;
  /**
   * Problem `detail` of the 429 response (not of the 503 of a store outage, whose detail is
   * the generic one). @default 'Too many requests, please try again later.'
   */
  message?: string;
  /**
   * `'respond'`: answer here (429 problem+json when limited, 503 when the store is down and
   * `onStoreError` is `'deny'`). `'next'`: pass that `RateLimitError` / `RateLimitStoreError`
   * to `next()` so your error middleware answers (the same option as every Armor Express adapter).
   * @default 'respond'
   */
  onError?: 'respond' | 'next';
  /** @deprecated Use `onError: 'next'` (`true`) or `onError: 'respond'` (`false`). */
  passToNext?: boolean;
  /**
   * Give the points of a request back when it fails (status >= 400, the connection closed
   * before the response finished, or `requestWasSuccessful` says so): only failures count
   * (express-rate-limit's option of the same name). @default false
   */
  skipFailedRequests?: boolean;
  /**
   * Count only failed requests (status >= 400, the connection closed before the response
   * finished, or `requestWasSuccessful` says so), e.g. logins or authentication.
   *
   * Exact semantics: the middleware first checks the limit without taking anything (`peek`):
   * a key whose failures have used up the limit is refused (429). An admitted request takes
   * nothing while it runs; when its response ends as a failure, its points are charged with
   * `penalize` (which counts even past the limit and starts a block when `blockDurationMs` is
   * set). So any number of concurrent successful requests pass, however many are in flight.
   *
   * Trade-off: failures are counted when they end, not when they start, so one concurrent
   * burst from a key can run more failing requests than the limit (every one of them is
   * counted; the key is refused once they finished). Where a burst of failures must never
   * exceed the limit, leave this off and reward successes yourself (reserve-and-refund refuses
   * concurrent successes beyond the limit instead).
   *
   * With `skipFailedRequests` also on, nothing is ever counted. @default false
   */
  skipSuccessfulRequests?: boolean;
  /** Decides success for the two options above. @default (req, res) => res.statusCode < 400 */
  requestWasSuccessful?: (req: Request, res: Response) => boolean;
  /**
   * Called for each limited request (after the limiter's own events). Not called for a
   * request refused because the store is down; listen to the limiter's `storeError` event.
   */
  onLimited?: (req: Request, result: RateLimitResult) => void;
};

const MIDDLEWARE_KEYS = [
  'keyGenerator',
  'trustProxy',
  'unknownClient',
  'onUnknownClient',
  'skip',
  'cost',
  'headers',
  'message',
  'onError',
  'passToNext',
  'skipFailedRequests',
  'skipSuccessfulRequests',
  'requestWasSuccessful',
] as const;

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
  const limiter = resolveLimiter(source as LimiterSource, 'rateLimit', MIDDLEWARE_KEYS);
  const {
    keyGenerator,
    trustProxy,
    skip,
    cost,
    headers: mode = 'standard',
    message = 'Too many requests, please try again later.',
    onError,
    passToNext,
    skipFailedRequests = false,
    skipSuccessfulRequests = false,
    requestWasSuccessful,
    onLimited,
    unknownClient = 'refuse',
    onUnknownClient,
  } = options as Extract<RateLimitMiddlewareOptions, { keyGenerator?: unknown }>;
  checkUnknownClient(unknownClient, onUnknownClient);
  checkAdapterOptions(options as Extract<RateLimitMiddlewareOptions, { keyGenerator?: unknown }>);
  checkOneOf('onError', onError, ['respond', 'next'] as const);
  checkBoolean('passToNext', passToNext);
  checkBoolean('skipFailedRequests', skipFailedRequests);
  checkBoolean('skipSuccessfulRequests', skipSuccessfulRequests);
  checkFunction('requestWasSuccessful', requestWasSuccessful);
  checkFunction('onLimited', onLimited);
  if (onError !== undefined && passToNext !== undefined && (passToNext ? 'next' : 'respond') !== onError) {
    throw new ConfigurationError('passToNext', `contradicts onError: '${onError}' (passToNext is the deprecated name of onError: 'next')`, { received: passToNext });
  }
  const toNext = (onError ?? (passToNext ? 'next' : 'respond')) === 'next';
  const trust = trustProxy === undefined ? undefined : compileTrustProxy(parseTrustProxy(trustProxy));
  /** The key of a request; `undefined` when its client cannot be known (see `unknownClient`). */
  const keyOf: (req: Request) => string | undefined | Promise<string> =
    keyGenerator ??
    (trust === undefined
      ? (req: Request) => {
          const ip = req.ip ?? req.socket.remoteAddress;
          return ip === undefined || ip === '' ? undefined : ipKey(ip);
        }
      : (req: Request) => {
          const ip = clientIp({ remoteAddress: req.socket.remoteAddress, forwardedFor: req.headers['x-forwarded-for'] as string | undefined, trustProxy: trust });
          return ip === undefined ? undefined : ipKey(ip);
        });
  const sync = typeof limiter.store.applySync === 'function';
  /** Reserve and refund: take the points up front, give them back after a failed response. */
  const refunds = skipFailedRequests && !skipSuccessfulRequests;
  /** Count on failure: check with `peek`, charge only a failed response (see `skipSuccessfulRequests`). */
  const failuresOnly = skipSuccessfulRequests;

  /**
   * After the response: reserve-and-refund gives the points of a failed request back;
   * count-on-failure charges a failed request's points (unless failures are skipped too).
   */
  const settleLater = (req: Request, res: Response, key: string, points: number) => {
    let done = false;
    const settle = (failed: boolean) => {
      if (done) return;
      done = true;
      let ok = !failed;
      if (ok) {
        try {
          ok = requestWasSuccessful ? requestWasSuccessful(req, res) === true : res.statusCode < 400;
        } catch {
          ok = false;
        }
      }
      if (ok || skipFailedRequests) {
        if (!ok && refunds) limiter.reward(key, points).catch(() => undefined);
        return;
      }
      if (failuresOnly) limiter.penalize(key, points).catch(() => undefined);
    };
    res.once('finish', () => settle(false));
    res.once('close', () => settle(!res.writableFinished));
    res.once('error', () => settle(true));
  };
  const answer = (req: Request, res: Response, next: (err?: unknown) => void, error: ArmorError) => {
    if (toNext) {
      next(error);
      return;
    }
    const body = toProblemDetails(error, { instance: req.path });
    res.status(body.status).set(problemHeaders(error)).send(JSON.stringify(body));
  };

  const finish = (req: Request, res: Response, next: (err?: unknown) => void, result: RateLimitResult, key: string, points: number) => {
    const outage = storeFailure(result, limiter);
    if (outage) {
      // Store down, limiter failed closed: 503, without RateLimit headers or Retry-After.
      answer(req, res, next, outage);
      return;
    }
    const extra = headersFor(result, limiter, mode);
    for (const name in extra) res.setHeader(name, extra[name]!);
    if (result.allowed) {
      // Only a request the limiter counted can be given back (not a fail-open answer).
      if (failuresOnly ? points > 0 && !skipFailedRequests : refunds && points > 0 && result.source !== 'onStoreError') settleLater(req, res, key, points);
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

  const consume = (req: Request, res: Response, next: (err?: unknown) => void, key: string, points: number) => {
    if (failuresOnly) {
      limiter.peek(key, points).then((result) => finish(req, res, next, result, key, points), next);
      return;
    }
    if (sync) {
      finish(req, res, next, limiter.consumeSync(key, points), key, points);
      return;
    }
    limiter.consume(key, points).then((result) => finish(req, res, next, result, key, points), next);
  };
  const limit = (req: Request, res: Response, next: (err?: unknown) => void, key: string | undefined) => {
    if (key === undefined) {
      reportUnknownClient(onUnknownClient, req);
      if (unknownClient === 'refuse') {
        answer(req, res, next, new UnknownClientError());
        return;
      }
      key = unknownClient.key;
    }
    const points = typeof cost === 'function' ? cost(req) : (cost ?? 1);
    if (typeof points === 'number') consume(req, res, next, key, points);
    else Promise.resolve(points).then((p) => consume(req, res, next, key, p)).catch(next);
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
      if (key === undefined || typeof key === 'string') limit(req, res, next, key);
      else key.then((k) => limit(req, res, next, k)).catch(next);
    } catch (error) {
      next(error);
    }
  };
}

export { ipKey, clientIp, compileTrustProxy, normalizeIp, parseTrustProxy } from './ip.js';
export type { TrustFunction, TrustProxy } from './ip.js';

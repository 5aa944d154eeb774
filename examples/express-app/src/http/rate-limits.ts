/**
 * The rate-limit middleware around the service's limiters (`services.ts`): `login`
 * (`createAuthLimiter`: failed logins per account and per address), `authFailures` per IP in
 * front of key authentication (counted on failure only), and `api` (per key) or `standard`
 * (per IP), which charge each request once between them.
 *
 * @module
 */
import type { Request, RequestHandler, Response } from 'express';
import { RateLimitError } from '@armor/errors';
import { rateLimitHeaders, type AuthAttempt, type RateLimitResult } from '@armor/rate-limit';
import { clientIp, ipKey, rateLimit } from '@armor/rate-limit/express';
import type { Limiters } from '../services.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** Set by the first request-rate limiter a request passes (`api` or `standard`): one charge per request. */
      rateLimitCharged?: boolean;
    }
  }
}

/** Login limiting around `@armor/rate-limit`'s `createAuthLimiter` (see {@link RateLimits.login}). */
export interface LoginLimit {
  /** Before the password is checked: throws a `RateLimitError` (429) when the account or the address is blocked. */
  check(req: Request, res: Response, email: string): Promise<AuthAttempt>;
  /** After a wrong password (or an unknown account): one failure for the account and one for the address. */
  failure(attempt: AuthAttempt): Promise<void>;
  /** After a successful login: the account's failures are forgotten (the address keeps its count). */
  success(attempt: AuthAttempt): Promise<void>;
}

/** The rate-limit middleware of the service. */
export interface RateLimits {
  /**
   * Login: failures counted per account (across every address) and per address (across every
   * account), with growing blocks, as `@armor/rate-limit` documents `createAuthLimiter` for.
   */
  login: LoginLimit;
  /** Per API key (or the admin key), after authentication. */
  apiLimit: RequestHandler;
  /** Per IP, on the browser routes and unknown routes. */
  standardLimit: RequestHandler;
  /**
   * Per IP, in front of API-key and admin authentication: refuses (429) an address that has
   * used up its failure budget, before any key lookup. It takes nothing from the budget itself:
   * only failed authentications count ({@link RateLimits.authFailed}), so any number of
   * concurrent requests with valid keys pass.
   */
  authFailureLimit: RequestHandler;
  /** Counts one failed authentication (a 401) for the request's address. */
  authFailed(req: Request): Promise<void>;
}

/** The key of each connection's peer, while no proxy is trusted (one entry per socket, dropped with it). */
const peerKeys = new WeakMap<object, string>();

/**
 * The client's address as a rate-limit key (IPv6 by /64, via `ipKey`). The address is the one
 * `req.ip` gives under the app's `trust proxy` hop count, worked out by the kernel's `clientIp`:
 * Express's getter runs `proxy-addr` over every address on each read, even when no proxy is
 * trusted (about 3 µs per request here). Without a trusted proxy the key depends on the
 * connection's peer only, so it is worked out once per keep-alive connection. A forwarded entry
 * that is not an address (which `req.ip` would return as it came) is `unknown`: one bucket, not
 * a key per string a client could rotate.
 */
export const clientKey = (req: Request): string => {
  const hops = req.app.get('trust proxy') as number;
  const forwardedFor = req.headers['x-forwarded-for'] as string | undefined;
  if (hops === 0 || forwardedFor === undefined) {
    let key = peerKeys.get(req.socket);
    if (key === undefined) {
      key = ipKey(clientIp({ remoteAddress: req.socket.remoteAddress }) ?? 'unknown');
      peerKeys.set(req.socket, key);
    }
    return key;
  }
  return ipKey(clientIp({ remoteAddress: req.socket.remoteAddress, forwardedFor, trustProxy: hops }) ?? 'unknown');
};

/** Runs `limit` unless an earlier limiter already charged this request (so an unknown route costs one point, not two). */
const once =
  (limit: RequestHandler): RequestHandler =>
  (req, res, next) => {
    if (res.locals.rateLimitCharged) return next();
    res.locals.rateLimitCharged = true;
    return limit(req, res, next);
  };

const refusal = (result: RateLimitResult, what: string) => new RateLimitError(what, { retryAfterMs: result.retryAfterMs });

/** Builds the middleware for `limiters`. */
export function rateLimits(limiters: Limiters): RateLimits {
  const { login, authFailures } = limiters;
  return {
    login: {
      async check(req, res, email) {
        const attempt = { account: email.toLowerCase().slice(0, 320), ip: clientKey(req) };
        const verdict = await login.check(attempt);
        // The account half's policy is what a client can plan with (5 failures per 15 minutes).
        res.set(rateLimitHeaders(verdict, login.account.policy, { name: 'auth' }));
        if (!verdict.allowed) throw refusal(verdict, 'Too many failed logins; try again later');
        return attempt;
      },
      async failure(attempt) {
        await login.failure(attempt);
      },
      async success(attempt) {
        await login.success(attempt);
      },
    },
    apiLimit: once(rateLimit({ limiter: limiters.api, onError: 'next', keyGenerator: (req) => `key:${req.res?.locals.principal?.keyId ?? 'admin'}` })),
    standardLimit: once(rateLimit({ limiter: limiters.standard, onError: 'next', keyGenerator: clientKey })),
    // Count on failure, not reserve-and-refund: a reserved point would be held until the
    // response finished, so more requests in flight than the budget (valid keys included)
    // would be refused. The price: one concurrent burst of bad keys can cost more lookups than
    // the budget before the first failures are counted; every later attempt is refused.
    // With the in-memory store the check is synchronous (no promise per request); with Redis it awaits.
    authFailureLimit: typeof authFailures.store.applySync === 'function'
      ? (req, _res, next) => {
          const verdict = authFailures.peekSync(clientKey(req));
          if (!verdict.allowed) throw refusal(verdict, 'Too many failed authentications from this address; try again later');
          next();
        }
      : async (req, _res, next) => {
          const verdict = await authFailures.peek(clientKey(req));
          if (!verdict.allowed) throw refusal(verdict, 'Too many failed authentications from this address; try again later');
          next();
        },
    async authFailed(req) {
      await authFailures.penalize(clientKey(req));
    },
  };
}

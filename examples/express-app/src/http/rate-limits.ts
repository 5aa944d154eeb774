/**
 * The rate-limit middleware around the service's limiters (`services.ts`): `auth` per account
 * and address on login, `authFailures` per IP in front of key authentication, and `api` (per
 * key) or `standard` (per IP), which charge each request once between them.
 *
 * @module
 */
import type { Request, RequestHandler } from 'express';
import { ipKey, rateLimit } from '@armor/rate-limit/express';
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

/** The rate-limit middleware of the service. */
export interface RateLimits {
  /** Login: per address and account (`email` in the body), so one attacker cannot lock everybody out. */
  authLimit: RequestHandler;
  /** Per API key (or the admin key), after authentication. */
  apiLimit: RequestHandler;
  /** Per IP, on the browser routes and unknown routes. */
  standardLimit: RequestHandler;
  /**
   * Per IP, in front of API-key and admin authentication: every attempt takes a point first
   * (so a flood is refused before any key lookup), and only failed authentications (401) keep it.
   */
  authFailureLimit: RequestHandler;
}

/** The client's address as a rate-limit key (IPv6 by /64, via `ipKey`). */
export const clientKey = (req: Request): string => ipKey(req.ip ?? req.socket.remoteAddress ?? 'unknown');

/** Runs `limit` unless an earlier limiter already charged this request (so an unknown route costs one point, not two). */
const once =
  (limit: RequestHandler): RequestHandler =>
  (req, res, next) => {
    if (res.locals.rateLimitCharged) return next();
    res.locals.rateLimitCharged = true;
    return limit(req, res, next);
  };

/** Builds the middleware for `limiters`. */
export function rateLimits(limiters: Limiters): RateLimits {
  return {
    authLimit: rateLimit({
      limiter: limiters.auth,
      passToNext: true,
      keyGenerator: (req) => `${clientKey(req)}:${String((req.body as { email?: unknown } | undefined)?.email ?? '').toLowerCase().slice(0, 320)}`,
    }),
    apiLimit: once(rateLimit({ limiter: limiters.api, onError: 'next', keyGenerator: (req) => `key:${req.res?.locals.principal?.keyId ?? 'admin'}` })),
    standardLimit: once(rateLimit({ limiter: limiters.standard, onError: 'next', keyGenerator: clientKey })),
    authFailureLimit: rateLimit({
      limiter: limiters.authFailures,
      onError: 'next',
      keyGenerator: clientKey,
      headers: false,
      skipSuccessfulRequests: true,
      requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    }),
  };
}

/**
 * Five documented presets, and `createAuthLimiter` for logins (the `auth` tier applied per
 * account and per IP, with growing blocks after repeated failures, as the OWASP
 * Authentication and Credential Stuffing cheat sheets recommend).
 *
 * @module
 */
import { checkObject, checkOptions } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import { createRateLimiter, type RateLimiter, type RateLimiterOptions } from './limiter.js';
import type { RateLimitResult } from './types.js';

/** The numeric part of a limiter's options; spread it into `createRateLimiter`. */
export type TierPreset = Readonly<
  Pick<RateLimiterOptions, 'algorithm' | 'limit' | 'windowMs' | 'burst' | 'blockDurationMs' | 'blockGrowth' | 'maxBlockDurationMs'>
> & { readonly windowMs: number };

/** Names of the presets. */
export type TierName = 'strict' | 'standard' | 'relaxed' | 'api' | 'auth';

const MINUTE = 60_000;

const AUTH_IP = {
  algorithm: 'sliding-window',
  limit: 100,
  windowMs: 15 * MINUTE,
  blockDurationMs: 15 * MINUTE,
  blockGrowth: 2,
  maxBlockDurationMs: 24 * 60 * MINUTE,
} as const satisfies TierPreset;

const AUTH_ACCOUNT = {
  algorithm: 'sliding-window',
  limit: 5,
  windowMs: 15 * MINUTE,
  blockDurationMs: 15 * MINUTE,
  blockGrowth: 2,
  maxBlockDurationMs: 24 * 60 * MINUTE,
} as const satisfies TierPreset;

/**
 * The auth tier: the per-account numbers, plus the per-IP half as `ip`. `ip` is a
 * non-enumerable property, so `{ ...tiers.auth }` copies only the limiter options and
 * `createRateLimiter({ ...tiers.auth, store })` works like every other tier.
 */
const AUTH: typeof AUTH_ACCOUNT & {
  /** The per-IP half of the auth tier (credential stuffing spreads over accounts). Not copied by a spread. */
  readonly ip: typeof AUTH_IP;
} = Object.freeze(Object.defineProperty({ ...AUTH_ACCOUNT }, 'ip', { value: Object.freeze({ ...AUTH_IP }), enumerable: false })) as never;

/**
 * The presets. Use with `createRateLimiter({ ...tiers.standard, store })`, or by name in the
 * Express and Fetch adapters (`rateLimit({ tier: 'strict' })`).
 *
 * | tier | algorithm | numbers | for |
 * |---|---|---|---|
 * | `strict` | sliding window | 10 per minute | expensive or abusable endpoints: signup, password reset, exports |
 * | `standard` | sliding window | 100 per minute | ordinary authenticated pages and mutations |
 * | `relaxed` | sliding window | 1,000 per minute | cheap reads, static-ish JSON |
 * | `api` | GCRA | 600 per minute (10/s sustained), bursts of 60 | machine clients with API keys |
 * | `auth` | sliding window | 5 failures per 15 min per account, then a 15 min block doubling up to 24 h; per IP 100 failures per 15 min, same blocks | logins (see `createAuthLimiter`) |
 *
 * **For logins use {@link createAuthLimiter}, not `tier: 'auth'`.** The `auth` tier has two
 * halves (per account, and per IP in `tiers.auth.ip`); only `createAuthLimiter` applies both
 * and counts failures only. `tier: 'auth'` in `rateLimit()` / `withRateLimit()` (or
 * `tierOptions('auth')`) keeps just the per-account numbers (5 per 15 min), applied to every
 * request on whatever key the adapter uses (by default the client IP): no per-IP half, no
 * account key, and successful logins count too.
 */
export const tiers = {
  strict: { algorithm: 'sliding-window', limit: 10, windowMs: MINUTE },
  standard: { algorithm: 'sliding-window', limit: 100, windowMs: MINUTE },
  relaxed: { algorithm: 'sliding-window', limit: 1_000, windowMs: MINUTE },
  api: { algorithm: 'gcra', limit: 600, windowMs: MINUTE, burst: 60 },
  /**
   * Logins, per account: 5 failures per 15 min, then a 15 min block doubling up to 24 h.
   * `tiers.auth.ip` is the per-IP half (100 failures per 15 min, same blocks); it is
   * non-enumerable, so `createRateLimiter({ ...tiers.auth, store })` spreads only the account
   * numbers. Prefer {@link createAuthLimiter}, which applies both halves.
   */
  auth: AUTH,
} as const satisfies Record<Exclude<TierName, 'auth'>, TierPreset> & { auth: TierPreset & { ip: TierPreset } };

/** Options of {@link createAuthLimiter}: shared limiter options plus per-half overrides. */
export interface AuthLimiterOptions extends Pick<RateLimiterOptions, 'store' | 'insurance' | 'onStoreError' | 'clock' | 'blockCache'> {
  /** Name prefix of the two limiters (`<name>:account`, `<name>:ip`). @default 'auth' */
  name?: string;
  /** Overrides of the per-account limiter. */
  account?: Partial<TierPreset>;
  /** Overrides of the per-IP limiter. */
  ip?: Partial<TierPreset>;
}

/** Who is trying to log in. */
export interface AuthAttempt {
  /** The account identifier as typed (normalize it, e.g. lower-case the e-mail, first). */
  account: string;
  /** The client address (use `ipKey`). */
  ip: string;
}

/** The login guard returned by {@link createAuthLimiter}. */
export interface AuthLimiter {
  readonly account: RateLimiter;
  readonly ip: RateLimiter;
  /** Before checking the password: may this attempt proceed? (takes nothing) */
  check(attempt: AuthAttempt): Promise<RateLimitResult>;
  /** After a failed login: counts a failure for the account and the IP. */
  failure(attempt: AuthAttempt): Promise<RateLimitResult>;
  /** After a successful login: clears the account's failures (the IP's stay counted). */
  success(attempt: AuthAttempt): Promise<void>;
}

function worst(a: RateLimitResult, b: RateLimitResult): RateLimitResult {
  if (a.allowed !== b.allowed) return a.allowed ? b : a;
  if (!a.allowed) return a.retryAfterMs >= b.retryAfterMs ? a : b;
  return a.remaining <= b.remaining ? a : b;
}

/**
 * Brute-force and credential-stuffing protection for logins: failures are counted per
 * account and per IP separately; either reaching its limit blocks further attempts with a
 * block that doubles each time (15 min, 30 min, … up to 24 h by default).
 *
 * @example
 * ```ts
 * const auth = createAuthLimiter({ store: redisStore({ client }) });
 * const attempt = { account: email.toLowerCase(), ip: ipKey(req.ip) };
 * const verdict = await auth.check(attempt);
 * if (!verdict.allowed) throw new RateLimitError('Too many attempts', { retryAfterMs: verdict.retryAfterMs });
 * if (await verifyPassword(email, password)) await auth.success(attempt);
 * else await auth.failure(attempt);
 * ```
 */
export function createAuthLimiter(options: AuthLimiterOptions = {}): AuthLimiter {
  checkOptions('createAuthLimiter', options, ['name', 'account', 'ip', 'store', 'insurance', 'onStoreError', 'clock', 'blockCache']);
  const { name = 'auth', account: accountOverrides, ip: ipOverrides, ...shared } = options;
  const presetKeys = ['algorithm', 'limit', 'windowMs', 'burst', 'blockDurationMs', 'blockGrowth', 'maxBlockDurationMs'];
  checkObject('account', accountOverrides);
  checkObject('ip', ipOverrides);
  checkOptions('createAuthLimiter account', accountOverrides, presetKeys);
  checkOptions('createAuthLimiter ip', ipOverrides, presetKeys);
  const account = createRateLimiter({ ...AUTH_ACCOUNT, ...accountOverrides, ...shared, name: `${name}:account` });
  const ip = createRateLimiter({ ...AUTH_IP, ...ipOverrides, ...shared, name: `${name}:ip` });
  return {
    account,
    ip,
    async check(attempt) {
      const [a, b] = await Promise.all([account.peek(attempt.account), ip.peek(attempt.ip)]);
      return worst(a, b);
    },
    async failure(attempt) {
      const [a, b] = await Promise.all([account.penalize(attempt.account), ip.penalize(attempt.ip)]);
      return worst(a, b);
    },
    async success(attempt) {
      await account.reset(attempt.account);
    },
  };
}

/**
 * @internal Resolves a tier name or preset to limiter options. `'auth'` resolves to its
 * per-account half only (the per-IP half `tiers.auth.ip` is dropped): the account + IP split
 * exists only in {@link createAuthLimiter}.
 */
export function tierOptions(tier: TierName | TierPreset): TierPreset {
  if (typeof tier !== 'string') return tier;
  if (!Object.prototype.hasOwnProperty.call(tiers, tier)) {
    throw new ConfigurationError('tier', `must be one of ${Object.keys(tiers).map((t) => `'${t}'`).join(', ')} or a preset object`, { received: tier });
  }
  return tier === 'auth' ? AUTH_ACCOUNT : tiers[tier];
}

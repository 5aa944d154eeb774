/**
 * Rate limiting on Convex with @armor/rate-limit's table-backed store (`@armor/rate-limit/convex`):
 * the limiter state lives in the `rateLimits` table and each consume is part of the calling
 * mutation's transaction (serializable), so limits are exact under concurrency. A rejected
 * consume throws, which rolls the transaction back — a rejected call uses no points.
 */
import { RateLimitError } from '@armor/errors';
import { createRateLimiter, tiers, type TierName } from '@armor/rate-limit';
import { convexStore } from '@armor/rate-limit/convex';
import type { MutationCtx } from '../_generated/server';

export type { TierName };

function preset(tier: TierName) {
  if (tier === 'auth') {
    // The per-account half of the auth tier; logins with failure tracking use createAuthLimiter.
    const { ip: _ip, ...account } = tiers.auth;
    return account;
  }
  return tiers[tier];
}

/** Consumes one point of `tier` for `key`, throwing a `RateLimitError` (429) when limited. */
export async function enforceRateLimit(ctx: Pick<MutationCtx, 'db'>, tier: TierName, key: string): Promise<void> {
  const limiter = createRateLimiter({ ...preset(tier), name: tier, prefix: `rl:${tier}:`, store: convexStore(ctx) });
  const result = await limiter.consume(key.slice(0, 400));
  if (!result.allowed) {
    throw new RateLimitError('Too many requests, please slow down', { retryAfterMs: result.retryAfterMs, details: { tier } });
  }
}

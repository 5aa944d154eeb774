/**
 * Rate limiting on Convex with @armor/rate-limit's table-backed store (`@armor/rate-limit/convex`):
 * the limiter state lives in the `rateLimits` table and each consume is part of the calling
 * mutation's transaction (serializable), so limits are exact under concurrency. A rejected
 * consume throws, which rolls the transaction back — a rejected call uses no points.
 *
 * Every decision is also counted in `rateLimitStats` (one indexed read and one write per call),
 * which is where the snapshot's rate-limit numbers come from. What that can and cannot count:
 * - **allowed** — counted in the transaction that consumed the point, so the count commits
 *   exactly when the call does (a call whose handler throws afterwards is rolled back with its
 *   point and its count).
 * - **limited, actions** — `rateLimit.consume` returns the refusal instead of throwing, so the
 *   count commits; `armorAction` then throws the `RateLimitError`.
 * - **limited, mutations** — a refused mutation must throw, and Convex rolls back everything a
 *   throwing mutation wrote, the counter included. Only the caller learns of the refusal, so
 *   the client reports it (`rateLimit.reportRejected`, wired into `useTimedMutation`): the name
 *   must be one of {@link RATE_LIMITED_MUTATIONS}, and the report is rate-limited per caller.
 */
import { ConfigurationError, RateLimitError } from '@armor/errors';
import { createRateLimiter, tiers, type RateLimitResult, type TierName } from '@armor/rate-limit';
import { convexStore } from '@armor/rate-limit/convex';
import type { MutationCtx } from '../_generated/server';
import { RATE_LIMITED_MUTATIONS } from './limiters';

export type { TierName };

/** Resolution of `rateLimitStats` rows (ms): one row set per limiter and minute. */
export const STATS_BUCKET_MS = 60 * 1000;
/** Rows per limiter and minute; a limiter key always writes the same shard. */
export const STATS_SHARDS = 4;

/** Throws a `ConfigurationError` unless `name` is registered with `tier` in {@link RATE_LIMITED_MUTATIONS}. */
export function assertRegisteredMutation(name: string, tier: TierName): void {
  if (RATE_LIMITED_MUTATIONS[name] !== tier) {
    throw new ConfigurationError('rateLimit', `mutation "${name}" must be listed in RATE_LIMITED_MUTATIONS with tier "${tier}"`, { received: RATE_LIMITED_MUTATIONS[name] });
  }
}

function preset(tier: TierName) {
  if (tier === 'auth') {
    // The per-account half of the auth tier; logins with failure tracking use createAuthLimiter.
    const { ip: _ip, ...account } = tiers.auth;
    return account;
  }
  return tiers[tier];
}

function shardOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % STATS_SHARDS;
}

/**
 * Adds to the `rateLimitStats` row of `limiter` for the current minute (O(1): one lookup
 * through `by_limiter_bucket_shard`, one patch or insert).
 */
export async function countDecision(
  ctx: Pick<MutationCtx, 'db'>,
  decision: { limiter: string; tier: TierName; key: string; allowed: boolean },
): Promise<void> {
  const bucket = Math.floor(Date.now() / STATS_BUCKET_MS) * STATS_BUCKET_MS;
  const shard = shardOf(decision.key);
  const row = await ctx.db
    .query('rateLimitStats')
    .withIndex('by_limiter_bucket_shard', (q) => q.eq('limiter', decision.limiter).eq('bucket', bucket).eq('shard', shard))
    .unique();
  const field = decision.allowed ? 'allowed' : 'limited';
  if (row) await ctx.db.patch(row._id, { [field]: row[field] + 1 });
  else await ctx.db.insert('rateLimitStats', { limiter: decision.limiter, tier: decision.tier, bucket, shard, allowed: decision.allowed ? 1 : 0, limited: decision.allowed ? 0 : 1 });
}

/** What to limit: `limiter` names the function (the stats row), `key` the caller within it. */
export interface RateLimitTarget {
  tier: TierName;
  limiter: string;
  key: string;
  /** Points this call takes. @default 1 */
  cost?: number;
}

function limiterFor(ctx: Pick<MutationCtx, 'db'>, tier: TierName) {
  return createRateLimiter({ ...preset(tier), name: tier, prefix: `rl:${tier}:`, store: convexStore(ctx) });
}

const fullKeyOf = (target: RateLimitTarget) => `${target.limiter}:${target.key}`.slice(0, 400);

/** Consumes `cost` (default 1) points of `tier` for `limiter:key` and counts the decision; never throws for a limit. */
export async function consumeRateLimit(ctx: Pick<MutationCtx, 'db'>, target: RateLimitTarget): Promise<RateLimitResult> {
  const { tier, limiter: name } = target;
  const fullKey = fullKeyOf(target);
  const result = await limiterFor(ctx, tier).consume(fullKey, target.cost ?? 1);
  await countDecision(ctx, { limiter: name, tier, key: fullKey, allowed: result.allowed });
  return result;
}

/** Whether `target` would be refused right now (its budget is used up), without taking anything or counting. */
export async function isExhausted(ctx: Pick<MutationCtx, 'db'>, target: RateLimitTarget): Promise<boolean> {
  return !(await limiterFor(ctx, target.tier).peek(fullKeyOf(target))).allowed;
}

/** A `RateLimitError` (429) for a refused consume of `tier`. */
export function rateLimitError(tier: TierName, retryAfterMs: number): RateLimitError {
  return new RateLimitError('Too many requests, please slow down', { retryAfterMs, details: { tier } });
}

/**
 * Consumes one point, throwing a `RateLimitError` (429) when limited — for mutations, where the
 * throw rolls back the transaction (the refusal's count with it; see the module comment).
 */
export async function enforceRateLimit(ctx: Pick<MutationCtx, 'db'>, target: RateLimitTarget): Promise<void> {
  const result = await consumeRateLimit(ctx, target);
  if (!result.allowed) throw rateLimitError(target.tier, result.retryAfterMs);
}

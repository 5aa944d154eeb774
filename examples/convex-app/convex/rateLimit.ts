import { v } from 'convex/values';
import { deleteExpiredRateLimits } from '@armor/rate-limit/convex';
import { z } from 'zod';
import { internalMutation } from './_generated/server';
import { armorMutation, sessionIdSchema, targetsOf } from './lib/armor';
import { RATE_LIMITED_MUTATIONS, REPORTABLE_LIMITERS } from './lib/limiters';
import { consumeRateLimit, countDecision, isExhausted } from './lib/rateLimit';

const tier = v.union(v.literal('strict'), v.literal('standard'), v.literal('relaxed'), v.literal('api'), v.literal('auth'));

/**
 * Internal: lets actions (which have no `ctx.db`) consume from the table-backed limiter.
 *
 * Returns the decision as plain JSON instead of throwing a refusal: a throw would roll back
 * this mutation, and with it the refusal's count in `rateLimitStats`. `armorAction` throws the
 * `RateLimitError` itself (in the action, outside this transaction). Plain JSON also crosses
 * `ctx.runMutation` intact on a real deployment, where an error other than a `ConvexError`
 * would arrive as a bare `Error`.
 */
export const consume = internalMutation({
  args: { tier, limiter: v.string(), key: v.string(), cost: v.optional(v.number()) },
  handler: async (ctx, target): Promise<{ allowed: true } | { allowed: false; retryAfterMs: number }> => {
    const result = await consumeRateLimit(ctx, target);
    return result.allowed ? { allowed: true } : { allowed: false, retryAfterMs: result.retryAfterMs };
  },
});

/**
 * Public: the client reports that one of its mutations was refused with `RATE_LIMITED`
 * (`useTimedMutation` does it). Convex rolls back a refused mutation's writes — the count of
 * its refusal included — so only the caller can tell. The name must be a registered
 * rate-limited mutation; the report is rate-limited per caller (`standard`) and not audited.
 *
 * A report is counted only when it is plausible: the caller's budget for that mutation (or,
 * for anonymous callers, the per-address anonymous ceiling) is used up right now, exactly as
 * the mutation would have found it. An invented refusal (the caller was never limited) is
 * accepted and ignored, so it cannot inflate the dashboard's refusals. Returns whether it
 * was counted.
 */
export const reportRejected = armorMutation({
  name: 'rateLimit.reportRejected',
  args: z.object({ limiter: z.enum(REPORTABLE_LIMITERS as [string, ...string[]]), sessionId: sessionIdSchema.optional() }),
  access: 'anyone',
  rateLimit: { tier: 'standard' },
  audit: false,
  handler: async (ctx, { limiter }, caller): Promise<boolean> => {
    const tier = RATE_LIMITED_MUTATIONS[limiter]!;
    const targets = await targetsOf(ctx, limiter, tier, caller);
    let refused = false;
    for (const target of targets) if (await isExhausted(ctx, target)) refused = true;
    if (!refused) return false;
    await countDecision(ctx, { limiter, tier, key: `${limiter}:${targets[0]!.key}`, allowed: false });
    return true;
  },
});

/** Internal: deletes expired limiter rows (cron). */
export const cleanup = internalMutation({
  args: {},
  handler: async (ctx) => deleteExpiredRateLimits(ctx),
});

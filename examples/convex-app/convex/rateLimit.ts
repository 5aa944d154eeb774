import { v } from 'convex/values';
import { deleteExpiredRateLimits } from '@armor/rate-limit/convex';
import { internalMutation } from './_generated/server';
import { enforceRateLimit } from './lib/rateLimit';

const tier = v.union(v.literal('strict'), v.literal('standard'), v.literal('relaxed'), v.literal('api'), v.literal('auth'));

/** Internal: lets actions (which have no `ctx.db`) consume from the table-backed limiter. */
export const consume = internalMutation({
  args: { tier, key: v.string() },
  handler: async (ctx, { tier, key }) => enforceRateLimit(ctx, tier, key),
});

/** Internal: deletes expired limiter rows (cron). */
export const cleanup = internalMutation({
  args: {},
  handler: async (ctx) => deleteExpiredRateLimits(ctx),
});

import { v } from 'convex/values';
import { toConvexError } from '@armor/errors/convex';
import { deleteExpiredRateLimits } from '@armor/rate-limit/convex';
import { internalMutation } from './_generated/server';
import { enforceRateLimit } from './lib/rateLimit';

const tier = v.union(v.literal('strict'), v.literal('standard'), v.literal('relaxed'), v.literal('api'), v.literal('auth'));

/**
 * Internal: lets actions (which have no `ctx.db`) consume from the table-backed limiter.
 *
 * A refusal leaves as `ConvexError({ armor: true, code: 'RATE_LIMITED', status: 429,
 * retryAfterMs })`, not as the `RateLimitError` class: on a real deployment an error crossing
 * `ctx.runMutation` keeps only a `ConvexError`'s `data` (any other error arrives in the action
 * as a plain `Error` with the message, which would become a 500). `armorAction` turns the data
 * back into a `RateLimitError` with `fromUnknown`.
 */
export const consume = internalMutation({
  args: { tier, key: v.string() },
  handler: async (ctx, { tier, key }) => {
    try {
      await enforceRateLimit(ctx, tier, key);
    } catch (thrown) {
      throw toConvexError(thrown);
    }
  },
});

/** Internal: deletes expired limiter rows (cron). */
export const cleanup = internalMutation({
  args: {},
  handler: async (ctx) => deleteExpiredRateLimits(ctx),
});

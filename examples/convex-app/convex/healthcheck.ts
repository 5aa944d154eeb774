import { internalQuery } from './_generated/server';

/** A cheap database round trip for the health check (reads at most one row via an index). */
export const ping = internalQuery({
  args: {},
  handler: async (ctx) => {
    await ctx.db.query('users').withIndex('by_email').first();
    return true;
  },
});

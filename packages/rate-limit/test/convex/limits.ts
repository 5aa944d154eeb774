import { v } from 'convex/values';
import { consumeAll, createRateLimiter, tiers } from '../../src/index.js';
import { convexStore, deleteExpiredRateLimits } from '../../src/convex.js';
import { mutation, query } from './_generated/server.js';

const algorithm = v.union(v.literal('fixed-window'), v.literal('sliding-window'), v.literal('token-bucket'), v.literal('gcra'));

export const consume = mutation({
  args: { key: v.string(), algorithm, limit: v.number(), windowMs: v.number(), cost: v.optional(v.number()) },
  handler: async (ctx, { key, cost, ...options }) => {
    const limiter = createRateLimiter({ ...options, store: convexStore(ctx) });
    return limiter.consume(key, cost);
  },
});

export const consumeBoth = mutation({
  args: { key: v.string() },
  handler: async (ctx, { key }) => {
    const store = convexStore(ctx);
    const strict = createRateLimiter({ ...tiers.strict, store, name: 'strict' });
    const daily = createRateLimiter({ algorithm: 'fixed-window', limit: 12, windowMs: 86_400_000, store, name: 'daily' });
    return consumeAll([strict, daily], key);
  },
});

export const reset = mutation({
  args: { key: v.string(), algorithm, limit: v.number(), windowMs: v.number() },
  handler: async (ctx, { key, ...options }) => {
    await createRateLimiter({ ...options, store: convexStore(ctx) }).reset(key);
  },
});

export const peek = query({
  args: { key: v.string(), algorithm, limit: v.number(), windowMs: v.number() },
  handler: async (ctx, { key, ...options }) => createRateLimiter({ ...options, store: convexStore(ctx) }).peek(key),
});

export const cleanup = mutation({
  args: { now: v.number() },
  handler: async (ctx, { now }) => deleteExpiredRateLimits(ctx, { now }),
});

export const rowCount = query({
  args: {},
  handler: async (ctx) => (await ctx.db.query('rateLimits').collect()).length,
});

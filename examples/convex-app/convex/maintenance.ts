import { v } from 'convex/values';
import { internalMutation } from './_generated/server';

/** Retention (ms) of metric samples and audit rows. */
export const SAMPLE_RETENTION_MS = 24 * 60 * 60 * 1000;
export const AUDIT_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;

/**
 * Deletes metric samples and audit rows older than their retention, in bounded batches
 * (index `by_at`), and expired rate-limit rows.
 */
export const trim = internalMutation({
  args: { batch: v.optional(v.number()) },
  handler: async (ctx, { batch = 500 }) => {
    const now = Date.now();
    const samples = await ctx.db
      .query('metricSamples')
      .withIndex('by_at', (q) => q.lt('at', now - SAMPLE_RETENTION_MS))
      .take(batch);
    const audits = await ctx.db
      .query('auditLog')
      .withIndex('by_at', (q) => q.lt('at', now - AUDIT_RETENTION_MS))
      .take(batch);
    for (const row of [...samples, ...audits]) await ctx.db.delete(row._id);
    return { samples: samples.length, audits: audits.length };
  },
});

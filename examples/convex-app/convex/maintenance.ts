import { v } from 'convex/values';
import { internal } from './_generated/api';
import { internalMutation } from './_generated/server';
import { AUDIT_RETENTION_MS, ERROR_GROUP_RETENTION_MS, RATE_LIMIT_STATS_RETENTION_MS, SAMPLE_RETENTION_MS, VITALS_RETENTION_MS } from './lib/retention';

export { AUDIT_RETENTION_MS, ERROR_GROUP_RETENTION_MS, RATE_LIMIT_STATS_RETENTION_MS, SAMPLE_RETENTION_MS, VITALS_RETENTION_MS };

/** Default number of rows deleted per table and run. */
export const TRIM_BATCH = 500;

/**
 * Deletes rows older than their retention (`./lib/retention.ts`), oldest first, at most
 * `batch` per table and run, each through the index on its age: metric samples (server and
 * client) and audit rows (`by_at`), error groups (server and client) not seen for 30 days
 * (`by_lastSeen`), rate-limit stats
 * (`by_bucket`), and web vitals (`webVitalBuckets` by minute, `webVitalRoutes` not seen for a day). When a table had more than a batch to delete, the run schedules itself again
 * right away, so a backlog drains in bounded transactions instead of waiting for the next hour.
 */
export const trim = internalMutation({
  args: { batch: v.optional(v.number()) },
  handler: async (ctx, { batch = TRIM_BATCH }) => {
    const size = Math.max(1, Math.min(Math.floor(batch), 4000));
    const now = Date.now();
    const samples = [
      ...(await ctx.db
        .query('metricSamples')
        .withIndex('by_at', (q) => q.lt('at', now - SAMPLE_RETENTION_MS))
        .take(size)),
      ...(await ctx.db
        .query('clientSamples')
        .withIndex('by_at', (q) => q.lt('at', now - SAMPLE_RETENTION_MS))
        .take(size)),
    ];
    const audits = await ctx.db
      .query('auditLog')
      .withIndex('by_at', (q) => q.lt('at', now - AUDIT_RETENTION_MS))
      .take(size);
    const errorGroups = [
      ...(await ctx.db
        .query('errorGroups')
        .withIndex('by_lastSeen', (q) => q.lt('lastSeen', now - ERROR_GROUP_RETENTION_MS))
        .take(size)),
      ...(await ctx.db
        .query('clientErrorGroups')
        .withIndex('by_lastSeen', (q) => q.lt('lastSeen', now - ERROR_GROUP_RETENTION_MS))
        .take(size)),
    ];
    const rateLimitStats = await ctx.db
      .query('rateLimitStats')
      .withIndex('by_bucket', (q) => q.lt('bucket', now - RATE_LIMIT_STATS_RETENTION_MS))
      .take(size);
    const webVitals = [
      ...(await ctx.db
        .query('webVitalBuckets')
        .withIndex('by_minute_name_route', (q) => q.lt('minute', now - VITALS_RETENTION_MS))
        .take(size)),
      ...(await ctx.db
        .query('webVitalRoutes')
        .withIndex('by_lastSeen', (q) => q.lt('lastSeen', now - VITALS_RETENTION_MS))
        .take(size)),
    ];
    for (const row of [...samples, ...audits, ...errorGroups, ...rateLimitStats, ...webVitals]) await ctx.db.delete(row._id);
    const more = [samples, audits, errorGroups, rateLimitStats, webVitals].some((rows) => rows.length >= size);
    if (more) await ctx.scheduler.runAfter(0, internal.maintenance.trim, { batch: size });
    return { samples: samples.length, audits: audits.length, errorGroups: errorGroups.length, rateLimitStats: rateLimitStats.length, webVitals: webVitals.length, more };
  },
});

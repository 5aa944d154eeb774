/**
 * The storage side of `POST /vitals` (http.ts): the rate limit of the beacons and the histogram
 * counts they add. Internal: only the HTTP action calls them, after `@armor/metrics/web-vitals`
 * has validated the beacon.
 */
import { v } from 'convex/values';
import { internalMutation } from './_generated/server';
import { ANONYMOUS_CEILING } from './lib/armor';
import { consumeRateLimit } from './lib/rateLimit';
import { isWellFormed, MAX_VITALS_ROUTES, OTHER_ROUTE, VITALS_LIMITER, VITALS_MINUTE_MS, type VitalSeries } from './lib/webVitals';

/**
 * The limiter the web-vitals ingest consults before it reads a beacon: the `standard` tier per
 * address (limiter `webVitals.ingest`, 100 beacons a minute; `key` is the HTTP action's
 * `anonymousKey`, IPv6 per network), then the per-address ceiling of all anonymous calls. Both
 * decisions are counted in `rateLimitStats` (the snapshot's rate-limit panel); a refusal is
 * returned, not thrown, so its count commits.
 */
export const admit = internalMutation({
  args: { key: v.string() },
  handler: async (ctx, { key }): Promise<{ allowed: true } | { allowed: false; retryAfterMs: number }> => {
    for (const target of [{ tier: 'standard' as const, limiter: VITALS_LIMITER, key }, { ...ANONYMOUS_CEILING, key }]) {
      const result = await consumeRateLimit(ctx, target);
      if (!result.allowed) return { allowed: false, retryAfterMs: result.retryAfterMs };
    }
    return { allowed: true };
  },
});

const name = v.union(v.literal('LCP'), v.literal('INP'), v.literal('CLS'), v.literal('FCP'), v.literal('TTFB'));

/**
 * Adds one beacon's histogram counts to the current minute's rows (one per metric and route).
 * A route not seen before is admitted while fewer than {@link MAX_VITALS_ROUTES} are known, and
 * recorded as `other` after that. Malformed series (wrong bucket count, not cumulative) are
 * skipped. Returns how many observations (of all five metrics) were added.
 */
export const record = internalMutation({
  args: { series: v.array(v.object({ name, route: v.string(), buckets: v.array(v.number()), sum: v.number(), count: v.number() })) },
  handler: async (ctx, { series }) => {
    const now = Date.now();
    const minute = Math.floor(now / VITALS_MINUTE_MS) * VITALS_MINUTE_MS;
    const labels = new Map<string, string>();
    const labelOf = async (route: string) => {
      const known = labels.get(route);
      if (known !== undefined) return known;
      let label = OTHER_ROUTE;
      if (route !== OTHER_ROUTE) {
        const row = await ctx.db
          .query('webVitalRoutes')
          .withIndex('by_route', (q) => q.eq('route', route))
          .unique();
        if (row) {
          if (row.lastSeen < minute) await ctx.db.patch(row._id, { lastSeen: now });
          label = route;
        } else if ((await ctx.db.query('webVitalRoutes').take(MAX_VITALS_ROUTES)).length < MAX_VITALS_ROUTES) {
          await ctx.db.insert('webVitalRoutes', { route, lastSeen: now });
          label = route;
        }
      }
      labels.set(route, label);
      return label;
    };
    let recorded = 0;
    for (const s of series.slice(0, 5 * (MAX_VITALS_ROUTES + 1)) as VitalSeries[]) {
      if (!isWellFormed(s)) continue;
      const route = await labelOf(s.route);
      const row = await ctx.db
        .query('webVitalBuckets')
        .withIndex('by_minute_name_route', (q) => q.eq('minute', minute).eq('name', s.name).eq('route', route))
        .unique();
      if (row) {
        await ctx.db.patch(row._id, { buckets: row.buckets.map((c, i) => c + (s.buckets[i] ?? 0)), sum: row.sum + s.sum, count: row.count + s.count });
      } else {
        await ctx.db.insert('webVitalBuckets', { minute, name: s.name, route, buckets: s.buckets, sum: s.sum, count: s.count });
      }
      recorded += s.count;
    }
    return { recorded };
  },
});

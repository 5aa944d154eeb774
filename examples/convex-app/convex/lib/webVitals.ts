/**
 * Real-user web vitals on Convex: the bounds of `POST /vitals` (http.ts) and the page-load
 * figures the SLO scorecard reads from the `webVitalBuckets` table. The beacons are validated,
 * rate-limited and recorded into histograms by `@armor/metrics/web-vitals`' Fetch handler (in
 * the HTTP action, on a registry of that request); the histograms' counts are then added to the
 * table (`webVitals.record`), which plays the part a Prometheus server plays for a fleet.
 */
import type { Histogram, Registry } from '@armor/metrics';
import { histogramQuantile, type PageLoadFigures } from '@armor/metrics/slo';
import { OTHER_ROUTE, WEB_VITAL_BUCKETS, WEB_VITAL_METRIC_NAMES, WEB_VITAL_NAMES, type WebVitalName } from '@armor/metrics/web-vitals';
import type { QueryCtx } from '../_generated/server';

export { OTHER_ROUTE };

/** Most distinct route templates recorded; further routes are recorded as `other`. */
export const MAX_VITALS_ROUTES = 50;
/** Resolution of `webVitalBuckets` rows (ms). */
export const VITALS_MINUTE_MS = 60 * 1000;
/** The web vital the scorecard's page-load target reads: LCP, the load of the page's main content. */
export const PAGE_LOAD_VITAL: WebVitalName = 'LCP';
/** Most `webVitalBuckets` rows one snapshot reads (routes × minutes of the window, with room). */
export const MAX_VITALS_ROWS = 5000;
/** The rate limit of `POST /vitals` per address (IPv6 per network): `standard`, 100 beacons a minute, plus the anonymous ceiling. */
export const VITALS_LIMITER = 'webVitals.ingest';

/** One recorded series: the counts of one metric and route (cumulative, `+Inf` last). */
export interface VitalSeries {
  name: WebVitalName;
  route: string;
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * The series the web-vitals ingest recorded on `registry` (a registry of one request): every
 * metric of every route it labelled, skipping empty ones.
 */
export function seriesOf(registry: Registry, routes: readonly string[]): VitalSeries[] {
  const out: VitalSeries[] = [];
  for (const name of WEB_VITAL_NAMES) {
    const histogram = registry.get(WEB_VITAL_METRIC_NAMES[name]) as Histogram<'route'> | undefined;
    if (!histogram) continue;
    for (const route of routes) {
      const { buckets, sum, count } = histogram.get({ route });
      if (count > 0) out.push({ name, route, buckets, sum, count });
    }
  }
  return out;
}

/** Whether `series` has the shape of a histogram of its metric (bucket count, non-negative, cumulative). */
export function isWellFormed(series: VitalSeries): boolean {
  const edges = WEB_VITAL_BUCKETS[series.name];
  if (!edges || series.buckets.length !== edges.length + 1) return false;
  let previous = 0;
  for (const c of series.buckets) {
    if (!Number.isFinite(c) || c < previous) return false;
    previous = c;
  }
  return series.count === previous && Number.isFinite(series.sum) && series.sum >= 0;
}

/**
 * Page-load figures per route over the window `[now - windowMs, now]`: the p75 of LCP (ms) and
 * the number of page loads, from the summed histogram rows, with Prometheus' interpolation
 * (`histogramQuantile` of `@armor/metrics/slo`).
 */
export async function pageLoadFigures(ctx: Pick<QueryCtx, 'db'>, now: number, windowMs: number): Promise<PageLoadFigures[]> {
  const rows = await ctx.db
    .query('webVitalBuckets')
    .withIndex('by_name_minute', (q) => q.eq('name', PAGE_LOAD_VITAL).gte('minute', Math.floor((now - windowMs) / VITALS_MINUTE_MS) * VITALS_MINUTE_MS))
    .take(MAX_VITALS_ROWS);
  const byRoute = new Map<string, number[]>();
  for (const row of rows) {
    const sum = byRoute.get(row.route) ?? row.buckets.map(() => 0);
    row.buckets.forEach((c, i) => (sum[i] = (sum[i] ?? 0) + c));
    byRoute.set(row.route, sum);
  }
  const edges = WEB_VITAL_BUCKETS[PAGE_LOAD_VITAL];
  return [...byRoute]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([route, cumulative]) => {
      const seconds = histogramQuantile(0.75, edges, cumulative);
      return { route, p75Ms: seconds === null ? null : Math.round(seconds * 1_000_000) / 1000, samples: cumulative[cumulative.length - 1] ?? 0 };
    });
}

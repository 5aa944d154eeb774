/**
 * Page-load figures for the SLO scorecard from a histogram of page loads per route — the web
 * vitals ingest's `web_vitals_lcp_seconds` — over a rolling window, with the p-quantile read the
 * way Prometheus' `histogram_quantile` reads it (linear within the bucket).
 *
 * @module
 */
import { checkFunction, checkNumber, checkObject, checkOptions, type Clock } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import type { Histogram } from './metric-types.js';
import type { PageLoadFigures } from './slo.js';

/** Options of {@link pageLoadsFromHistogram}. */
export interface PageLoadsFromHistogramOptions {
  /** A histogram in seconds with a `route` label, e.g. `registry.get('web_vitals_lcp_seconds')`. */
  histogram: Histogram<'route'>;
  /** The route labels to report, e.g. the web-vitals ingest's `routes()`. */
  routes: () => readonly string[];
  /** The quantile. @default 0.75 */
  quantile?: number | undefined;
  /** Page loads counted over this rolling window (ms); since the start until a window has passed. @default 900000 (15 minutes) */
  windowMs?: number | undefined;
  /** Time source (only `now()` is used). @default Date.now */
  clock?: Clock | undefined;
}

/** Prometheus' `histogram_quantile` over cumulative counts (last one: `+Inf`). */
export function histogramQuantile(q: number, bounds: readonly number[], cumulative: readonly number[]): number | null {
  const total = cumulative[cumulative.length - 1] ?? 0;
  if (!(total > 0)) return null;
  const rank = q * total;
  for (let i = 0; i < cumulative.length; i++) {
    if (cumulative[i]! >= rank) {
      if (i >= bounds.length) return bounds[bounds.length - 1] ?? null; // in +Inf: the highest finite bound
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      const below = i === 0 ? 0 : cumulative[i - 1]!;
      const inBucket = cumulative[i]! - below;
      return inBucket <= 0 ? bounds[i]! : lower + ((bounds[i]! - lower) * (rank - below)) / inBucket;
    }
  }
  return bounds[bounds.length - 1] ?? null;
}

/**
 * A `pageLoads` source for `createScorecard()`: per route, the p75 (ms) and the number of page
 * loads of the histogram over the last `windowMs`, from the difference of its cumulative buckets
 * with their values one window earlier (kept at each call; call it at least once per window,
 * which the scorecard's evaluations do).
 *
 * @throws ConfigurationError for a missing histogram or routes function, a quantile outside (0, 1)
 *   or a bad window
 * @example
 * ```ts
 * import { createRegistry, type Histogram } from '@armor/metrics';
 * import { createScorecard, pageLoadsFromHistogram } from '@armor/metrics/slo';
 * import { createWebVitalsIngest } from '@armor/metrics/web-vitals';
 *
 * const registry = createRegistry();
 * const vitals = createWebVitalsIngest({ registry });
 * const histogram = registry.get('web_vitals_lcp_seconds') as Histogram<'route'>;
 * const scorecard = createScorecard({ pageLoads: pageLoadsFromHistogram({ histogram, routes: () => vitals.routes() }) });
 * ```
 */
export function pageLoadsFromHistogram(options: PageLoadsFromHistogramOptions): () => PageLoadFigures[] {
  checkOptions('pageLoadsFromHistogram', options, ['histogram', 'routes', 'quantile', 'windowMs', 'clock']);
  checkObject('options', options);
  const { histogram, routes, clock } = options ?? ({} as PageLoadsFromHistogramOptions);
  if (typeof histogram !== 'object' || histogram === null || histogram.type !== 'histogram' || typeof histogram.get !== 'function') {
    throw new ConfigurationError('histogram', 'must be a histogram with a route label (e.g. registry.get("web_vitals_lcp_seconds"))', { received: histogram });
  }
  if (routes === undefined) throw new ConfigurationError('routes', 'is required: a function returning the route labels');
  checkFunction('routes', routes);
  const quantile = options.quantile ?? 0.75;
  checkNumber('quantile', quantile, { min: 0, max: 1, exclusiveMin: true });
  const windowMs = options.windowMs ?? 900_000;
  checkNumber('windowMs', windowMs, { min: 1000, unit: 'ms' });
  const now = clock ? () => clock.now() : () => Date.now();
  const bounds = histogram.buckets;
  /** Per route: (time, cumulative counts) taken at each call, oldest first. */
  const taken = new Map<string, [number, number[]][]>();

  return () => {
    const t = now();
    const out: PageLoadFigures[] = [];
    for (const route of routes()) {
      if (typeof route !== 'string') continue;
      const current = histogram.get({ route }).buckets;
      let list = taken.get(route);
      if (list === undefined) taken.set(route, (list = []));
      list.push([t, current]);
      let base = -1;
      for (let i = 0; i < list.length; i++) if (list[i]![0] <= t - windowMs) base = i;
      if (base > 0) list.splice(0, base);
      const baseline = base >= 0 ? list[0]![1] : undefined;
      const diff = baseline === undefined ? current : current.map((c, i) => Math.max(0, c - (baseline[i] ?? 0)));
      const seconds = histogramQuantile(quantile, bounds, diff);
      out.push({ route, p75Ms: seconds === null ? null : Math.round(seconds * 1_000_000) / 1000, samples: diff[diff.length - 1] ?? 0 });
    }
    return out;
  };
}

/**
 * The five web vitals, their published good/poor thresholds and the histogram bucket edges that
 * sit on them. Shared by the browser entry (`@armor/metrics/web-vitals-client`) and the server
 * ingest (`@armor/metrics/web-vitals`); no dependencies, so the browser bundle stays small.
 *
 * @module
 */

/** The metrics `web-vitals` reports. */
export const WEB_VITAL_NAMES = ['LCP', 'INP', 'CLS', 'FCP', 'TTFB'] as const;

/** One of {@link WEB_VITAL_NAMES}. */
export type WebVitalName = (typeof WEB_VITAL_NAMES)[number];

/**
 * The published thresholds (web.dev, as in `web-vitals`' `LCPThresholds` etc.): `[good, poor]`,
 * a value `<= good` is good, `> poor` is poor. In the unit the server records: seconds, and
 * unitless for CLS.
 */
export const WEB_VITAL_THRESHOLDS: Readonly<Record<WebVitalName, readonly [good: number, poor: number]>> = {
  LCP: [2.5, 4],
  INP: [0.2, 0.5],
  CLS: [0.1, 0.25],
  FCP: [1.8, 3],
  TTFB: [0.8, 1.8],
};

/**
 * Histogram bucket upper bounds per metric (seconds; unitless for CLS). Both thresholds of each
 * metric are bucket edges, so "share of good page loads" is an exact bucket ratio and
 * `histogram_quantile(0.75, ...)` interpolates inside a bucket that never straddles a threshold.
 */
export const WEB_VITAL_BUCKETS: Readonly<Record<WebVitalName, readonly number[]>> = {
  LCP: [0.25, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 8, 10, 15, 20, 30],
  INP: [0.016, 0.032, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2, 5],
  CLS: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.5, 1, 2, 5],
  FCP: [0.25, 0.5, 0.75, 1, 1.4, 1.8, 2.2, 2.6, 3, 4, 6, 10, 20],
  TTFB: [0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.4, 1.8, 2.5, 4, 8, 15],
};

/** Prometheus histogram names per metric (the registry's prefix is prepended). */
export const WEB_VITAL_METRIC_NAMES: Readonly<Record<WebVitalName, string>> = {
  LCP: 'web_vitals_lcp_seconds',
  INP: 'web_vitals_inp_seconds',
  CLS: 'web_vitals_cls',
  FCP: 'web_vitals_fcp_seconds',
  TTFB: 'web_vitals_ttfb_seconds',
};

/**
 * The page's own web vitals (LCP, INP, CLS, FCP, TTFB) from `@armor/metrics/web-vitals-client`,
 * sent as one beacon when the page is hidden to the app's ingest (`POST /monitoring/vitals`,
 * `src/web-vitals.ts`), under the route template `/monitoring`. They feed the app's
 * `web_vitals_*` histograms and the page-load objective of its SLO scorecard.
 */
import { reportWebVitals, type WebVitalsReporter } from '@armor/metrics/web-vitals-client';

/** Route template of a URL of this page (the only page reporting here). */
export const routeOf = (url: URL): string | undefined => (/^\/monitoring(?:\/|\/index\.html)?$/.test(url.pathname) ? '/monitoring' : undefined);

/** Starts reporting to `endpoint` (every page load: an admin page has few). */
export function startVitals(endpoint: string): WebVitalsReporter {
  return reportWebVitals({ endpoint, route: routeOf, sampleRate: 1 });
}

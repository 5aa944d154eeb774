/**
 * The UI's own web vitals (LCP, INP, CLS, FCP, TTFB per route template: `/` or `/admin`), one
 * beacon per page hide, to the deployment's `POST /vitals`; they feed the snapshot's SLO
 * scorecard. A chunk of its own, loaded by `main.tsx` alongside hydration rather than before it:
 * the `web-vitals` library reads the paint, layout-shift and navigation entries the browser
 * buffered meanwhile, so nothing is missed by starting a moment later.
 */
import { reportWebVitals } from '@armor/metrics/web-vitals-client';
import { routeTemplateOf } from './routes';
import { vitalsEndpoint } from './vitals';

/**
 * Starts reporting, unless no endpoint can be derived (see {@link vitalsEndpoint}). Every page
 * load reports (an example; a busy site would sample, e.g. `sampleRate: 0.1`).
 *
 * @param convexUrl - the deployment URL (`VITE_CONVEX_URL`)
 * @param siteUrl - `VITE_CONVEX_SITE_URL`, when the HTTP actions are served elsewhere
 */
export function startReporting(convexUrl: string, siteUrl?: string): void {
  const endpoint = vitalsEndpoint(convexUrl, siteUrl);
  if (endpoint) reportWebVitals({ endpoint, route: routeTemplateOf, sampleRate: 1 });
}

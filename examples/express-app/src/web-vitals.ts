/**
 * The app's own production targets, live: the `/monitoring` page reports its web vitals
 * (`dashboard/vitals.ts`, `@armor/metrics/web-vitals-client`) to `POST /monitoring/vitals`
 * (`@armor/metrics/web-vitals-express`: validated, rate-limited per client, routes capped), which
 * records the `web_vitals_*` histograms on the app's registry (so `/metrics` exports them and
 * Prometheus can take `histogram_quantile` over a fleet), and the monitoring snapshot carries the
 * SLO scorecard (`@armor/metrics/slo`, the report's six default targets): server latency p95 per
 * operation, page load p75 per page route (the LCP of those vitals, i.e. `/monitoring`), the JS
 * the page loads (from the Vite build's manifest), cache hit rate, error rate and availability.
 *
 * `app.ts` wires it in: `monitoringWithVitals()` wraps the snapshot, and its handlers (the
 * snapshot, the beacons, the page) are mounted behind the admin gate of `/monitoring*`.
 *
 * @module
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import express, { type RequestHandler, type Router } from 'express';
import { recordError, type Histogram, type Monitor, type MonitoringSnapshot, type Registry } from '@armor/metrics';
import { monitoringEndpoint } from '@armor/metrics/express';
import { createScorecard, pageLoadsFromHistogram, type Scorecard } from '@armor/metrics/slo';
import { createWebVitalsIngest } from '@armor/metrics/web-vitals';
import { webVitalsHandler } from '@armor/metrics/web-vitals-express';
import { monitoringPage } from './monitoring-page.js';

/** What {@link monitoringWithVitals} returns. */
export interface MonitoringWithVitals {
  /** The snapshot with its `slo` section (the scorecard evaluated on it). */
  snapshot(): Promise<MonitoringSnapshot>;
  /** `GET /monitoring/snapshot`: {@link snapshot} as JSON (`@armor/metrics/express`' `monitoringEndpoint`). */
  endpoint: RequestHandler;
  /** Routes `POST /vitals` (mounted at `/monitoring`): the page's web vitals beacons. */
  vitals: Router;
  /** Routes `GET /` and `/index.html` (mounted at `/monitoring`): the page with its first view rendered from {@link snapshot} (`monitoring-page.ts`). */
  page: Router;
  /** The scorecard (its targets are the defaults of `@armor/metrics/slo`). */
  scorecard: Scorecard;
  /** Loads the page's renderer in the background (call it when the server listens; the first page view waits for it otherwise). */
  warm(): void;
}

/**
 * Bytes of JavaScript the page can load: every chunk in the Vite manifest
 * (`dist/dashboard/.vite/manifest.json`, written by `dashboard/vite.config.ts`), uncompressed;
 * `null` when the page is not built. Re-read when the manifest changes.
 */
export function bundleBytesFromManifest(dir: string): () => number | null {
  const manifest = join(dir, '.vite', 'manifest.json');
  let cached: { mtimeMs: number; bytes: number | null } | undefined;
  return () => {
    try {
      const { mtimeMs } = statSync(manifest);
      if (cached?.mtimeMs !== mtimeMs) {
        const chunks = Object.values(JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, { file?: unknown }>);
        const files = new Set(chunks.map((c) => c.file).filter((f): f is string => typeof f === 'string' && f.endsWith('.js')));
        let bytes = 0;
        for (const f of files) bytes += statSync(join(dir, f)).size;
        cached = { mtimeMs, bytes };
      }
      return cached.bytes;
    } catch {
      return null;
    }
  };
}

/**
 * Wraps `snapshot` with the SLO scorecard and builds the web vitals ingest (on `registry`) and
 * the server-rendered page (from the build in `page.dir`; a failed first view is recorded as an
 * error group and the static page is sent).
 */
export function monitoringWithVitals(registry: Registry, snapshot: () => Promise<MonitoringSnapshot>, page: { dir: string }): MonitoringWithVitals {
  const { dir } = page;
  const ingest = createWebVitalsIngest({ registry, maxRoutes: 20 });
  const lcp = registry.get('web_vitals_lcp_seconds') as Histogram<'route'>;
  const scorecard = createScorecard({
    registry,
    bundleBytes: bundleBytesFromManifest(dir),
    pageLoads: pageLoadsFromHistogram({ histogram: lcp, routes: () => ingest.routes() }),
  });
  const withSlo = async () => {
    const s = await snapshot();
    return { ...s, slo: await scorecard.evaluate(s) };
  };
  const vitals = express.Router().post('/vitals', webVitalsHandler(ingest));
  const handler = monitoringPage({ dir, snapshot: withSlo, onRenderError: (error) => recordError(error, { registry, context: { path: '/monitoring/' } }) });
  const pageRouter = express.Router().get(['/', '/index.html'], handler);
  return { snapshot: withSlo, endpoint: monitoringEndpoint({ snapshot: withSlo } as Monitor), vitals, page: pageRouter, scorecard, warm: () => handler.warm() };
}

import { createHealth } from '@armor/health';
import { problemResponse, AuthenticationError } from '@armor/errors';
import { createRegistry } from '@armor/metrics';
import { createWebVitalsIngest } from '@armor/metrics/web-vitals';
import { httpRouter } from 'convex/server';
import { internal } from './_generated/api';
import { httpAction } from './_generated/server';
import { timedChecks, type TimedChecks } from './healthcheck';
import { isAdminKey, presentedKey } from './lib/adminKey';
import { anonymousKey } from './lib/armor';
import { MAX_VITALS_ROUTES, seriesOf } from './lib/webVitals';

const http = httpRouter();

/**
 * `GET /health`: application/health+json from @armor/health, with the same checks as the
 * snapshot (`./lib/health.ts`): `database` (critical; indexed reads, and its `observedValue` is
 * the round trip of the check query, timed here where the clock moves) and `retention`
 * (non-critical: `warn` when the trim cron is behind). One `healthcheck.ping` query serves both
 * checks. Public, so it writes nothing and shows check outputs only with the admin key
 * (`Authorization: Bearer …`); the cron probe records latencies for the snapshot.
 */
http.route({
  path: '/health',
  method: 'GET',
  handler: httpAction(async (ctx, request) => {
    let run: Promise<TimedChecks> | undefined;
    const checks = () => (run ??= timedChecks(ctx));
    const definition = (name: string, componentType: string, critical: boolean) => ({
      componentType,
      critical,
      timeoutMs: 5000,
      cacheMs: 0,
      check: async () => {
        const { checks: results, latencyMs } = await checks();
        const result = results.find((c) => c.name === name);
        if (!result) return { status: 'fail' as const, output: 'check did not run (the check query failed)' };
        return {
          status: result.status,
          ...(result.output ? { output: result.output } : {}),
          ...(name === 'database' ? { observedValue: latencyMs, observedUnit: 'ms' } : {}),
        };
      },
    });
    const health = createHealth({
      serviceId: 'convex-app',
      checks: { database: definition('database', 'datastore', true), retention: definition('retention', 'component', false) },
      // Check outputs (error messages) only for holders of the admin key; the public answer has statuses.
      showDetails: (probe) => isAdminKey(presentedKey(probe)),
    });
    health.markReady();
    const url = new URL(request.url);
    return health.handleHealthRequest(new Request(new URL('/health/ready', url), { method: 'GET', headers: request.headers }));
  }),
});

/** `GET /monitoring/snapshot`: the MonitoringSnapshot; requires the admin key. */
http.route({
  path: '/monitoring/snapshot',
  method: 'GET',
  handler: httpAction(async (ctx, request) => {
    if (!(await isAdminKey(presentedKey(request)))) {
      return problemResponse(new AuthenticationError('Admin API key required'), { instance: '/monitoring/snapshot' });
    }
    const snapshot = await ctx.runQuery(internal.monitoring.buildMonitoringSnapshot, {});
    return new Response(JSON.stringify(snapshot), { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
  }),
});

/**
 * `POST /vitals`: the web vitals beacons of the UI (`@armor/metrics/web-vitals-client`, one per
 * page hide, `text/plain` JSON so no CORS preflight is needed). `@armor/metrics/web-vitals`' Fetch
 * handler does the work it does on any server — the body read with a 16 KB cap (413), zod
 * validation (400 problem+json), the per-client rate limit (429; here the table-backed limiter
 * of `webVitals.admit`, keyed by the caller's address like every anonymous call), route labels
 * capped — and records LCP, INP, CLS, FCP and TTFB into histograms whose bucket edges sit on the
 * good/poor thresholds. An HTTP action keeps no memory between requests, so those histograms
 * live on a registry of this request, and their counts are added to `webVitalBuckets`
 * (`webVitals.record`, which also caps distinct routes across all requests). The snapshot's
 * SLO scorecard reads its page-load objective (LCP p75 per route) from there.
 */
http.route({
  path: '/vitals',
  method: 'POST',
  handler: httpAction(async (ctx, request) => {
    const registry = createRegistry();
    const ingest = createWebVitalsIngest({
      registry,
      maxRoutes: MAX_VITALS_ROUTES,
      rateLimit: { consume: (key) => ctx.runMutation(internal.webVitals.admit, { key }) },
    });
    const response = await ingest.handle(request, { clientKey: await anonymousKey(ctx) });
    if (response.status === 204) await ctx.runMutation(internal.webVitals.record, { series: seriesOf(registry, ingest.routes()) });
    // A beacon's response is never read; this lets the client's `fetch` fallback (cross-origin,
    // no credentials) complete without a CORS error.
    const headers = new Headers(response.headers);
    headers.set('access-control-allow-origin', '*');
    return new Response(response.body, { status: response.status, headers });
  }),
});

export default http;

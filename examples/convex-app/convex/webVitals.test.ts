/**
 * `POST /vitals` → `webVitalBuckets` → the snapshot's SLO scorecard: the UI's own web vitals
 * beacons (the body `@armor/metrics/web-vitals-client` sends) land as page-load samples of its
 * routes, with the p75 `histogram_quantile` would give; bad, oversized and excess beacons are
 * refused with nothing written; distinct routes are capped.
 */
import { convexTest } from 'convex-test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, internal } from './_generated/api';
import { MAX_VITALS_ROUTES, OTHER_ROUTE } from './lib/webVitals';
import { VITALS_RETENTION_MS } from './lib/retention';
import schema from './schema';

const modules = import.meta.glob('./**/*.ts');
const ADMIN_KEY = 'armor_test_admin_key';

type Metric = { name: 'LCP' | 'INP' | 'CLS' | 'FCP' | 'TTFB'; value: number; route: string; id?: string; navigationType?: string };

/** A page load's beacon, as the web-vitals client sends it (text/plain JSON, one per page hide). */
function pageLoad(route: string, lcpMs: number, n: number): Metric[] {
  return [
    { name: 'TTFB', value: 120, route, id: `v5-ttfb-${n}`, navigationType: 'navigate' },
    { name: 'FCP', value: Math.min(lcpMs, 600), route, id: `v5-fcp-${n}`, navigationType: 'navigate' },
    { name: 'LCP', value: lcpMs, route, id: `v5-lcp-${n}`, navigationType: 'navigate' },
    { name: 'CLS', value: 0.02, route, id: `v5-cls-${n}`, navigationType: 'navigate' },
  ];
}

function post(t: ReturnType<typeof convexTest>, metrics: Metric[] | unknown, ip = '203.0.113.7') {
  return t.withRequestMetadata({ ip }).fetch('/vitals', {
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
    body: typeof metrics === 'string' ? metrics : JSON.stringify({ metrics }),
  });
}

async function scorecard(t: ReturnType<typeof convexTest>) {
  const snapshot = await t.query(api.monitoring.snapshot, { adminKey: ADMIN_KEY });
  return snapshot.slo!;
}

function pageLoads(slo: Awaited<ReturnType<typeof scorecard>>) {
  return slo.objectives.filter((o) => o.kind === 'pageLoad');
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-12-06T10:00:00Z') });
  process.env.ADMIN_API_KEY = ADMIN_KEY;
});
afterEach(() => {
  vi.useRealTimers();
  delete process.env.ADMIN_API_KEY;
  delete process.env.UI_BUNDLE_BYTES;
});

describe('POST /vitals feeds the scorecard', () => {
  it('a beacon lands: 204, and its page load shows in the scorecard (too few samples to say met)', async () => {
    const t = convexTest(schema, modules);
    expect(pageLoads(await scorecard(t))).toEqual([
      expect.objectContaining({ kind: 'pageLoad', status: 'insufficient_data', samples: 0, target: 2000, note: 'no page loads measured yet' }),
    ]);

    const response = await post(t, pageLoad('/', 1200, 0));
    expect(response.status).toBe(204);

    const [objective, ...rest] = pageLoads(await scorecard(t));
    expect(rest).toEqual([]);
    expect(objective).toMatchObject({ kind: 'pageLoad', subject: '/', samples: 1, minSamples: 20, status: 'insufficient_data', note: '1 of the 20 samples needed', target: 2000, unit: 'ms' });
    // One LCP of 1.2 s, in the (1, 1.5] s bucket: histogram_quantile's 0.75 interpolates to 1.375 s.
    expect(objective!.actual).toBe(1375);
    // All five metrics were stored; the scorecard reads LCP.
    const rows = await t.run((ctx) => ctx.db.query('webVitalBuckets').collect());
    expect(rows.map((r) => `${r.name} ${r.route} ${r.count}`).sort()).toEqual(['CLS / 1', 'FCP / 1', 'LCP / 1', 'TTFB / 1']);
  });

  it('page loads per route: p75 as histogram_quantile gives it, met and missed against 2 s', async () => {
    const t = convexTest(schema, modules);
    // `/`: 20 loads at 1.2 s and 5 at 3 s. `/admin`: 20 loads at 4.5 s. Different visitors (addresses).
    for (let i = 0; i < 25; i++) expect((await post(t, pageLoad('/', i < 20 ? 1200 : 3000, i), `198.51.100.${i}`)).status).toBe(204);
    for (let i = 0; i < 20; i++) expect((await post(t, pageLoad('/admin', 4500, i), `192.0.2.${i}`)).status).toBe(204);

    const objectives = pageLoads(await scorecard(t));
    const root = objectives.find((o) => o.subject === '/');
    const admin = objectives.find((o) => o.subject === '/admin');
    // rank 0.75 × 25 = 18.75 falls in (1, 1.5] s holding 20: 1 + 0.5 × 18.75 / 20 = 1.46875 s.
    expect(root).toMatchObject({ samples: 25, actual: 1468.75, status: 'met' });
    // rank 15 of 20 in (4, 5] s: 4 + 1 × 15 / 20 = 4.75 s.
    expect(admin).toMatchObject({ samples: 20, actual: 4750, status: 'missed' });
    // Worst first.
    expect(objectives.map((o) => o.subject)).toEqual(['/admin', '/']);
  });

  it('the snapshot with its scorecard passes the dashboard schema; the bundle target reads UI_BUNDLE_BYTES', async () => {
    const t = convexTest(schema, modules);
    await post(t, pageLoad('/', 900, 0));
    const { monitoringSnapshotSchema } = await import('@armor/metrics/schema');
    const before = monitoringSnapshotSchema.parse(await t.query(api.monitoring.snapshot, { adminKey: ADMIN_KEY }));
    expect(before.slo?.objectives.find((o) => o.kind === 'bundleSize')).toMatchObject({ status: 'insufficient_data', actual: null });
    process.env.UI_BUNDLE_BYTES = '391308';
    const after = monitoringSnapshotSchema.parse(await t.query(api.monitoring.snapshot, { adminKey: ADMIN_KEY }));
    expect(after.slo?.objectives.find((o) => o.kind === 'bundleSize')).toMatchObject({ status: 'met', actual: 391308, target: 500000 });
    // No cache in this app: said, not shown green.
    expect(after.slo?.objectives.find((o) => o.kind === 'cacheHitRate')).toMatchObject({ status: 'insufficient_data', note: 'no cache instrumented' });
  });

  it('refuses a malformed beacon (400 problem+json), an oversized one (413) and a raw URL as route, writing nothing', async () => {
    const t = convexTest(schema, modules);
    const notJson = await post(t, '{"metrics": [');
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get('content-type')).toContain('application/problem+json');
    const unknownMetric = await post(t, [{ name: 'XYZ', value: 1, route: '/' }]);
    expect(unknownMetric.status).toBe(400);
    expect(((await unknownMetric.json()) as { code: string }).code).toBe('VALIDATION_FAILED');
    expect((await post(t, [{ name: 'LCP', value: 1000, route: '/projects/42?token=secret' }])).status).toBe(400);
    expect((await post(t, [{ name: 'LCP', value: -5, route: '/' }])).status).toBe(400);
    expect((await post(t, JSON.stringify({ metrics: pageLoad('/', 1000, 0), pad: 'x'.repeat(20_000) }))).status).toBe(413);
    expect(await t.run((ctx) => ctx.db.query('webVitalBuckets').collect())).toEqual([]);
    expect(await t.run((ctx) => ctx.db.query('webVitalRoutes').collect())).toEqual([]);
  });

  it('limits beacons per address (standard: 100 a minute, then 429 with Retry-After); another address is not limited', async () => {
    const t = convexTest(schema, modules);
    const statuses: number[] = [];
    for (let i = 0; i < 101; i++) statuses.push((await post(t, [{ name: 'LCP', value: 1000, route: '/' }], '203.0.113.99')).status);
    expect(statuses.slice(0, 100).every((s) => s === 204)).toBe(true);
    const refused = await post(t, [{ name: 'LCP', value: 1000, route: '/' }], '203.0.113.99');
    expect(statuses[100]).toBe(429);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await post(t, [{ name: 'LCP', value: 1000, route: '/' }], '203.0.113.100')).status).toBe(204);
    const [objective] = pageLoads(await scorecard(t));
    expect(objective).toMatchObject({ subject: '/', samples: 101 });
    // The decisions are counted for the rate-limit panel.
    const snapshot = await t.query(api.monitoring.snapshot, { adminKey: ADMIN_KEY });
    expect(snapshot.rateLimits.find((r) => r.name === 'webVitals.ingest')).toMatchObject({ allowed: 101, limited: 2 });
  });

  it(`caps distinct routes at ${MAX_VITALS_ROUTES} across beacons: the rest are recorded as "${OTHER_ROUTE}"`, async () => {
    const t = convexTest(schema, modules);
    // One beacon with 60 routes: the ingest labels the first 50, the rest `other`.
    const many = Array.from({ length: 60 }, (_, i) => ({ name: 'LCP' as const, value: 1000, route: `/r${i}` }));
    expect((await post(t, many)).status).toBe(204);
    // A later beacon with a new route, from another visitor: the table is full, so `other` too.
    expect((await post(t, [{ name: 'LCP', value: 1000, route: '/brand-new' }], '198.51.100.200')).status).toBe(204);
    const routes = await t.run((ctx) => ctx.db.query('webVitalRoutes').collect());
    expect(routes).toHaveLength(MAX_VITALS_ROUTES);
    expect(routes.map((r) => r.route)).not.toContain('/brand-new');
    const other = await t.run((ctx) => ctx.db.query('webVitalBuckets').collect());
    expect(other.filter((r) => r.route === OTHER_ROUTE).map((r) => r.count)).toEqual([11]);
    // 51 route objectives: the scorecard lists 50 (worst first) and counts the rest as omitted.
    const slo = await scorecard(t);
    expect(pageLoads(slo)).toHaveLength(50);
    expect(slo.omitted).toBe(1);
  });

  it('forgets vitals after a day (trim), so the page-load window and the route slots move on', async () => {
    const t = convexTest(schema, modules);
    await post(t, pageLoad('/', 1000, 0));
    vi.setSystemTime(Date.now() + VITALS_RETENTION_MS + 120_000);
    await post(t, pageLoad('/admin', 1000, 1));
    expect(await t.mutation(internal.maintenance.trim, {})).toMatchObject({ webVitals: 5 });
    const left = await t.run((ctx) => ctx.db.query('webVitalBuckets').collect());
    expect(left.every((r) => r.route === '/admin')).toBe(true);
    expect((await t.run((ctx) => ctx.db.query('webVitalRoutes').collect())).map((r) => r.route)).toEqual(['/admin']);
  });
});

import { manualClock } from '@armor/core';
import { describe, expect, it } from 'vitest';
import { createRegistry, type Histogram } from './index.js';
import { createScorecard, histogramQuantile, pageLoadsFromHistogram } from './slo.js';
import { createWebVitalsIngest } from './web-vitals.js';

const T0 = 1_800_000_000_000;

describe('histogramQuantile (as Prometheus reads a histogram)', () => {
  it('interpolates within the bucket; the +Inf bucket gives the highest finite bound; empty is null', () => {
    const bounds = [1, 2, 2.5];
    expect(histogramQuantile(0.75, bounds, [0, 5, 10, 10])).toBe(2.25);
    expect(histogramQuantile(0.5, bounds, [4, 8, 8, 8])).toBe(1);
    expect(histogramQuantile(0.5, bounds, [0, 0, 0, 4])).toBe(2.5);
    expect(histogramQuantile(0.75, bounds, [0, 0, 0, 0])).toBeNull();
  });
});

describe('pageLoadsFromHistogram: page loads from the web-vitals ingest into the scorecard (manual clock)', () => {
  it('p75 per route over a rolling window, then the scorecard says met or missed per route', async () => {
    const clock = manualClock(T0);
    const registry = createRegistry({ clock });
    const vitals = createWebVitalsIngest({ registry, rateLimit: false, clock });
    const histogram = registry.get('web_vitals_lcp_seconds') as Histogram<'route'>;
    const pageLoads = pageLoadsFromHistogram({ histogram, routes: () => vitals.routes(), clock, windowMs: 900_000 });
    const card = createScorecard({ clock, pageLoads, targets: { bundleBytes: false } });
    const beacon = (route: string, ms: number) => vitals.ingest({ metrics: [{ name: 'LCP', value: ms, route }] }, 'client');
    // /monitoring: 30 slow loads (2.8 s); /: 30 fast ones (1.2 s); /rare: 3 slow
    for (let i = 0; i < 30; i++) {
      expect((await beacon('/monitoring', 2800)).ok).toBe(true);
      await beacon('/', 1200);
    }
    for (let i = 0; i < 3; i++) await beacon('/rare', 5000);
    const empty = { version: 1, generatedAt: T0, service: { name: 'web' }, window: { windowMs: 900_000, resolutionMs: 10_000 }, health: { status: 'pass', checks: [] }, requests: { totals: { count: 0, errors: 0, errorRate: 0, throughputPerSec: 0, p50Ms: null, p95Ms: null, p99Ms: null, inFlight: 0 }, series: [], routes: [] }, errors: { totalGroups: 0, groups: [] }, slowOperations: [], caches: [], rateLimits: [], breakers: [] } as const;
    let rows = (await card.evaluate(structuredClone(empty) as never)).objectives.filter((o) => o.kind === 'pageLoad');
    expect(rows.map((o) => [o.subject, o.status, o.samples])).toEqual([
      ['/monitoring', 'missed', 30],
      ['/', 'met', 30],
      ['/rare', 'insufficient_data', 3],
    ]);
    expect(rows[0]!.actual).toBeGreaterThan(2000);
    expect(rows[1]!.actual).toBeLessThan(2000);
    // a window later /monitoring got fast: only the new loads count
    clock.advance(900_000);
    for (let i = 0; i < 25; i++) await beacon('/monitoring', 900);
    rows = (await card.evaluate(structuredClone(empty) as never)).objectives.filter((o) => o.kind === 'pageLoad');
    const monitoring = rows.find((o) => o.subject === '/monitoring')!;
    expect(monitoring).toMatchObject({ status: 'met', samples: 25, trend: 'better' });
    expect(rows.find((o) => o.subject === '/')!).toMatchObject({ samples: 0, status: 'insufficient_data' });
  });

  it('bad options → ConfigurationError naming the option', () => {
    const registry = createRegistry();
    const histogram = registry.histogram({ name: 'lcp_seconds', help: 'h', labelNames: ['route'] as const });
    expect(() => pageLoadsFromHistogram({ histogram: {} as never, routes: () => [] })).toThrow(/histogram/);
    expect(() => pageLoadsFromHistogram({ histogram, routes: undefined as never })).toThrow(/routes/);
    expect(() => pageLoadsFromHistogram({ histogram, routes: () => [], quantile: 1.5 })).toThrow(/quantile/);
    expect(() => pageLoadsFromHistogram({ histogram, routes: () => [], windowMs: 5 })).toThrow(/windowMs/);
    expect(() => pageLoadsFromHistogram({ histogram, routes: () => [], windw: 5 } as never)).toThrow(/Unknown option "windw"/);
  });
});

import { manualClock } from '@armor/core';
import { isArmorError } from '@armor/errors';
import { describe, expect, it } from 'vitest';
import { createMonitor, createRegistry } from './index.js';
import { monitoringSnapshotSchema } from './schema.js';
import { createScorecard, DEFAULT_SLO_TARGETS, type ScorecardOptions, type SloObjective } from './slo.js';
import type { MonitoringSnapshot, RouteStats } from './snapshot.js';

const T0 = 1_800_000_000_000;
const WINDOW = 900_000;
const RES = 10_000;

interface SnapOptions {
  routes?: Partial<RouteStats>[];
  caches?: { name: string; hits: number; misses: number }[];
  /** Requests and failed requests per 10 s point over the 15-minute window. */
  perPoint?: { count: number; errors: number };
  totals?: { count: number; errors: number };
  unavailable?: MonitoringSnapshot['unavailable'];
}

/** A snapshot generated at `now` whose series covers the 15 minutes before it. */
function snap(now: number, o: SnapOptions = {}): MonitoringSnapshot {
  const per = o.perPoint ?? { count: 0, errors: 0 };
  const series = Array.from({ length: WINDOW / RES }, (_, i) => ({ t: now - WINDOW + i * RES, count: per.count, errors: per.errors, p50Ms: null, p95Ms: null, p99Ms: null }));
  const count = o.totals?.count ?? per.count * series.length;
  const errors = o.totals?.errors ?? per.errors * series.length;
  return {
    version: 1,
    generatedAt: now,
    service: { name: 'api' },
    window: { windowMs: WINDOW, resolutionMs: RES },
    health: { status: 'pass', checks: [] },
    requests: {
      totals: { count, errors, errorRate: count === 0 ? 0 : errors / count, throughputPerSec: 0, p50Ms: null, p95Ms: null, p99Ms: null, inFlight: 0 },
      series,
      routes: (o.routes ?? []).map((r) => ({ method: 'GET', route: '/x', count: 100, errors: 0, p50Ms: 1, p95Ms: 1, p99Ms: 1, ...r })),
    },
    errors: { totalGroups: 0, groups: [] },
    slowOperations: [],
    caches: (o.caches ?? []).map((c) => ({ ...c, hitRate: c.hits + c.misses === 0 ? 0 : c.hits / (c.hits + c.misses) })),
    rateLimits: [],
    breakers: [],
    ...(o.unavailable ? { unavailable: o.unavailable } : {}),
  };
}

const one = (objectives: SloObjective[], kind: SloObjective['kind'], subject?: string) => {
  const found = objectives.filter((o) => o.kind === kind && (subject === undefined || o.subject === subject));
  expect(found, `${kind} ${subject ?? ''}`).toHaveLength(1);
  return found[0]!;
};

describe('createScorecard: the six targets of the report', () => {
  it('defaults: the six targets, and with no data every objective says insufficient_data (never met)', async () => {
    const clock = manualClock(T0);
    const card = createScorecard({ clock });
    const { objectives, windowMs } = await card.evaluate(snap(T0));
    expect(windowMs).toBe(WINDOW);
    expect(objectives.map((o) => [o.kind, o.target, o.direction, o.unit])).toEqual([
      ['serverLatency', 100, 'below', 'ms'],
      ['pageLoad', 2000, 'below', 'ms'],
      ['bundleSize', 500_000, 'below', 'bytes'],
      ['cacheHitRate', 0.8, 'above', 'ratio'],
      ['errorRate', 0.01, 'below', 'ratio'],
      ['availability', 0.999, 'above', 'ratio'],
    ]);
    expect(DEFAULT_SLO_TARGETS).toEqual({ serverLatencyP95Ms: 100, pageLoadP75Ms: 2000, bundleBytes: 500_000, cacheHitRate: 0.8, errorRate: 0.01, availability: 0.999 });
    for (const o of objectives) {
      expect(o.status, o.kind).toBe('insufficient_data');
      expect(o.actual, o.kind).toBeNull();
      expect(o.note, o.kind).toBeTruthy();
      expect(o.trend).toBeNull();
    }
    expect(one(objectives, 'pageLoad').note).toMatch(/no page-load source/);
    expect(one(objectives, 'bundleSize').note).toMatch(/no bundle size/);
    expect(one(objectives, 'cacheHitRate').note).toBe('no cache instrumented');
  });

  it('server latency p95 per operation: met, missed, and too few requests; worst first', async () => {
    const card = createScorecard({ clock: manualClock(T0) });
    const { objectives } = await card.evaluate(
      snap(T0, {
        routes: [
          { method: 'GET', route: '/fast', count: 500, p95Ms: 42 },
          { method: 'POST', route: '/slow', count: 300, p95Ms: 180 },
          { method: 'GET', route: '/rare', count: 5, p95Ms: 900 },
          { method: 'GET', route: '/edge', count: 20, p95Ms: 100 },
        ],
      }),
    );
    const latency = objectives.filter((o) => o.kind === 'serverLatency');
    // missed first (farthest past the target first), then met, then too few samples
    expect(latency.map((o) => [o.subject, o.status])).toEqual([
      ['POST /slow', 'missed'],
      ['GET /edge', 'missed'], // exactly on the target is not below it
      ['GET /fast', 'met'],
      ['GET /rare', 'insufficient_data'],
    ]);
    expect(one(objectives, 'serverLatency', 'GET /rare')).toMatchObject({ actual: 900, samples: 5, minSamples: 20, note: '5 of the 20 samples needed' });
  });

  it('error rate and cache hit rate: met, missed, insufficient; an unavailable section says so', async () => {
    const card = createScorecard({ clock: manualClock(T0) });
    let s = await card.evaluate(snap(T0, { totals: { count: 1000, errors: 5 }, caches: [{ name: 'a', hits: 900, misses: 50 }, { name: 'b', hits: 0, misses: 50 }] }));
    expect(one(s.objectives, 'errorRate')).toMatchObject({ actual: 0.005, samples: 1000, status: 'met' });
    expect(one(s.objectives, 'cacheHitRate')).toMatchObject({ actual: 0.9, samples: 1000, status: 'met' });
    s = await card.evaluate(snap(T0, { totals: { count: 1000, errors: 10 }, caches: [{ name: 'a', hits: 700, misses: 300 }] }));
    expect(one(s.objectives, 'errorRate').status).toBe('missed'); // 1 % is not below 1 %
    expect(one(s.objectives, 'cacheHitRate')).toMatchObject({ actual: 0.7, status: 'missed' });
    s = await card.evaluate(snap(T0, { totals: { count: 99, errors: 0 }, caches: [{ name: 'a', hits: 99, misses: 0 }] }));
    expect(one(s.objectives, 'errorRate')).toMatchObject({ actual: 0, status: 'insufficient_data', note: '99 of the 100 samples needed' });
    expect(one(s.objectives, 'cacheHitRate')).toMatchObject({ actual: 1, status: 'insufficient_data' });
    s = await card.evaluate(
      snap(T0, {
        totals: { count: 5000, errors: 0 },
        caches: [{ name: 'a', hits: 0, misses: 0 }],
        unavailable: [
          { section: 'requests', reason: 'Prometheus refused the query' },
          { section: 'caches', reason: 'Prometheus did not answer' },
        ],
      }),
    );
    expect(one(s.objectives, 'errorRate')).toMatchObject({ actual: null, status: 'insufficient_data', note: 'unavailable: Prometheus refused the query' });
    expect(one(s.objectives, 'cacheHitRate')).toMatchObject({ status: 'insufficient_data', note: 'unavailable: Prometheus did not answer' });
    expect(one(s.objectives, 'serverLatency')).toMatchObject({ status: 'insufficient_data', note: 'unavailable: Prometheus refused the query' });
    expect(one(s.objectives, 'availability').status).toBe('insufficient_data');
  });

  it('bundle size from a number or a function (sync or async) reading the build manifest; a failing one is insufficient_data', async () => {
    const clock = manualClock(T0);
    const size = async (bundleBytes: ScorecardOptions['bundleBytes']) => one((await createScorecard({ clock, bundleBytes }).evaluate(snap(T0))).objectives, 'bundleSize');
    expect(await size(312_000)).toMatchObject({ actual: 312_000, samples: 1, status: 'met' });
    expect(await size(() => 600_000)).toMatchObject({ actual: 600_000, status: 'missed' });
    const manifest = { 'index.html': { file: 'assets/index.js', size: 210_000, imports: ['_vendor.js'] }, '_vendor.js': { file: 'assets/vendor.js', size: 150_000 } };
    expect(await size(async () => Object.values(manifest).reduce((a, e) => a + e.size, 0))).toMatchObject({ actual: 360_000, status: 'met' });
    expect(await size(() => {
      throw new Error('dist/.vite/manifest.json not found');
    })).toMatchObject({ actual: null, status: 'insufficient_data', note: 'bundleBytes() failed: dist/.vite/manifest.json not found' });
    expect(await size(() => null)).toMatchObject({ status: 'insufficient_data', note: 'bundleBytes() gave no size' });
  });

  it('page load p75 per route from pageLoads(); a target can be changed or left out', async () => {
    const card = createScorecard({
      clock: manualClock(T0),
      targets: { pageLoadP75Ms: 2500, bundleBytes: false, availability: false },
      pageLoads: () => [
        { route: '/monitoring', p75Ms: 2800, samples: 40 },
        { route: '/', p75Ms: 1200, samples: 300 },
        { route: '/rare', p75Ms: 900, samples: 3 },
      ],
    });
    const { objectives } = await card.evaluate(snap(T0));
    expect(objectives.filter((o) => o.kind === 'pageLoad').map((o) => [o.subject, o.target, o.status])).toEqual([
      ['/monitoring', 2500, 'missed'],
      ['/', 2500, 'met'],
      ['/rare', 2500, 'insufficient_data'],
    ]);
    expect(objectives.some((o) => o.kind === 'bundleSize' || o.kind === 'availability')).toBe(false);
  });

  it('caps per-operation rows at maxSubjects (worst kept) and counts the rest in omitted', async () => {
    const card = createScorecard({ clock: manualClock(T0), maxSubjects: 3 });
    const routes = Array.from({ length: 10 }, (_, i) => ({ route: `/r${i}`, count: 100, p95Ms: 10 + i * 20 }));
    const s = await card.evaluate(snap(T0, { routes }));
    expect(s.objectives.filter((o) => o.kind === 'serverLatency').map((o) => o.subject)).toEqual(['GET /r9', 'GET /r8', 'GET /r7']);
    expect(s.omitted).toBe(7);
  });
});

describe('availability and its error budget over 30 days (manual clock)', () => {
  it('counts each closed series point once across overlapping snapshots, and gives the budget left', async () => {
    const clock = manualClock(T0);
    const card = createScorecard({ clock });
    // 15 minutes at 100 requests per 10 s point, none failed: 9,000 requests
    let s = await card.evaluate(snap(T0, { perPoint: { count: 100, errors: 0 } }));
    expect(one(s.objectives, 'availability')).toMatchObject({ actual: 1, samples: 9000, status: 'met', budgetRemaining: 1, budgetWindowSeconds: 900 });
    // 5 minutes later: the new snapshot's window overlaps the last one by 10 minutes; only 30 new points count
    clock.advance(300_000);
    s = await card.evaluate(snap(clock.now(), { perPoint: { count: 100, errors: 1 } }));
    const a = one(s.objectives, 'availability');
    expect(a.samples).toBe(9000 + 3000);
    expect(a.actual).toBeCloseTo(1 - 30 / 12_000, 12);
    // budget: 0.1 % of 12,000 = 12 failures allowed, 30 spent → 1 - 30/12 = -1.5 (spent 2.5 times over)
    expect(a.budgetRemaining).toBeCloseTo(1 - 30 / 12, 12);
    expect(a.status).toBe('missed');
    expect(a.budgetWindowSeconds).toBe(1200);
    // the same snapshot again adds nothing
    s = await card.evaluate(snap(clock.now(), { perPoint: { count: 100, errors: 1 } }));
    expect(one(s.objectives, 'availability').samples).toBe(12_000);
  });

  it('forgets hours older than the budget window (30 days by default; here 1 day)', async () => {
    const clock = manualClock(T0);
    const card = createScorecard({ clock, budgetWindowMs: 86_400_000 });
    await card.evaluate(snap(T0, { perPoint: { count: 10, errors: 10 } })); // a bad quarter hour
    clock.advance(3_600_000);
    let a = one((await card.evaluate(snap(clock.now(), { perPoint: { count: 100, errors: 0 } }))).objectives, 'availability');
    expect(a.samples).toBe(900 + 9000);
    expect(a.status).toBe('missed');
    clock.advance(86_400_000 + 3_600_000);
    a = one((await card.evaluate(snap(clock.now(), { perPoint: { count: 100, errors: 0 } }))).objectives, 'availability');
    expect(a.samples).toBe(9000); // both earlier quarter hours fell out of the day
    expect(a).toMatchObject({ actual: 1, status: 'met', budgetRemaining: 1, budgetWindowSeconds: 86_400 });
  });

  it('fewer requests than minSamples: insufficient_data, even when all succeeded', async () => {
    const card = createScorecard({ clock: manualClock(T0) });
    const a = one((await card.evaluate(snap(T0, { perPoint: { count: 1, errors: 0 } }))).objectives, 'availability');
    expect(a).toMatchObject({ actual: 1, samples: 90, status: 'insufficient_data', note: '90 of the 1000 samples needed' });
  });
});

describe('trend against the previous window (manual clock)', () => {
  it('better, worse, steady; null until a value one window old exists', async () => {
    const clock = manualClock(T0);
    const card = createScorecard({ clock });
    const at = async (p95Ms: number, hits: number) => (await card.evaluate(snap(clock.now(), { routes: [{ route: '/a', p95Ms }], caches: [{ name: 'c', hits, misses: 1000 - hits }] }))).objectives;
    let o = await at(80, 900);
    expect(one(o, 'serverLatency')).toMatchObject({ previous: null, trend: null });
    clock.advance(WINDOW / 2);
    o = await at(150, 500);
    expect(one(o, 'serverLatency')).toMatchObject({ previous: null, trend: null }); // nothing a whole window old yet
    clock.advance(WINDOW / 2);
    o = await at(120, 950);
    expect(one(o, 'serverLatency')).toMatchObject({ actual: 120, previous: 80, trend: 'worse' });
    expect(one(o, 'cacheHitRate')).toMatchObject({ actual: 0.95, previous: 0.9, trend: 'better' });
    clock.advance(WINDOW / 2);
    o = await at(60, 505);
    expect(one(o, 'serverLatency')).toMatchObject({ previous: 150, trend: 'better' }); // lower latency is better
    expect(one(o, 'cacheHitRate')).toMatchObject({ previous: 0.5, trend: 'steady' }); // within 2 % of the 0.8 target
  });
});

describe('bad input', () => {
  const bad: [string, unknown, RegExp][] = [
    ['unknown option', { target: {} }, /Unknown option "target".*did you mean "targets"/],
    ['unknown target', { targets: { latency: 5 } }, /Unknown option "latency"/],
    ['negative latency target', { targets: { serverLatencyP95Ms: -1 } }, /serverLatencyP95Ms/],
    ['ratio above 1', { targets: { cacheHitRate: 80 } }, /cacheHitRate/],
    ['availability of 100 %', { targets: { availability: 1 } }, /availability.*no error budget/],
    ['NaN bundle', { bundleBytes: Number.NaN }, /bundleBytes/],
    ['minSamples not an integer', { minSamples: { errorRate: 1.5 } }, /minSamples\.errorRate/],
    ['unknown minSamples kind', { minSamples: { latency: 3 } }, /Unknown option "latency"/],
    ['monitor without snapshot()', { monitor: {} }, /monitor/],
    ['pageLoads not a function', { pageLoads: [] }, /pageLoads/],
    ['budget window below a minute', { budgetWindowMs: 10 }, /budgetWindowMs/],
    ['maxSubjects 0', { maxSubjects: 0 }, /maxSubjects/],
    ['clock without now()', { clock: {} }, /clock/],
    ['registry without gauge()', { registry: {} }, /registry/],
  ];
  it.each(bad)('%s → ConfigurationError naming the option', (_, options, message) => {
    let caught: unknown;
    try {
      createScorecard(options as ScorecardOptions);
    } catch (error) {
      caught = error;
    }
    expect(isArmorError(caught)).toBe(true);
    expect((caught as { code: string }).code).toBe('CONFIGURATION_ERROR');
    expect(String((caught as Error).message)).toMatch(message);
  });

  it('hostile snapshot figures (NaN, negative counts, a pageLoads that throws) never throw: they count as missing', async () => {
    const card = createScorecard({ clock: manualClock(T0), pageLoads: () => { throw new Error('ingest down'); } });
    const s = snap(T0, { routes: [{ route: '/x', count: Number.NaN, p95Ms: Number.POSITIVE_INFINITY }], caches: [{ name: 'c', hits: -5, misses: Number.NaN }] });
    (s.requests.series[0] as { count: number }).count = -100;
    const { objectives } = await card.evaluate(s);
    expect(one(objectives, 'serverLatency')).toMatchObject({ actual: null, samples: 0, status: 'insufficient_data' });
    expect(one(objectives, 'cacheHitRate').status).toBe('insufficient_data');
    expect(one(objectives, 'pageLoad').note).toBe('pageLoads() failed: ingest down');
    await expect(card.evaluate({} as MonitoringSnapshot)).resolves.toBeTruthy();
  });

  it('snapshot() without a monitor → ConfigurationError', async () => {
    await expect(createScorecard().snapshot()).rejects.toThrow(/monitor/);
  });
});

describe('with a real registry and monitor', () => {
  it('scorecard.snapshot() is the monitor snapshot with an slo section that the schema accepts', async () => {
    const clock = manualClock(T0);
    const registry = createRegistry({ clock });
    const monitor = createMonitor({ registry, windowMs: WINDOW, resolutionMs: RES });
    for (let i = 0; i < 200; i++) {
      monitor.record({ method: 'GET', route: '/orders/:id', status: i % 100 === 0 ? 500 : 200, durationMs: i % 10 === 0 ? 300 : 20, at: clock.now(), error: i % 100 === 0 });
      clock.advance(1000);
    }
    clock.advance(RES);
    const card = createScorecard({ monitor, clock, bundleBytes: 312_000, registry });
    const snapshot = await card.snapshot();
    expect(monitoringSnapshotSchema.parse(snapshot)).toBeTruthy();
    const o = snapshot.slo!.objectives;
    expect(one(o, 'serverLatency', 'GET /orders/:id')).toMatchObject({ samples: 200, status: 'missed' }); // 10 % at 300 ms puts p95 among the slow ones
    expect(one(o, 'errorRate')).toMatchObject({ actual: 0.01, status: 'missed' });
    expect(one(o, 'bundleSize').status).toBe('met');
    expect(registry.metrics()).toContain('bundle_size_bytes 312000'); // for the ArmorSloBundleSize alert
    expect(one(o, 'availability')).toMatchObject({ status: 'insufficient_data' }); // 200 requests < 1,000
    monitor.stop();
  });
});

// The fleet over a day of history in a real Prometheus: about 1,000 series backfilled with
// promtool (one sample every 4 minutes for 24 h 40 min), including an instance restart whose new
// counts pass the old ones before its first scrape. Figures are compared with the exact ones
// the history generator computes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleetMonitor, createPrometheusClient, FLEET_RANGES, type FleetRange } from '../src/index.js';
import { history, INSTANCES, RESTARTED, ROUTES, type Expected } from './history.fixture.js';
import { backfill, startPrometheus, type PrometheusServer } from './prometheus-server.js';

const end = Math.floor((Date.now() - 2 * 3600_000) / 60_000) * 60_000;
const h = history(end);
const clock = { now: () => end };

/** A fetch that counts the bytes Prometheus answered (the real fetch underneath). */
function countingFetch() {
  const counter = { bytes: 0, largest: 0, calls: 0 };
  const f: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const body = await response.arrayBuffer();
    counter.bytes += body.byteLength;
    counter.largest = Math.max(counter.largest, body.byteLength);
    counter.calls++;
    return new Response(body, { status: response.status, headers: response.headers });
  };
  return { fetch: f, counter };
}

describe('fleet over a day of history in a real Prometheus (backfilled, ~1,000 series)', () => {
  let data: ReturnType<typeof backfill>;
  let prom: PrometheusServer;
  let refusing: PrometheusServer;

  beforeAll(async () => {
    data = backfill(h.lines());
    [prom, refusing] = await Promise.all([startPrometheus({ blocks: data.blocks }), startPrometheus({ blocks: data.blocks, flags: ['--query.max-samples=100'] })]);
  }, 240_000);
  afterAll(async () => {
    await prom?.stop();
    await refusing?.stop();
    data?.cleanup();
  });

  const check = (snap: Awaited<ReturnType<ReturnType<typeof createFleetMonitor>['snapshot']>>, e: Expected) => {
    expect(snap.unavailable).toBeUndefined();
    expect(snap.requests.totals).toMatchObject({ count: e.count, errors: e.errors, inFlight: 10 });
    expect(snap.requests.totals.errorRate).toBeCloseTo(e.errors / e.count, 10);
    expect(snap.requests.series.reduce((n, p) => n + p.count, 0)).toBe(e.count);
    expect(snap.requests.series.reduce((n, p) => n + p.errors, 0)).toBe(e.errors);
    expect(snap.requests.series).toHaveLength(90);
    for (const r of ROUTES) expect(snap.requests.routes.find((x) => x.route === r)).toMatchObject({ method: 'GET', ...e.byRoute.get(r) });
    expect(snap.fleet.instances.map((i) => [i.instance, i.up, i.ready, i.count, i.errors])).toEqual(
      INSTANCES.map((name, i) => [name, true, i !== 1, e.byInstance.get(name)!.count, e.byInstance.get(name)!.errors]),
    );
    expect(snap.caches).toEqual([{ name: 'users', hits: e.cacheHits, misses: e.cacheMisses, hitRate: e.cacheHits / (e.cacheHits + e.cacheMisses), size: 100 + 101 + 102 + 103 }]);
    expect(snap.rateLimits).toEqual([{ name: 'api', allowed: e.allowed, limited: e.limited, storeErrors: e.storeErrors }]);
    expect(snap.breakers).toEqual([{ name: 'payments', state: 'open' }]);
    // one instance not ready: the fleet is degraded, not unknown
    expect(snap.health.status).toBe('warn');
    expect(snap.requests.totals.p95Ms).not.toBeNull();
  };

  it.each(['24h', '6h', '1h'] as FleetRange[])('%s: exact counts, routes, instances, caches, rate limits, breakers and in-flight, in a bounded response', async (range) => {
    const { fetch: f, counter } = countingFetch();
    const fleet = createFleetMonitor({ prometheus: createPrometheusClient({ url: prom.url, fetch: f, timeoutMs: 30_000 }), job: 'api', clock });
    const started = performance.now();
    const snap = await fleet.snapshot({ range });
    console.log(`FLEET ${range}: ${counter.calls} Prometheus answers, ${counter.bytes} bytes (largest ${counter.largest}), ${Math.round(performance.now() - started)} ms (reported, not asserted)`);
    check(snap, h.expected(end - FLEET_RANGES[range]));
    // every response together: under 1 MB (the raw samples of a day were ~10 MB here)
    expect(counter.bytes).toBeLessThan(1_000_000);
  });

  it('a restart whose new count passes the old one before the first scrape is detected from process_start_time_seconds', async () => {
    const fleet = createFleetMonitor({ prometheus: { url: prom.url, timeoutMs: 30_000 }, job: 'api', clock });
    for (const range of ['24h', '6h'] as FleetRange[]) {
      const e = h.expected(end - FLEET_RANGES[range]);
      const snap = await fleet.snapshot({ range, instance: RESTARTED });
      expect(snap.requests.totals.count).toBe(e.byInstance.get(RESTARTED)!.count);
      expect(snap.requests.routes.find((r) => r.route === '/r0')!.count).toBeGreaterThan(1_000);
    }
    expect(h.restartAt).toBeGreaterThan(end - FLEET_RANGES['6h']);
  });

  it('one instance selected: its own figures, every instance still listed', async () => {
    const fleet = createFleetMonitor({ prometheus: { url: prom.url, timeoutMs: 30_000 }, job: 'api', clock });
    const e = h.expected(end - FLEET_RANGES['6h']);
    const snap = await fleet.snapshot({ range: '6h', instance: INSTANCES[0]! });
    expect(snap.requests.totals).toMatchObject({ count: e.byInstance.get(INSTANCES[0]!)!.count, errors: e.byInstance.get(INSTANCES[0]!)!.errors, inFlight: 1 });
    expect(snap.fleet.instances).toHaveLength(4);
    expect(snap.breakers).toEqual([{ name: 'payments', state: 'open' }]);
    expect(snap.health.checks.map((c) => c.name)).toEqual([INSTANCES[0]]);
  });

  it('a registry prefix: metricPrefix finds the prefixed series', async () => {
    const fleet = createFleetMonitor({ prometheus: { url: prom.url, timeoutMs: 30_000 }, job: 'shop', metricPrefix: 'shop_', clock });
    const snap = await fleet.snapshot({ range: '24h' });
    expect(snap.requests.totals.count).toBe(h.expected(end - FLEET_RANGES['24h']).shop);
    expect(snap.requests.routes).toMatchObject([{ method: 'POST', route: '/buy' }]);
    expect(snap.unavailable).toBeUndefined();
    expect(() => createFleetMonitor({ prometheus: { url: prom.url }, job: 'shop', metricPrefix: '1shop' })).toThrow(/metricPrefix/);
  });

  it('queryRange answers one series per label set with a point per step', async () => {
    const client = createPrometheusClient({ url: prom.url });
    const series = await client.queryRange('sum by (instance) (cache_size{job="api"})', end - 3600_000, end, 600_000);
    expect(series.map((s) => [s.metric.instance, s.values.length, s.values[0]![0]])).toEqual(INSTANCES.map((i) => [i, 7, (end - 3600_000) / 1000]));
    expect(series.map((s) => s.values.at(-1)![1])).toEqual([100, 101, 102, 103]);
    await expect(client.queryRange('sum(', end - 1000, end, 1000)).rejects.toThrow(/refused the query sum\(/);
  });

  it('queries Prometheus refuses (--query.max-samples) mark their sections unavailable and the health unknown; up still lists the instances', async () => {
    const fleet = createFleetMonitor({ prometheus: { url: refusing.url, timeoutMs: 30_000 }, job: 'api', clock });
    const snap = await fleet.snapshot({ range: '24h' });
    expect(snap.fleet.instances.map((i) => i.instance)).toEqual(INSTANCES);
    expect(snap.health.status).toBe('unknown');
    const sections = (snap.unavailable ?? []).map((u) => u.section);
    expect(sections).toEqual(expect.arrayContaining(['requests', 'latency', 'caches', 'rateLimits']));
    expect(snap.unavailable!.find((u) => u.section === 'requests')!.reason).toMatch(/max-samples|too many samples|sample/i);
    expect(snap.health.checks).toContainEqual(expect.objectContaining({ name: 'prometheus', status: 'fail' }));
  });
});

import { AggregationTemporality, DataPointType, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { createHealth } from '@armor/health';
import { createRegistry } from '@armor/metrics';
import { instrumentHealth } from '@armor/metrics/bridges';
import { createHttpMetrics } from '@armor/metrics/http';
import { collectProcessMetrics } from '@armor/metrics/node';
import { afterEach, describe, expect, it } from 'vitest';
import { openTelemetrySink, otelName } from './index.js';

/** The SDK's in-memory exporter behind a reader we flush by hand (no timers decide anything). */
function otel(sinkOptions: Parameters<typeof openTelemetrySink>[0] = {}) {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  const sink = openTelemetrySink({ ...sinkOptions, meter: provider.getMeter('armor') });
  providers.push(provider);
  return {
    sink,
    /** One OpenTelemetry collection (and export): metric name → data. */
    async collect(): Promise<Map<string, MetricData>> {
      exporter.reset();
      await reader.forceFlush();
      const exported = exporter.getMetrics().at(-1);
      return new Map((exported?.scopeMetrics ?? []).flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m]));
    },
  };
}
const providers: MeterProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.shutdown()));
});

const attrs = (m: MetricData | undefined) => (m?.dataPoints ?? []).map((p) => p.attributes);

describe('HTTP semantic conventions (issue 24)', () => {
  for (const prefix of ['', 'shop_']) {
    it(`maps the HTTP metrics to their semantic-convention names ${prefix ? 'with' : 'without'} a registry prefix`, async () => {
      const o = otel();
      const registry = createRegistry({ prefix });
      registry.addSink(o.sink);
      const http = createHttpMetrics(registry);
      http.end(http.start() - 20, 'GET', '/users/:id', 200);
      registry.counter({ name: 'jobs', help: 'Jobs' }).inc(2);
      const got = await o.collect();
      expect([...got.keys()].sort()).toEqual(['armor.http.server.requests', 'armor.jobs', 'http.server.active_requests', 'http.server.request.duration']);
      expect(got.get('http.server.request.duration')!.descriptor.unit).toBe('s');
    });
  }

  it('http.server.active_requests is an UpDownCounter (a non-monotonic sum), not a Gauge', async () => {
    const o = otel();
    const registry = createRegistry();
    registry.addSink(o.sink);
    const http = createHttpMetrics(registry);
    const a = http.start();
    http.start();
    http.end(a, 'GET', '/x', 200);
    const active = (await o.collect()).get('http.server.active_requests')!;
    expect(active.dataPointType).toBe(DataPointType.SUM);
    expect(active).toMatchObject({ isMonotonic: false, descriptor: { unit: '{request}' } });
    expect(active.dataPoints.map((p) => p.value)).toEqual([1]);
    expect(active.dataPoints[0]!.attributes).toEqual({ 'url.scheme': 'http' });
  });

  it('attributes: _OTHER for unknown methods, no http.route when unmatched, url.scheme, error.type on 5xx only', async () => {
    const o = otel({ urlScheme: 'https' });
    const registry = createRegistry();
    registry.addSink(o.sink);
    const http = createHttpMetrics(registry, { statusCode: true });
    http.end(http.start(), 'PROPFIND', '/dav', 207);
    http.end(http.start(), 'GET', '(unmatched)', 404);
    http.end(http.start(), 'POST', '/pay', 503);
    const points = attrs((await o.collect()).get('http.server.request.duration')).sort((x, y) => Number(x['http.response.status_code']) - Number(y['http.response.status_code']));
    expect(points).toEqual([
      { 'http.request.method': '_OTHER', 'http.route': '/dav', 'http.response.status_code': 207, 'armor.http.status_class': '2xx', 'url.scheme': 'https' },
      { 'http.request.method': 'GET', 'http.response.status_code': 404, 'armor.http.status_class': '4xx', 'url.scheme': 'https' },
      { 'http.request.method': 'POST', 'http.route': '/pay', 'http.response.status_code': 503, 'armor.http.status_class': '5xx', 'url.scheme': 'https', 'error.type': '503' },
    ]);
  });

  it('without status codes a 5xx still carries error.type (_OTHER)', async () => {
    const o = otel();
    const registry = createRegistry();
    registry.addSink(o.sink);
    const http = createHttpMetrics(registry);
    http.end(http.start(), 'GET', '/x', 500);
    expect(attrs((await o.collect()).get('http.server.request.duration'))).toEqual([
      { 'http.request.method': 'GET', 'http.route': '/x', 'armor.http.status_class': '5xx', 'url.scheme': 'http', 'error.type': '_OTHER' },
    ]);
  });

  it('renames method/route/status_code only on HTTP metrics', async () => {
    const o = otel();
    const registry = createRegistry();
    registry.addSink(o.sink);
    registry.counter({ name: 'queue_jobs', help: 'Jobs', labelNames: ['method', 'route', 'status_code'] as const }).inc({ method: 'smtp', route: 'eu', status_code: 'sent' });
    expect(attrs((await o.collect()).get('armor.queue_jobs'))).toEqual([{ method: 'smtp', route: 'eu', status_code: 'sent' }]);
  });

  it('units come from the name without _total: process_cpu_seconds_total is in s', () => {
    expect(otelName('process_cpu_seconds_total')).toEqual({ name: 'armor.process_cpu_seconds', unit: 's' });
    expect(otelName('shop_process_cpu_seconds_total', 'shop_')).toEqual({ name: 'armor.process_cpu_seconds', unit: 's' });
    expect(otelName('net_received_bytes_total')).toEqual({ name: 'armor.net_received_bytes', unit: 'By' });
    expect(otelName('shop_http_request_duration_seconds', 'shop_')).toEqual({ name: 'http.server.request.duration', unit: 's' });
  });
});

describe('collectors run on OpenTelemetry collection, not only on a /metrics scrape (issue 24)', () => {
  it('process metrics are fresh on every collection of an OTLP-only set-up', async () => {
    const o = otel();
    const registry = createRegistry();
    registry.addSink(o.sink);
    const stop = collectProcessMetrics(registry, { gc: false });
    try {
      const first = await o.collect();
      const rss = first.get('armor.process_resident_memory_bytes');
      expect(rss?.descriptor.unit).toBe('By');
      expect(rss!.dataPoints[0]!.value).toBeGreaterThan(1_000_000);
      const cpu = first.get('armor.process_cpu_seconds');
      expect(cpu?.descriptor.unit).toBe('s');
      const cpuBefore = cpu!.dataPoints[0]!.value as number;
      // burn CPU: a fixed amount of work, not a time
      let x = 0;
      for (let i = 0; i < 5e6; i++) x = (x + i * i) % 1_000_003;
      expect(x).toBeGreaterThanOrEqual(0);
      const second = await o.collect();
      expect(second.get('armor.process_cpu_seconds')!.dataPoints[0]!.value as number).toBeGreaterThan(cpuBefore);
    } finally {
      stop();
    }
  });

  it('the readiness gauge follows the health checks without any scrape', async () => {
    const o = otel();
    const registry = createRegistry();
    registry.addSink(o.sink);
    let dbUp = true;
    const health = createHealth({ checks: { db: { check: () => (dbUp ? undefined : Promise.reject(new Error('down'))), cacheMs: 0 } } });
    health.markReady();
    const stop = instrumentHealth(health, { registry });
    try {
      const ready = async () => (await o.collect()).get('armor.health_ready')?.dataPoints[0]?.value;
      // Each collection starts a background report (a collection never waits for the checks), so
      // a later collection shows the verdict: wait by collections, never by time.
      const settle = async (want: number) => {
        let seen = await ready();
        for (let i = 0; i < 100 && seen !== want; i++) seen = await ready();
        return seen;
      };
      expect(await settle(1)).toBe(1);
      dbUp = false;
      expect(await settle(0)).toBe(0);
      dbUp = true;
      expect(await settle(1)).toBe(1);
    } finally {
      stop();
    }
  });
});

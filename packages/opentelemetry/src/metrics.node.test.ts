import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { createRegistry, errorGroups, recordError } from '@armor/metrics';
import { createHttpMetrics } from '@armor/metrics/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeTraceId, openTelemetrySink, otelName } from './index.js';

class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const tracer = new BasicTracerProvider().getTracer('test');
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => context.disable());

async function collect(reader: TestReader) {
  const { resourceMetrics } = await reader.collect();
  return new Map(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m]));
}

describe('openTelemetrySink', () => {
  it('records Armor metrics on OpenTelemetry instruments with semantic-convention names, units and attributes', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const registry = createRegistry();
    registry.addSink(openTelemetrySink({ meter: provider.getMeter('armor') }));
    const http = createHttpMetrics(registry, { statusCode: true });
    http.end(http.start() - 120, 'GET', '/users/:id', 200);
    http.end(http.start() - 30, 'GET', '/users/:id', 503);
    const jobs = registry.counter({ name: 'jobs', help: 'Jobs run', labelNames: ['queue'] as const });
    jobs.inc({ queue: 'mail' }, 3);
    registry.gauge({ name: 'queue_depth', help: 'Queue depth' }).set(7);

    const got = await collect(reader);
    const duration = got.get('http.server.request.duration') as HistogramMetricData;
    expect(duration.descriptor).toMatchObject({ unit: 's', description: expect.stringContaining('HTTP request duration') });
    const points = duration.dataPoints;
    expect(points.map((p) => p.attributes).sort((a, b) => String(a['http.response.status_code']).localeCompare(String(b['http.response.status_code'])))).toEqual([
      expect.objectContaining({ 'http.request.method': 'GET', 'http.route': '/users/:id', 'http.response.status_code': 200, 'armor.http.status_class': '2xx' }),
      expect.objectContaining({ 'http.response.status_code': 503, 'armor.http.status_class': '5xx' }),
    ]);
    expect(points.reduce((n, p) => n + p.value.count, 0)).toBe(2);
    expect(points[0]!.value.buckets.boundaries).toEqual([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
    const jobsData = got.get('armor.jobs')!;
    expect(jobsData.descriptor).toMatchObject({ unit: '{count}', description: 'Jobs run' });
    expect(jobsData.dataPoints.map((p) => [p.attributes, p.value])).toEqual([[{ queue: 'mail' }, 3]]);
    expect(got.get('armor.queue_depth')!.dataPoints[0]!.value).toBe(7);
  });

  it('maps names: semantic conventions where they exist, armor.* with a unit from the suffix otherwise', () => {
    expect(otelName('http_request_duration_seconds')).toEqual({ name: 'http.server.request.duration', unit: 's' });
    expect(otelName('circuit_breaker_calls_total')).toEqual({ name: 'armor.circuit_breaker_calls', unit: '{count}' });
    expect(otelName('nodejs_heap_size_bytes')).toEqual({ name: 'armor.nodejs_heap_size_bytes', unit: 'By' });
  });
});

describe('trace ids through activeTraceId', () => {
  it('the active trace id lands on the error group and as an OpenMetrics exemplar of the latency histogram', async () => {
    const registry = createRegistry({ traceId: activeTraceId });
    const http = createHttpMetrics(registry);
    let traceId = '';
    tracer.startActiveSpan('GET /orders/:id', (span) => {
      traceId = span.spanContext().traceId;
      http.end(http.start() - 40, 'GET', '/orders/:id', 500);
      recordError(new Error('payment provider down'), { registry });
      span.end();
    });
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(errorGroups(registry)[0]!.sample?.traceId).toBe(traceId);
    const om = registry.metrics('openmetrics');
    expect(om).toMatch(new RegExp(`http_request_duration_seconds_bucket\\{[^}]*le="0\\.05"\\} 1 # \\{trace_id="${traceId}"\\} 0\\.04`));
    // outside a span nothing is attached
    recordError(new Error('payment provider down'), { registry });
    expect(errorGroups(registry)[0]!.sample?.traceId).toBeUndefined();
  });
});

describe('README', () => {
  it('every block type-checks under strict nodenext and runs', async () => {
    const { expectReadmeRuns } = await import('@armor/test-utils');
    const { fileURLToPath } = await import('node:url');
    const [usage] = await expectReadmeRuns(fileURLToPath(new URL('..', import.meta.url)), { blocks: 1 });
    expect(usage).toBe("[ 'armor.retry', 'POST /checkout' ]\ntrue\ntrue\n");
  }, 120_000);
});

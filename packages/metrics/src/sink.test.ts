import { ConfigurationError } from '@armor/errors';
import { describe, expect, it } from 'vitest';
import { createRegistry } from './registry.js';
import type { SinkMetric } from './sink.js';
import { errorGroups, recordError, slowOperations, trackOperation } from './tracking.js';

describe('sinks', () => {
  it('receive every value of metrics registered before and after the sink, until removed', () => {
    const registry = createRegistry({ defaultLabels: { service: 'api' } });
    const before = registry.counter({ name: 'jobs', help: 'jobs', labelNames: ['queue'] as const });
    const seen: unknown[] = [];
    const described: SinkMetric[] = [];
    const remove = registry.addSink({
      instrument(metric) {
        described.push(metric);
        return (value, labels, op) => seen.push([metric.name, op, value, labels]);
      },
    });
    const after = registry.histogram({ name: 'latency_seconds', help: 'latency', labelNames: ['route'] as const, buckets: [0.1, 1] });
    const gauge = registry.gauge({ name: 'in_flight', help: 'in flight' });
    before.inc({ queue: 'mail' }, 2);
    before.labels({ queue: 'sms' }).inc();
    after.observe({ route: '/a' }, 0.25);
    gauge.set(3);
    gauge.inc();
    expect(described.map((m) => [m.type, m.name, m.buckets])).toEqual([
      ['counter', 'jobs_total', undefined],
      ['histogram', 'latency_seconds', [0.1, 1]],
      ['gauge', 'in_flight', undefined],
    ]);
    expect(seen).toEqual([
      ['jobs_total', 'inc', 2, { queue: 'mail' }],
      ['jobs_total', 'inc', 1, { queue: 'sms' }],
      ['latency_seconds', 'observe', 0.25, { route: '/a' }],
      ['in_flight', 'set', 3, {}],
      ['in_flight', 'set', 4, {}],
    ]);
    remove();
    before.inc({ queue: 'mail' });
    expect(seen).toHaveLength(5);
  });

  it('a throwing sink never breaks the instrumented code; a bad value is dropped before reaching it', () => {
    const registry = createRegistry();
    const calls: string[] = [];
    registry.addSink({ instrument: (m) => () => void (calls.push(m.name), (() => { throw new Error('sink down'); })()) });
    const counter = registry.counter({ name: 'x', help: 'x' });
    expect(() => counter.inc()).not.toThrow();
    expect(calls).toEqual(['x_total']);
    expect(() => counter.inc('5' as never)).not.toThrow();
    expect(calls).toEqual(['x_total', 'metric_values_dropped_total']); // the drop is counted, the value never sent
    expect(() => registry.addSink({} as never)).toThrow(ConfigurationError);
  });
});

describe('trace ids', () => {
  it('histograms keep the latest traced observation per bucket as an OpenMetrics exemplar (not in Prometheus text)', () => {
    let trace: string | undefined = 'a'.repeat(32);
    const registry = createRegistry({ traceId: () => trace, clock: { now: () => 1_700_000_000_000 } });
    const h = registry.histogram({ name: 'req_seconds', help: 'r', buckets: [0.1, 1] });
    h.observe(0.05);
    trace = undefined;
    h.observe(0.07); // no trace: the bucket keeps the earlier exemplar
    h.observe(5);
    const om = registry.metrics('openmetrics');
    expect(om).toContain(`req_seconds_bucket{le="0.1"} 2 # {trace_id="${'a'.repeat(32)}"} 0.05 1700000000`);
    expect(om).toMatch(/req_seconds_bucket\{le="\+Inf"\} 3\n/);
    expect(registry.metrics()).not.toContain('trace_id');
  });

  it('error-group samples and slow operations carry the active trace id; a throwing source is ignored', async () => {
    let mode: 'id' | 'throw' = 'id';
    const registry = createRegistry({
      traceId: () => {
        if (mode === 'throw') throw new Error('no context');
        return 'b'.repeat(32);
      },
    });
    recordError(new Error('db down'), { registry });
    await trackOperation('slow.op', () => new Promise((r) => setTimeout(r, 15)), { registry, slowMs: 1 });
    expect(errorGroups(registry)[0]!.sample?.traceId).toBe('b'.repeat(32));
    expect(slowOperations(registry)[0]!.traceId).toBe('b'.repeat(32));
    mode = 'throw';
    expect(() => recordError(new Error('db down'), { registry })).not.toThrow();
    expect(errorGroups(registry)[0]!.sample?.traceId).toBeUndefined();
  });

  it('refuses a traceId that is not a function', () => {
    expect(() => createRegistry({ traceId: 'abc' as never })).toThrow(/traceId/);
  });
});

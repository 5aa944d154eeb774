import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isArmorError } from '@armor/errors';
import {
  createRegistry,
  exponentialBuckets,
  linearBuckets,
  negotiateFormat,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  type RegistryWarning,
} from './index.js';

describe('createRegistry', () => {
  it('counts with typed labels, bound children and default labels; renders Prometheus 0.0.4', () => {
    const registry = createRegistry({ prefix: 'app_', defaultLabels: { service: 'api' } });
    const requests = registry.counter({ name: 'requests', help: 'Requests', labelNames: ['method', 'code'] as const });
    requests.inc({ method: 'GET', code: 200 });
    requests.inc({ method: 'GET', code: '200' }, 2);
    const post = requests.labels({ method: 'POST', code: 201 });
    post.inc();
    post.inc(0.5);
    expect(requests.get({ method: 'GET', code: 200 })).toBe(3);
    expect(post.get()).toBe(1.5);
    expect(requests.name).toBe('app_requests_total');
    expect(() => requests.inc({ method: 'GET', code: 200 }, -1)).not.toThrow(); // dropped and counted (issue 24)
    expect(requests.get({ method: 'GET', code: 200 })).toBe(3);
    // @ts-expect-error missing label "code"
    const missing = () => requests.inc({ method: 'GET' });
    expect(missing).not.toThrow();
    expect(registry.metrics()).toBe(
      [
        '# HELP app_requests_total Requests',
        '# TYPE app_requests_total counter',
        'app_requests_total{service="api",method="GET",code="200"} 3',
        'app_requests_total{service="api",method="POST",code="201"} 1.5',
        'app_requests_total{service="api",method="GET",code=""} 1',
        '# HELP app_metric_values_dropped_total Values a metric could not take (not a number, not finite, a negative counter increment), dropped',
        '# TYPE app_metric_values_dropped_total counter',
        'app_metric_values_dropped_total{service="api",metric="app_requests_total",reason="negative"} 1',
        '',
      ].join('\n'),
    );
  });

  it('renders OpenMetrics 1.0 (counter family without _total, # EOF, float le)', () => {
    const registry = createRegistry();
    registry.counter({ name: 'jobs_total', help: 'Jobs "done"' }).inc();
    const h = registry.histogram({ name: 'latency_seconds', help: 'Latency', buckets: [0.5, 1] });
    h.observe(0.2);
    h.observe(0.7);
    h.observe(3);
    expect(registry.metrics('openmetrics')).toBe(
      [
        '# HELP jobs Jobs \\"done\\"',
        '# TYPE jobs counter',
        'jobs_total 1',
        '# HELP latency_seconds Latency',
        '# TYPE latency_seconds histogram',
        'latency_seconds_bucket{le="0.5"} 1',
        'latency_seconds_bucket{le="1.0"} 2',
        'latency_seconds_bucket{le="+Inf"} 3',
        'latency_seconds_sum 3.9',
        'latency_seconds_count 3',
        '# EOF',
        '',
      ].join('\n'),
    );
    expect(h.get()).toEqual({ count: 3, sum: 3.9, buckets: [1, 2, 3] });
  });

  it('gauges go up and down', () => {
    const registry = createRegistry();
    const g = registry.gauge({ name: 'queue_depth', help: 'Depth', labelNames: ['queue'] as const });
    g.set({ queue: 'a' }, 5);
    g.inc({ queue: 'a' });
    g.dec({ queue: 'a' }, 3);
    const b = g.labels({ queue: 'b' });
    b.set(Number.POSITIVE_INFINITY);
    expect(g.get({ queue: 'a' })).toBe(3);
    expect(registry.metrics()).toContain('queue_depth{queue="b"} +Inf');
    const plain = registry.gauge({ name: 'temp', help: 'T' });
    plain.set(-2.5);
    plain.inc();
    expect(plain.get()).toBe(-1.5);
  });

  it('histograms with label children and timers', () => {
    let now = 1000;
    const registry = createRegistry({ clock: { now: () => now } });
    const h = registry.histogram({ name: 'db_seconds', help: 'DB', labelNames: ['op'] as const, buckets: linearBuckets(0.1, 0.1, 3) });
    const end = h.labels({ op: 'select' }).startTimer();
    now += 250;
    expect(end()).toBe(0.25);
    h.observe({ op: 'select' }, Number.NaN); // ignored
    expect(h.get({ op: 'select' })).toEqual({ count: 1, sum: 0.25, buckets: [0, 0, 1, 1] });
    expect(registry.metrics()).toContain('db_seconds_bucket{op="select",le="0.3"} 1\ndb_seconds_bucket{op="select",le="+Inf"} 1\ndb_seconds_sum{op="select"} 0.25\ndb_seconds_count{op="select"} 1\n');
  });

  it('summaries report sliding-window quantiles', () => {
    let now = 0;
    const registry = createRegistry({ clock: { now: () => now } });
    const s = registry.summary({ name: 'payload_bytes', help: 'Sizes', percentiles: [0.5, 0.9], maxAgeMs: 1000, ageBuckets: 2 });
    for (let i = 1; i <= 100; i++) s.observe(i);
    expect(s.quantiles()).toEqual({ '0.5': 50, '0.9': 90 });
    expect(registry.metrics()).toContain('payload_bytes{quantile="0.5"} 50\npayload_bytes{quantile="0.9"} 90\npayload_bytes_sum 5050\npayload_bytes_count 100\n');
    now = 1600; // both sub-windows rotated out
    s.observe(7);
    expect(s.quantiles()).toEqual({ '0.5': 7, '0.9': 7 });
    now = 5000;
    expect(Number.isNaN(s.quantiles()['0.5'])).toBe(true);
  });

  it('re-registering the same shape returns the same metric; a different shape throws', () => {
    const registry = createRegistry();
    const a = registry.counter({ name: 'hits', help: 'x', labelNames: ['a'] as const });
    const b = registry.counter({ name: 'hits_total', help: 'other help is fine', labelNames: ['a'] as const });
    expect(b).toBe(a);
    expect(() => registry.counter({ name: 'hits', help: 'x', labelNames: ['b'] as const })).toThrow(/already registered/);
    expect(() => registry.gauge({ name: 'hits_total', help: 'x' })).toThrow(/already registered/);
    const h1 = registry.histogram({ name: 'h', help: 'x', buckets: [1, 2] });
    expect(registry.histogram({ name: 'h', help: 'x', buckets: [1, 2] })).toBe(h1);
    expect(() => registry.histogram({ name: 'h', help: 'x', buckets: [1, 3] })).toThrow(/already registered/);
    expect(registry.get('hits')).toBe(a);
  });

  it('caps cardinality per metric, folds the rest into an overflow series and warns once', () => {
    const registry = createRegistry({ maxSeriesPerMetric: 3 });
    const warnings: RegistryWarning[] = [];
    const off = registry.on('warning', (w) => warnings.push(w));
    registry.on('warning', () => {
      throw new Error('listener failures are isolated');
    });
    const c = registry.counter({ name: 'by_user', help: 'x', labelNames: ['user'] as const });
    for (let i = 0; i < 10; i++) c.inc({ user: `u${i}` });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ kind: 'cardinality', metric: 'by_user_total', limit: 3 });
    const text = registry.metrics();
    expect(text.match(/^by_user_total\{/gm)).toHaveLength(4);
    expect(text).toContain('by_user_total{user="(overflow)"} 7');
    off();
    const d = registry.counter({ name: 'per_metric', help: 'x', labelNames: ['k'] as const, maxSeries: 1 });
    d.inc({ k: 'a' });
    d.inc({ k: 'b' });
    expect(warnings).toHaveLength(1);
  });

  it('escapes label values and help text', () => {
    const registry = createRegistry();
    registry.gauge({ name: 'g', help: 'line\nbreak \\ slash', labelNames: ['v'] as const }).set({ v: 'a"b\\c\nd' }, 1);
    expect(registry.metrics()).toBe('# HELP g line\\nbreak \\\\ slash\n# TYPE g gauge\ng{v="a\\"b\\\\c\\nd"} 1\n');
  });

  it('property: any label value survives escaping (unescape(escape(v)) === v) and stays on one line', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (value) => {
        const registry = createRegistry();
        registry.gauge({ name: 'g', help: 'h', labelNames: ['v'] as const }).set({ v: value }, 1);
        const line = registry.metrics().split('\n')[2]!;
        const m = /^g\{v="((?:[^"\\]|\\.)*)"\} 1$/.exec(line);
        expect(m).not.toBeNull();
        const back = m![1]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
        expect(back).toBe(value);
      }),
    );
  });

  it('rejects unknown labels and missing label objects at runtime', () => {
    const registry = createRegistry();
    const c = registry.counter({ name: 'c', help: 'x', labelNames: ['a'] as const });
    expect(() => c.inc({ a: 1, b: 2 } as never)).toThrow(/unknown label "b"/);
    expect(() => (c.inc as unknown as (v?: number) => void)()).toThrow(/labels \{ a \} are required/);
  });

  it('rejects unknown label names past the cardinality cap too (instead of folding them into the overflow series)', () => {
    const registry = createRegistry({ maxSeriesPerMetric: 2 });
    const warnings: RegistryWarning[] = [];
    registry.on('warning', (w) => warnings.push(w));
    const c = registry.counter({ name: 'req', help: 'x', labelNames: ['method', 'route'] as const });
    c.inc({ method: 'GET', route: '/a' });
    c.inc({ method: 'GET', route: '/b' });
    // the cap is reached; a typo in a label name must still throw, for a new first or last value
    expect(() => c.inc({ method: 'PUT', rout: '/c' } as never)).toThrow(/unknown label "rout"/);
    expect(() => c.inc({ method: 'GET', route: '/c', status: 200 } as never)).toThrow(/unknown label "status"/);
    expect(() => c.labels({ methd: 'GET', route: '/d' } as never)).toThrow(/unknown label "methd"/);
    const g = registry.gauge({ name: 'g', help: 'x', labelNames: ['k'] as const, maxSeries: 1 });
    g.set({ k: 'a' }, 1);
    expect(() => g.set({ k: 'b', extra: 1 } as never, 2)).toThrow(/unknown label "extra"/);
    const h = registry.histogram({ name: 'h', help: 'x', labelNames: ['k'] as const, maxSeries: 1, buckets: [1] });
    h.observe({ k: 'a' }, 0.5);
    expect(() => h.observe({ k: 'b', extra: 1 } as never, 0.5)).toThrow(/unknown label "extra"/);
    const s = registry.summary({ name: 's', help: 'x', labelNames: ['k'] as const, maxSeries: 1 });
    s.observe({ k: 'a' }, 1);
    expect(() => s.observe({ k: 'b', extra: 1 } as never, 1)).toThrow(/unknown label "extra"/);
    // nothing was recorded or warned for the rejected calls
    expect(warnings).toHaveLength(0);
    expect(registry.metrics()).not.toContain('(overflow)');
    // well-formed label sets past the cap still go to the overflow series
    c.inc({ method: 'PUT', route: '/c' });
    expect(warnings).toHaveLength(1);
    expect(registry.metrics()).toContain('req_total{method="(overflow)",route="(overflow)"} 1');
  });

  it('property: an unknown label name throws whenever the call would create a series or overflow; counts add up', () => {
    const op = fc.record({ a: fc.constantFrom('x', 'y', 'z'), b: fc.constantFrom('1', '2', ''), typo: fc.boolean() });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 30 }), (cap, ops) => {
        const registry = createRegistry({ maxSeriesPerMetric: cap });
        const c = registry.counter({ name: 'c', help: 'x', labelNames: ['a', 'b'] as const });
        const series = new Map<string, number>();
        let overflow = 0;
        for (const { a, b, typo } of ops) {
          const labels = typo ? ({ a, bb: b } as never) : { a, b };
          const key = typo ? `${a}\u0000` : `${a}\u0000${b}`; // a missing label reads as ''
          const known = series.has(key);
          if (typo && !known) {
            expect(() => c.inc(labels)).toThrow(/unknown label "bb"/);
            continue;
          }
          c.inc(labels); // a found series is the hot path: label names are not re-checked there
          if (known) series.set(key, series.get(key)! + 1);
          else if (series.size < cap) series.set(key, 1);
          else overflow++;
        }
        const lines = registry.metrics().split('\n').filter((l) => l.startsWith('c_total{'));
        expect(lines).toHaveLength(series.size + (overflow > 0 ? 1 : 0));
        const total = lines.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
        expect(total).toBe([...series.values()].reduce((x, y) => x + y, 0) + overflow);
        if (overflow > 0) expect(lines).toContain(`c_total{a="(overflow)",b="(overflow)"} ${overflow}`);
      }),
    );
  });

  it('runs collectors before rendering and isolates their failures', () => {
    const registry = createRegistry();
    const g = registry.gauge({ name: 'sampled', help: 'x' });
    let n = 0;
    const remove = registry.addCollector(() => g.set(++n));
    registry.addCollector(() => {
      throw new Error('broken');
    });
    expect(registry.metrics()).toContain('sampled 1');
    expect(registry.metrics()).toContain('sampled 2');
    remove();
    expect(registry.metrics()).toContain('sampled 2');
    registry.resetAll();
    expect(registry.metrics()).toBe('# HELP sampled x\n# TYPE sampled gauge\n');
  });

  it('bucket helpers', () => {
    expect(linearBuckets(0.1, 0.1, 5)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(exponentialBuckets(0.001, 2, 4)).toEqual([0.001, 0.002, 0.004, 0.008]);
    expect(() => linearBuckets(0, 0, 3)).toThrow(/width/);
    expect(() => exponentialBuckets(0, 2, 3)).toThrow(/start/);
    expect(() => exponentialBuckets(1, 2, 0)).toThrow(/count/);
  });

  it('negotiates the exposition format like Prometheus asks', () => {
    const prometheusAccept = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
    expect(negotiateFormat(prometheusAccept)).toEqual({ format: 'openmetrics', contentType: OPENMETRICS_CONTENT_TYPE });
    expect(negotiateFormat('text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5').format).toBe('prometheus');
    expect(negotiateFormat(undefined)).toEqual({ format: 'prometheus', contentType: PROMETHEUS_CONTENT_TYPE });
    expect(negotiateFormat('*/*').format).toBe('prometheus');
    expect(negotiateFormat('application/openmetrics-text; version=2.0.0').format).toBe('prometheus');
  });

  it.each<[string, () => unknown]>([
    ['prefix', () => createRegistry({ prefix: '1x' })],
    ['defaultLabels.bad-name', () => createRegistry({ defaultLabels: { 'bad-name': 'x' } })],
    ['maxSeriesPerMetric', () => createRegistry({ maxSeriesPerMetric: 0 })],
    ['clock', () => createRegistry({ clock: {} as never })],
    ['name', () => createRegistry().counter({ name: 'bad name', help: 'x' })],
    ['help', () => createRegistry().counter({ name: 'ok', help: 1 as never })],
    ['labelNames', () => createRegistry().counter({ name: 'ok', help: 'x', labelNames: ['a', 'a'] })],
    ['labelNames', () => createRegistry().counter({ name: 'ok', help: 'x', labelNames: ['__x'] })],
    ['labelNames', () => createRegistry().histogram({ name: 'ok', help: 'x', labelNames: ['le'] })],
    ['buckets', () => createRegistry().histogram({ name: 'ok', help: 'x', buckets: [2, 1] })],
    ['buckets', () => createRegistry().histogram({ name: 'ok', help: 'x', buckets: [] })],
    ['percentiles', () => createRegistry().summary({ name: 'ok', help: 'x', percentiles: [1.5] })],
    ['maxAgeMs', () => createRegistry().summary({ name: 'ok', help: 'x', maxAgeMs: 0 })],
    ['maxSeries', () => createRegistry().counter({ name: 'ok', help: 'x', maxSeries: 1.5 })],
    ['maxSeriesPerMetrics', () => createRegistry({ maxSeriesPerMetrics: 10 } as never)],
    ['labels', () => createRegistry().counter({ name: 'ok', help: 'x', labels: ['a'] } as never)],
    ['bucket', () => createRegistry().histogram({ name: 'ok', help: 'x', bucket: [1] } as never)],
    ['buckets', () => createRegistry().summary({ name: 'ok', help: 'x', buckets: [1] } as never)],
  ])('bad option %# throws ConfigurationError naming %s', (option, fn) => {
    try {
      fn();
      expect.unreachable();
    } catch (error) {
      expect(isArmorError(error, 'CONFIGURATION_ERROR')).toBe(true);
      expect((error as { option: string }).option).toBe(option);
    }
  });

  it('refuses unknown options with the closest known name (core checkOptions)', () => {
    expect(() => createRegistry({ prefx: 'a_' } as never)).toThrow(/Unknown option "prefx" of createRegistry \(did you mean "prefix"\?\)/);
    expect(() => createRegistry().counter({ name: 'ok', help: 'x', labelName: ['a'] } as never)).toThrow(/did you mean "labelNames"/);
  });

  describe('value validation at the call site (issue 17 item 5; dropped, not thrown, since issue 24)', () => {
    it('gauge.set(undefined), counter.inc("5"), histogram.observe("0.3") are dropped, counted and change nothing', () => {
      const registry = createRegistry();
      const warnings: RegistryWarning[] = [];
      registry.on('warning', (w) => void warnings.push(w));
      const g = registry.gauge({ name: 'g', help: 'g' });
      const gl = registry.gauge({ name: 'gl', help: 'g', labelNames: ['k'] as const });
      const c = registry.counter({ name: 'c', help: 'c' });
      const cl = registry.counter({ name: 'cl', help: 'c', labelNames: ['k'] as const });
      const h = registry.histogram({ name: 'h', help: 'h' });
      const s = registry.summary({ name: 's', help: 's' });
      const calls = [
        () => g.set(undefined as never),
        () => g.inc('1' as never),
        () => gl.set({ k: 'a' }, null as never),
        () => gl.labels({ k: 'a' }).dec('2' as never),
        () => c.inc('5' as never),
        () => cl.labels({ k: 'a' }).inc('5' as never),
        () => cl.inc({ k: 'a' }, -1),
        () => c.inc(Number.NaN),
        () => h.observe('0.3' as never),
        () => h.labels({} as never).observe({} as never),
        () => s.observe(undefined as never),
      ];
      for (const call of calls) expect(call).not.toThrow();
      const text = registry.metrics();
      expect(text).not.toMatch(/undefined|null|051| NaN/);
      expect(text).toContain('c_total 0\n');
      expect(text).toContain('h_count 0\n');
      expect(text).toContain('gl{k="a"} 0\n'); // the bound child's series existed; its value did not change
      expect(text).toContain('metric_values_dropped_total{metric="g",reason="not_a_number"} 2\n');
      expect(text).toContain('metric_values_dropped_total{metric="c_total",reason="not_a_number"} 2\n');
      expect(text).toContain('metric_values_dropped_total{metric="cl_total",reason="negative"} 1\n');
      expect(text).toContain('metric_values_dropped_total{metric="h",reason="not_a_number"} 2\n');
      expect(warnings.map((w) => w.kind === 'invalid-value' && w.metric)).toEqual(['g', 'gl', 'c_total', 'cl_total', 'h', 's']);
      expect(warnings[0]!.message).toBe('g.set(undefined): not a number; the value was dropped and counted in metric_values_dropped_total');
      // gauges accept NaN and infinities (valid sample values)
      g.set(Number.POSITIVE_INFINITY);
      expect(registry.metrics()).toContain('g +Inf\n');
    });

    it('refuses names whose samples collide (_count, _sum, _bucket, _total) at registration', () => {
      const registry = createRegistry();
      registry.histogram({ name: 'x', help: 'x' });
      for (const name of ['x_count', 'x_sum', 'x_bucket']) expect(() => registry.gauge({ name, help: 'g' })).toThrow(/already writes/);
      expect(() => registry.counter({ name: 'x_count', help: 'c' })).toThrow(/already writes/);
      registry.gauge({ name: 'y_count', help: 'g' });
      expect(() => registry.histogram({ name: 'y', help: 'h' })).toThrow(/already writes/);
      expect(() => registry.summary({ name: 'y', help: 's' })).toThrow(/already writes/);
      registry.counter({ name: 'z', help: 'c' }); // writes z_total, family z
      expect(() => registry.gauge({ name: 'z', help: 'g' })).toThrow(/already writes/);
      registry.gauge({ name: 'w_total', help: 'g' });
      expect(() => registry.counter({ name: 'w', help: 'c' })).toThrow(/already|writes/);
      // re-registering the same shape still returns the same metric
      expect(registry.histogram({ name: 'x', help: 'x' })).toBe(registry.get('x'));
    });

    it('exports an unlabelled counter at 0 before its first increment (and again after resetAll)', () => {
      const registry = createRegistry();
      const c = registry.counter({ name: 'jobs', help: 'Jobs' });
      expect(registry.metrics()).toBe('# HELP jobs_total Jobs\n# TYPE jobs_total counter\njobs_total 0\n');
      c.inc(2);
      registry.resetAll();
      expect(registry.metrics()).toContain('jobs_total 0\n');
    });

    it('writes the same le text in Prometheus text and OpenMetrics', () => {
      const registry = createRegistry();
      registry.histogram({ name: 'lat', help: 'l', buckets: [0.5, 1, 10] }).observe(2);
      const le = (text: string) => [...text.matchAll(/le="([^"]+)"/g)].map((m) => m[1]);
      expect(le(registry.metrics('prometheus'))).toEqual(['0.5', '1.0', '10.0', '+Inf']);
      expect(le(registry.metrics('openmetrics'))).toEqual(le(registry.metrics('prometheus')));
    });
  });
});

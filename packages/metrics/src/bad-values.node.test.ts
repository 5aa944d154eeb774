import express from 'express';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry, type RegistryWarning } from './index.js';
import { metricsEndpoint, metricsMiddleware } from './express.js';

/**
 * Issue 24: a bad metric value inside a route answered 400 and exposed the metric name (the
 * server's bug counted as the client's). Decision (DESIGN, "monitoring never hurts the
 * monitored"): a value a metric cannot take is dropped and counted, never thrown into the
 * request path.
 */
describe('a bad metric value inside an Express route (real sockets)', () => {
  const registry = createRegistry({ prefix: 'shop_' });
  const warnings: RegistryWarning[] = [];
  registry.on('warning', (w) => void warnings.push(w));
  const orders = registry.counter({ name: 'orders_total', help: 'Orders', labelNames: ['plan'] as const });
  const basket = registry.histogram({ name: 'basket_value', help: 'Basket value', buckets: [10, 100] });
  let server: Server;
  let base = '';
  beforeAll(async () => {
    const app = express();
    app.get('/metrics', metricsEndpoint(registry));
    app.use(metricsMiddleware({ registry }));
    app.post('/orders', (req, res) => {
      // a programming error: the query string is a string, not a number
      orders.inc({ plan: 'pro' }, req.query.qty as never);
      basket.observe(Number(req.query.value) / Number(req.query.items));
      res.status(201).json({ ok: true });
    });
    server = await new Promise<Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    const a = server.address();
    base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('the route answers what it meant to answer; the metric name never reaches the client; the drop is counted', async () => {
    const res = await fetch(`${base}/orders?qty=2&value=30&items=0`, { method: 'POST' });
    const body = await res.text();
    expect(res.status).toBe(201);
    expect(body).toBe('{"ok":true}');
    expect(body).not.toContain('orders');
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('shop_metric_values_dropped_total{metric="shop_orders_total",reason="not_a_number"} 1');
    expect(text).toContain('shop_metric_values_dropped_total{metric="shop_basket_value",reason="not_finite"} 1');
    expect(text).toContain('shop_http_requests_total{method="POST",route="/orders",status_class="2xx"} 1');
    expect(text).not.toMatch(/ (NaN|[+-]Inf)$/m);
    expect(text).not.toContain('shop_basket_value_sum'); // a dropped value creates no series
    expect(warnings.map((w) => [w.kind, w.metric])).toEqual([
      ['invalid-value', 'shop_orders_total'],
      ['invalid-value', 'shop_basket_value'],
    ]);
    // once per metric, not once per call
    await fetch(`${base}/orders?qty=x&value=1&items=0`, { method: 'POST' });
    expect(warnings).toHaveLength(2);
    expect(registry.metrics()).toContain('shop_metric_values_dropped_total{metric="shop_orders_total",reason="not_a_number"} 2');
  });
});

describe('non-finite values (issue 24)', () => {
  it('counter.inc(Infinity) and an infinite observation are dropped: _sum stays a number for good', () => {
    const registry = createRegistry();
    const c = registry.counter({ name: 'c', help: 'c' });
    const h = registry.histogram({ name: 'h', help: 'h', labelNames: ['k'] as const });
    const s = registry.summary({ name: 's', help: 's' });
    c.inc(Number.POSITIVE_INFINITY);
    c.labels({} as never).inc(Number.POSITIVE_INFINITY);
    h.observe({ k: 'a' }, Number.POSITIVE_INFINITY);
    h.labels({ k: 'a' }).observe(Number.NEGATIVE_INFINITY);
    s.observe(Number.POSITIVE_INFINITY);
    c.inc(2);
    h.observe({ k: 'a' }, 0.2);
    h.observe({ k: 'a' }, 0.3);
    s.observe(4);
    expect(c.get()).toBe(2);
    expect(h.get({ k: 'a' })).toMatchObject({ count: 2, sum: 0.5 });
    const text = registry.metrics();
    expect(text).toContain('c_total 2\n');
    expect(text).toContain('h_sum{k="a"} 0.5\n');
    expect(text).toContain('s_sum 4\n');
    expect(text).toContain('metric_values_dropped_total{metric="c_total",reason="not_finite"} 2');
    expect(text).toContain('metric_values_dropped_total{metric="h",reason="not_finite"} 2');
    expect(text).toContain('metric_values_dropped_total{metric="s",reason="not_finite"} 1');
    expect(text).not.toMatch(/ (NaN|[+-]Inf)$/m);
  });

  it('a registry with no bad value has no drop counter; gauges keep accepting ±Infinity and NaN', () => {
    const registry = createRegistry();
    const g = registry.gauge({ name: 'g', help: 'g' });
    g.set(Number.POSITIVE_INFINITY);
    expect(registry.metrics()).toBe('# HELP g g\n# TYPE g gauge\ng +Inf\n');
  });
});

// @armor/metrics vs prom-client: hot paths (counter inc / histogram observe with 2 labels) and
// rendering 10,000 series. Both sides get the same label objects in the same order.
import client from 'prom-client';
import { createRegistry } from '@armor/metrics';
import { compare } from './lib.ts';

const methods = ['GET', 'POST', 'PUT', 'DELETE'];
const routes = ['/users/:id', '/orders', '/orders/:id', '/health/ready', '/metrics'];
const sets = methods.flatMap((method) => routes.map((route) => ({ method, route })));
const N = sets.length;

// counter inc, 2 labels, a fresh label object lookup per call
{
  const armor = createRegistry().counter({ name: 'req', help: 'h', labelNames: ['method', 'route'] as const });
  const prom = new client.Counter({ name: 'req_total', help: 'h', labelNames: ['method', 'route'], registers: [new client.Registry()] });
  let i = 0;
  let j = 0;
  await compare(
    'counter-inc-2-labels',
    () => armor.inc(sets[i++ % N]!),
    'prom-client',
    () => prom.inc(sets[j++ % N]!),
  );
}

// histogram observe, 2 labels
{
  const armor = createRegistry().histogram({ name: 'dur', help: 'h', labelNames: ['method', 'route'] as const });
  const prom = new client.Histogram({ name: 'dur', help: 'h', labelNames: ['method', 'route'], registers: [new client.Registry()] });
  let i = 0;
  let j = 0;
  await compare(
    'histogram-observe-2-labels',
    () => armor.observe(sets[i++ % N]!, (i % 1000) / 1000),
    'prom-client',
    () => prom.observe(sets[j++ % N]!, (j % 1000) / 1000),
  );
}

// bound children (both libraries offer labels(...))
{
  const armor = createRegistry().counter({ name: 'req', help: 'h', labelNames: ['method', 'route'] as const }).labels({ method: 'GET', route: '/users/:id' });
  const prom = new client.Counter({ name: 'req_total', help: 'h', labelNames: ['method', 'route'], registers: [new client.Registry()] }).labels({ method: 'GET', route: '/users/:id' });
  await compare('counter-inc-bound-child', () => armor.inc(), 'prom-client', () => prom.inc());
}

// rendering 10,000 series (100 x 100 label values), awaited on both sides (prom-client's metrics() is async)
{
  const armorRegistry = createRegistry();
  const promRegistry = new client.Registry();
  const armor = armorRegistry.counter({ name: 'series', help: 'h', labelNames: ['a', 'b'] as const, maxSeries: 20_000 });
  const prom = new client.Counter({ name: 'series_total', help: 'h', labelNames: ['a', 'b'], registers: [promRegistry] });
  for (let a = 0; a < 100; a++)
    for (let b = 0; b < 100; b++) {
      armor.inc({ a: `value${a}`, b: `other${b}` }, a + b);
      prom.inc({ a: `value${a}`, b: `other${b}` }, a + b);
    }
  const armorText = armorRegistry.metrics();
  const promText = await promRegistry.metrics();
  if (armorText.split('\n').length !== promText.split('\n').length) throw new Error('renderings differ in size');
  await compare(
    'render-10000-series-await',
    async () => armorRegistry.metrics(),
    'prom-client',
    async () => promRegistry.metrics(),
    { timeMs: 800 },
  );
}

// The OpenTelemetry bridge on the hot path: the same counter/histogram with a sink to OpenTelemetry
// meters, (a) without an SDK (the API's no-op meter) and (b) with the metrics SDK collecting, beside
// prom-client. Without any sink the cost is the cases above.
{
  const { metrics } = await import('@opentelemetry/api');
  const { MeterProvider } = await import('@opentelemetry/sdk-metrics');
  const { openTelemetrySink } = await import('@armor/opentelemetry');
  for (const [label, meter] of [
    ['otel-noop', metrics.getMeter('bench')],
    ['otel-sdk', new MeterProvider().getMeter('bench')],
  ] as const) {
    const registry = createRegistry();
    registry.addSink(openTelemetrySink({ meter }));
    const counter = registry.counter({ name: 'req', help: 'h', labelNames: ['method', 'route'] as const });
    const histogram = registry.histogram({ name: 'dur', help: 'h', labelNames: ['method', 'route'] as const });
    const promCounter = new client.Counter({ name: 'req_total', help: 'h', labelNames: ['method', 'route'], registers: [new client.Registry()] });
    const promHistogram = new client.Histogram({ name: 'dur', help: 'h', labelNames: ['method', 'route'], registers: [new client.Registry()] });
    let i = 0;
    let j = 0;
    await compare(`counter-inc-2-labels-${label}`, () => counter.inc(sets[i++ % N]!), 'prom-client', () => promCounter.inc(sets[j++ % N]!));
    i = j = 0;
    await compare(
      `histogram-observe-2-labels-${label}`,
      () => histogram.observe(sets[i++ % N]!, (i % 1000) / 1000),
      'prom-client',
      () => promHistogram.observe(sets[j++ % N]!, (j % 1000) / 1000),
    );
  }
}

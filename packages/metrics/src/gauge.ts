/**
 * Gauges: a value that goes up and down. Accepts `NaN` and `±Infinity` (valid sample values),
 * refuses non-numbers at the call site.
 *
 * @module
 */
import type { Gauge, GaugeChild, LabelValue } from './metric-types.js';
import { formatValue } from './format.js';
import { badValue, header, type MetricContext } from './metric-base.js';
import { labelsOf, type ValueSeries } from './series.js';
import { toSinks } from './sink.js';

/** Builds a gauge on the registry's context. @internal */
export function createGauge(ctx: MetricContext): Gauge<string> {
  const { name, help, labelNames, sink } = ctx;
  const sent = (s: ValueSeries) => {
    if (sink.recorders !== undefined) toSinks(sink, s.value, labelNames, s.values, 'set');
  };
  const store = ctx.store<ValueSeries>((values, pairs) => ({ kind: 'value', values, pairs, value: 0 }));
  const noLabels = labelNames.length === 0;
  const num = (method: string, v: unknown): number => {
    if (typeof v !== 'number') throw badValue(name, method, v);
    return v;
  };
  const child = (s: ValueSeries): GaugeChild => ({
    set: (v) => {
      s.value = num('set', v);
      sent(s);
    },
    inc: (v = 1) => {
      s.value += num('inc', v);
      sent(s);
    },
    dec: (v = 1) => {
      s.value -= num('dec', v);
      sent(s);
    },
    get: () => s.value,
  });
  const metric: Gauge<string> = {
    type: 'gauge',
    name,
    help,
    labelNames,
    shape: { type: 'gauge', labelNames },
    // the value is checked before the lookup, so a bad call creates no series
    set(a: unknown, b?: number) {
      const v = num('set', noLabels ? a : b);
      const s = store.lookup(noLabels ? undefined : (a as Record<string, LabelValue>));
      s.value = v;
      sent(s);
    },
    inc(a?: unknown, b?: number) {
      const v = num('inc', (noLabels ? a : b) ?? 1);
      const s = store.lookup(noLabels ? undefined : (a as Record<string, LabelValue>));
      s.value += v;
      sent(s);
    },
    dec(a?: unknown, b?: number) {
      const v = num('dec', (noLabels ? a : b) ?? 1);
      const s = store.lookup(noLabels ? undefined : (a as Record<string, LabelValue>));
      s.value -= v;
      sent(s);
    },
    get(labels?: unknown) {
      return store.lookup(labels as Record<string, LabelValue>).value;
    },
    labels: (labels) => child(store.lookup(labels)),
    render(out, format) {
      header(out, name, help, 'gauge', format);
      for (const s of store.all) out.push(s.pairs === '' ? `${name} ${formatValue(s.value)}\n` : `${name}{${s.pairs}} ${formatValue(s.value)}\n`);
    },
    *series() {
      for (const s of store.all) yield { labels: labelsOf(labelNames, s), value: s.value, sum: s.value, count: 0 };
    },
    reset: () => store.reset(),
  };
  return metric;
}

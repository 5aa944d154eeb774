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

/** Builds a gauge on the registry's context. @internal */
export function createGauge(ctx: MetricContext): Gauge<string> {
  const { name, help, labelNames } = ctx;
  const store = ctx.store<ValueSeries>((values, pairs) => ({ kind: 'value', values, pairs, value: 0 }));
  const noLabels = labelNames.length === 0;
  const num = (method: string, v: unknown): number => {
    if (typeof v !== 'number') throw badValue(name, method, v);
    return v;
  };
  const child = (s: ValueSeries): GaugeChild => ({
    set: (v) => void (s.value = num('set', v)),
    inc: (v = 1) => void (s.value += num('inc', v)),
    dec: (v = 1) => void (s.value -= num('dec', v)),
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
      store.lookup(noLabels ? undefined : (a as Record<string, LabelValue>)).value = v;
    },
    inc(a?: unknown, b?: number) {
      const v = num('inc', (noLabels ? a : b) ?? 1);
      store.lookup(noLabels ? undefined : (a as Record<string, LabelValue>)).value += v;
    },
    dec(a?: unknown, b?: number) {
      const v = num('dec', (noLabels ? a : b) ?? 1);
      store.lookup(noLabels ? undefined : (a as Record<string, LabelValue>)).value -= v;
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

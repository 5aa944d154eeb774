/**
 * Gauges: a value that goes up and down. Accepts `NaN` and `±Infinity` (valid sample values);
 * a non-number is dropped and counted (see `MetricContext.drop`).
 *
 * @module
 */
import type { Gauge, GaugeChild, LabelValue } from './metric-types.js';
import { formatValue } from './format.js';
import { header, type MetricContext } from './metric-base.js';
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
  /** Whether `v` is a number (NaN and ±Infinity are valid gauge values); drops it otherwise. */
  const ok = (method: string, v: unknown): v is number => {
    if (typeof v === 'number') return true;
    ctx.drop(method, v, 'not_a_number');
    return false;
  };
  const child = (s: ValueSeries): GaugeChild => ({
    set: (v) => {
      if (!ok('set', v)) return;
      s.value = v;
      sent(s);
    },
    inc: (v = 1) => {
      if (!ok('inc', v)) return;
      s.value += v;
      sent(s);
    },
    dec: (v = 1) => {
      if (!ok('dec', v)) return;
      s.value -= v;
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
      const v: unknown = noLabels ? a : b;
      if (!ok('set', v)) return;
      const s = store.lookup(noLabels ? undefined : (a as Record<string, LabelValue>));
      s.value = v;
      sent(s);
    },
    inc(a?: unknown, b?: number) {
      const v: unknown = (noLabels ? a : b) ?? 1;
      if (!ok('inc', v)) return;
      const s = store.lookup(noLabels ? undefined : (a as Record<string, LabelValue>));
      s.value += v;
      sent(s);
    },
    dec(a?: unknown, b?: number) {
      const v: unknown = (noLabels ? a : b) ?? 1;
      if (!ok('dec', v)) return;
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

/**
 * Counters: a value that only goes up, rendered with the `_total` suffix. An unlabelled counter
 * is exported at 0 from its registration.
 *
 * @module
 */
import type { Counter, LabelValue } from './metric-types.js';
import { formatValue } from './format.js';
import { header, reasonOf, type MetricContext } from './metric-base.js';
import { labelsOf, type ValueSeries } from './series.js';
import { toSinks } from './sink.js';

/** Builds a counter on the registry's context. @internal */
export function createCounter(ctx: MetricContext): Counter<string> {
  const { name, help, labelNames, sink } = ctx;
  const store = ctx.store<ValueSeries>((values, pairs) => ({ kind: 'value', values, pairs, value: 0 }), true);
  /** The increment, or -1 when it was dropped (not a number, NaN, ±Infinity, negative). */
  const checked = (value: unknown): number => {
    if (typeof value === 'number' && value >= 0 && value < Infinity) return value;
    ctx.drop('inc', value, reasonOf(value));
    return -1;
  };
  const add = (s: ValueSeries, value: number) => {
    const v = checked(value);
    if (v < 0) return;
    s.value += v;
    if (sink.recorders !== undefined) toSinks(sink, v, labelNames, s.values, 'inc');
  };
  const metric: Counter<string> = {
    type: 'counter',
    name,
    help,
    labelNames,
    shape: { type: 'counter', labelNames },
    inc(a?: unknown, b?: number) {
      if (labelNames.length === 0) add(store.lookup(undefined), (a as number | undefined) ?? 1);
      else {
        const v = checked(b ?? 1); // before the lookup: a bad call creates no series
        if (v < 0) return;
        const s = store.lookup(a as Record<string, LabelValue>);
        s.value += v;
        if (sink.recorders !== undefined) toSinks(sink, v, labelNames, s.values, 'inc');
      }
    },
    get(labels?: unknown) {
      return store.lookup(labels as Record<string, LabelValue>).value;
    },
    labels(labels) {
      const s = store.lookup(labels);
      return { inc: (value = 1) => add(s, value), get: () => s.value };
    },
    render(out, format) {
      header(out, name, help, 'counter', format);
      for (const s of store.all) out.push(s.pairs === '' ? `${name} ${formatValue(s.value)}\n` : `${name}{${s.pairs}} ${formatValue(s.value)}\n`);
    },
    *series() {
      for (const s of store.all) yield { labels: labelsOf(labelNames, s), value: s.value, sum: s.value, count: 0 };
    },
    reset: () => store.reset(),
  };
  return metric;
}

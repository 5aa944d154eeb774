/**
 * Summaries: sliding-window quantiles over at most 2,048 samples per window step.
 *
 * @module
 */
import type { LabelValue, Summary } from './metric-types.js';
import { formatValue } from './format.js';
import { header, reasonOf, type MetricContext } from './metric-base.js';
import { labelsOf, type SummarySeries } from './series.js';
import { toSinks } from './sink.js';

/** Validated summary settings. @internal */
export interface SummarySettings {
  percentiles: readonly number[];
  maxAgeMs: number;
  ageBuckets: number;
}

const MAX_SAMPLES = 2048;

/** Builds a summary. @internal */
export function createSummary(ctx: MetricContext, { percentiles, maxAgeMs, ageBuckets }: SummarySettings): Summary<string> {
  const { name, help, labelNames, clock, sink } = ctx;
  const slice = maxAgeMs / ageBuckets;
  const store = ctx.store<SummarySeries>((values, pairs) => ({
    kind: 'summary',
    values,
    pairs,
    windows: Array.from({ length: ageBuckets }, () => []),
    windowIndex: 0,
    windowStart: clock.now(),
    sum: 0,
    count: 0,
  }));
  const rotate = (s: SummarySeries, now: number) => {
    let steps = Math.floor((now - s.windowStart) / slice);
    if (steps <= 0) return;
    s.windowStart += steps * slice;
    if (steps > ageBuckets) steps = ageBuckets;
    for (let i = 0; i < steps; i++) {
      s.windowIndex = (s.windowIndex + 1) % ageBuckets;
      s.windows[s.windowIndex] = [];
    }
  };
  const observeInto = (s: SummarySeries, v: number) => {
    if (typeof v !== 'number' || v - v !== 0) return ctx.drop('observe', v, reasonOf(v)); // NaN, ±Infinity: dropped
    rotate(s, clock.now());
    const w = s.windows[s.windowIndex]!;
    if (w.length < MAX_SAMPLES) w.push(v);
    else w[Math.floor(Math.random() * MAX_SAMPLES)] = v; // bounded: random replacement
    s.sum += v;
    s.count++;
    if (sink.recorders !== undefined) toSinks(sink, v, labelNames, s.values, 'observe');
  };
  const quantiles = (s: SummarySeries): number[] => {
    rotate(s, clock.now());
    const values = s.windows.flat().sort((a, b) => a - b);
    return percentiles.map((q) => (values.length === 0 ? Number.NaN : values[Math.min(values.length - 1, Math.max(0, Math.ceil(q * values.length) - 1))]!));
  };
  const qLabels = percentiles.map((q) => formatValue(q));
  const metric: Summary<string> = {
    type: 'summary',
    name,
    help,
    labelNames,
    shape: { type: 'summary', labelNames, percentiles: [...percentiles] },
    observe(a: unknown, b?: number) {
      const v = labelNames.length === 0 ? a : b;
      if (typeof v !== 'number' || v - v !== 0) return ctx.drop('observe', v, reasonOf(v)); // before the lookup: a bad call creates no series
      observeInto(store.lookup(labelNames.length === 0 ? undefined : (a as Record<string, LabelValue>)), v);
    },
    labels(labels) {
      const s = store.lookup(labels);
      return { observe: (v) => observeInto(s, v) };
    },
    quantiles(labels?: unknown) {
      const qs = quantiles(store.lookup(labels as Record<string, LabelValue>));
      return Object.fromEntries(percentiles.map((q, i) => [String(q), qs[i]!]));
    },
    render(out, format) {
      header(out, name, help, 'summary', format);
      for (const s of store.all) {
        const p = s.pairs === '' ? '' : `${s.pairs},`;
        const qs = quantiles(s);
        let text = '';
        for (let i = 0; i < qs.length; i++) text += `${name}{${p}quantile="${qLabels[i]}"} ${formatValue(qs[i]!)}\n`;
        const braces = s.pairs === '' ? '' : `{${s.pairs}}`;
        text += `${name}_sum${braces} ${formatValue(s.sum)}\n${name}_count${braces} ${s.count}\n`;
        out.push(text);
      }
    },
    *series() {
      for (const s of store.all) yield { labels: labelsOf(labelNames, s), value: s.sum, sum: s.sum, count: s.count };
    },
    reset: () => store.reset(),
  };
  return metric;
}

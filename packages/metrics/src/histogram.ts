/**
 * Histograms: observations counted into cumulative buckets. The `le` label is written the same
 * (OpenMetrics' canonical float) in both exposition formats.
 *
 * @module
 */
import type { Histogram, LabelValue } from './metric-types.js';
import { formatValue } from './format.js';
import { header, reasonOf, type MetricContext } from './metric-base.js';
import { labelsOf, type HistogramSeries } from './series.js';
import { toSinks } from './sink.js';

/** Builds a histogram with validated, strictly increasing `buckets`. @internal */
export function createHistogram(ctx: MetricContext, buckets: readonly number[]): Histogram<string> {
  const { name, help, labelNames, sink, traceId, clock } = ctx;
  const bounds = Float64Array.from(buckets);
  const n = bounds.length;
  const store = ctx.store<HistogramSeries>((values, pairs) => ({ kind: 'histogram', values, pairs, counts: new Float64Array(n + 1), sum: 0, count: 0, exemplars: undefined }));
  // One `le` text in both formats (the OpenMetrics canonical `1.0`), so switching the scrape
  // format never splits a bucket series in two.
  const le = buckets.map((b) => formatValue(b, true));
  const observeInto = (s: HistogramSeries, v: number) => {
    // NaN has no bucket and ±Infinity would turn `_sum` into ±Inf or NaN for good: dropped
    if (typeof v !== 'number' || v - v !== 0) return ctx.drop('observe', v, reasonOf(v));
    let i = 0;
    while (i < n && v > bounds[i]!) i++;
    s.counts[i]!++;
    s.sum += v;
    s.count++;
    if (traceId !== undefined) {
      let id: string | undefined;
      try {
        id = traceId();
      } catch {
        id = undefined;
      }
      if (typeof id === 'string' && id !== '') (s.exemplars ??= [])[i] = { traceId: id, value: v, at: clock.now() };
    }
    if (sink.recorders !== undefined) toSinks(sink, v, labelNames, s.values, 'observe');
  };
  const cumulative = (s: HistogramSeries) => {
    const out: number[] = [];
    let acc = 0;
    for (let i = 0; i <= n; i++) out.push((acc += s.counts[i]!));
    return out;
  };
  const metric: Histogram<string> = {
    type: 'histogram',
    name,
    help,
    labelNames,
    buckets: [...buckets],
    shape: { type: 'histogram', labelNames, buckets: [...buckets] },
    observe(a: unknown, b?: number) {
      const v = labelNames.length === 0 ? a : b;
      if (typeof v !== 'number' || v - v !== 0) return ctx.drop('observe', v, reasonOf(v)); // before the lookup: a bad call creates no series
      observeInto(store.lookup(labelNames.length === 0 ? undefined : (a as Record<string, LabelValue>)), v);
    },
    labels(labels) {
      const s = store.lookup(labels);
      return {
        observe: (v) => observeInto(s, v),
        startTimer: () => {
          const start = ctx.clock.now();
          return () => {
            const seconds = (ctx.clock.now() - start) / 1000;
            observeInto(s, seconds);
            return seconds;
          };
        },
      };
    },
    get(labels?: unknown) {
      const s = store.lookup(labels as Record<string, LabelValue>);
      return { count: s.count, sum: s.sum, buckets: cumulative(s) };
    },
    render(out, format) {
      header(out, name, help, 'histogram', format);
      const bucketName = `${name}_bucket{`;
      for (const s of store.all) {
        const p = s.pairs === '' ? '' : `${s.pairs},`;
        const counts = s.counts;
        let acc = 0;
        let text = '';
        // OpenMetrics exemplars: ` # {trace_id="…"} value timestamp` on a bucket line
        const ex = format === 'openmetrics' ? s.exemplars : undefined;
        const exemplar = (i: number) => {
          const e = ex?.[i];
          return e === undefined ? '' : ` # {trace_id="${e.traceId.replace(/[\\"\n]/g, '')}"} ${formatValue(e.value)} ${formatValue(e.at / 1000)}`;
        };
        for (let i = 0; i < n; i++) {
          acc += counts[i]!;
          text += `${bucketName}${p}le="${le[i]}"} ${acc}${exemplar(i)}\n`;
        }
        acc += counts[n]!;
        text += `${bucketName}${p}le="+Inf"} ${acc}${exemplar(n)}\n`;
        const braces = s.pairs === '' ? '' : `{${s.pairs}}`;
        text += `${name}_sum${braces} ${formatValue(s.sum)}\n${name}_count${braces} ${s.count}\n`;
        out.push(text);
      }
    },
    *series() {
      for (const s of store.all) yield { labels: labelsOf(labelNames, s), value: s.sum, sum: s.sum, count: s.count, buckets: cumulative(s) };
    },
    reset: () => store.reset(),
  };
  return metric;
}

/**
 * What the four metric types share: the context the registry hands them, the `# HELP`/`# TYPE`
 * header, and the call-site value checks.
 *
 * @module
 */
import type { Clock } from '@armor/core';
import { formatHelp } from './format.js';
import type { LabelStore, LabelStoreOptions } from './label-store.js';
import type { DroppedValueReason, MetricsFormat, MetricType } from './metric-types.js';
import type { SeriesBase } from './series.js';
import type { SinkSlot } from './sink.js';

/** What the registry gives a metric it builds. @internal */
export interface MetricContext {
  /** Full name (prefix applied; counters end with `_total`). */
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly clock: Clock;
  /** The metric's sink recorders (`recorders` is `undefined` without sinks). */
  readonly sink: SinkSlot;
  /** The registry's trace-id source, for exemplars. */
  readonly traceId: (() => string | undefined) | undefined;
  /**
   * Drops a value the metric cannot take (monitoring never throws into the request path):
   * counts it in `metric_values_dropped_total{metric, reason}` and emits a `warning` once per metric.
   */
  drop(method: string, value: unknown, reason: DroppedValueReason): void;
  /** Creates the metric's label store. */
  store<S extends SeriesBase>(make: LabelStoreOptions<S>['make'], eager?: boolean): LabelStore<S>;
}

/** Writes the `# HELP` and `# TYPE` lines (OpenMetrics names a counter family without `_total`). */
export function header(out: string[], name: string, help: string, type: MetricType, format: MetricsFormat): void {
  const family = format === 'openmetrics' && type === 'counter' ? name.slice(0, -'_total'.length) : name;
  out.push(`# HELP ${family} ${formatHelp(help, format)}\n# TYPE ${family} ${type}\n`);
}

/**
 * Why a value was dropped: not a number at all (a string, `undefined`, an object) or `NaN`; an
 * infinity where it would poison a sum (counters, histograms, summaries); a negative counter
 * increment.
 */
export function reasonOf(value: unknown): DroppedValueReason {
  if (typeof value !== 'number' || Number.isNaN(value)) return 'not_a_number';
  return Number.isFinite(value) ? 'negative' : 'not_finite';
}

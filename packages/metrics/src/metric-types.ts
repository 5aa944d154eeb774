/**
 * The public shapes of metrics: options, label types, the four metric interfaces and their
 * bound children.
 *
 * @module
 */
/** A label value: strings, or numbers/booleans (converted with `String()`). */
export type LabelValue = string | number | boolean;
/** A label set with exactly the metric's label names. */
export type Labels<L extends string> = { readonly [K in L]: LabelValue };

/** Exposition format. */
export type MetricsFormat = 'prometheus' | 'openmetrics';

/** Metric kinds. */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

/** Common options of every metric. */
export interface MetricOptions<L extends string> {
  /** Metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`); the registry prefix is prepended. */
  name: string;
  /** Help text shown in `# HELP`. */
  help: string;
  /** Label names, e.g. `['method', 'route'] as const`. @default [] */
  labelNames?: readonly L[];
  /**
   * Maximum distinct label sets; beyond it observations go to one overflow series whose labels
   * are all `(overflow)` and the registry emits a `warning` event once.
   * @default the registry's `maxSeriesPerMetric` (1000)
   */
  maxSeries?: number;
}

/** Options of histograms. */
export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  /** Upper bounds (seconds by convention), strictly increasing; `+Inf` is implicit. @default DEFAULT_BUCKETS */
  buckets?: readonly number[];
}

/** Options of summaries. */
export interface SummaryOptions<L extends string> extends MetricOptions<L> {
  /** Quantiles to report, each in (0, 1). @default [0.5, 0.9, 0.99] */
  percentiles?: readonly number[];
  /** Sliding window length in milliseconds. @default 600000 (10 minutes) */
  maxAgeMs?: number;
  /** Number of sub-windows the sliding window rotates through. @default 5 */
  ageBuckets?: number;
}

/** Why a metric dropped a value (the `reason` label of `metric_values_dropped_total`). */
export type DroppedValueReason = 'not_a_number' | 'not_finite' | 'negative';

/** A `warning` event: the cardinality cap was hit. */
export interface CardinalityWarning {
  kind: 'cardinality';
  metric: string;
  limit: number;
  message: string;
}

/** A `warning` event: a metric dropped a value it cannot take (sent once per metric). */
export interface InvalidValueWarning {
  kind: 'invalid-value';
  metric: string;
  reason: DroppedValueReason;
  message: string;
}

/** A `warning` event of a registry. */
export type RegistryWarning = CardinalityWarning | InvalidValueWarning;

/** What makes two registrations the same metric. @internal */
export interface MetricShape {
  type: MetricType;
  labelNames: readonly string[];
  buckets?: readonly number[];
  percentiles?: readonly number[];
}

/** Internal: a metric as the registry sees it. */
export interface MetricInternals {
  readonly type: MetricType;
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  /** @internal */ shape: MetricShape;
  /** @internal */ render(out: string[], format: MetricsFormat): void;
  /** @internal */ series(): Iterable<{ labels: Record<string, string>; value: number; sum: number; count: number; buckets?: number[] }>;
  reset(): void;
}

/** Arguments of `inc`/`dec`: the value alone without labels, labels first otherwise. */
export type IncArgs<L extends string> = [L] extends [never] ? [value?: number] : [labels: Labels<L>, value?: number];
/** Arguments of `set`/`observe`. */
export type SetArgs<L extends string> = [L] extends [never] ? [value: number] : [labels: Labels<L>, value: number];

/** A handle bound to one label set: no label lookup on the hot path. */
export interface CounterChild {
  /** Adds `value` (>= 0). @default 1 */
  inc(value?: number): void;
  /** Current value. */
  get(): number;
}
/** A monotonically increasing counter. Rendered with the `_total` suffix. */
export interface Counter<L extends string = never> extends MetricInternals {
  readonly type: 'counter';
  /** Adds `value` (>= 0, default 1) to the series of `labels`. */
  inc(...args: IncArgs<L>): void;
  /** Current value of a series. */
  get(...args: [L] extends [never] ? [] : [labels: Labels<L>]): number;
  /** The bound child for `labels` (cache it on hot paths). */
  labels(labels: Labels<L>): CounterChild;
}

/** A gauge child bound to one label set. */
export interface GaugeChild {
  set(value: number): void;
  inc(value?: number): void;
  dec(value?: number): void;
  get(): number;
}
/** A value that goes up and down. */
export interface Gauge<L extends string = never> extends MetricInternals {
  readonly type: 'gauge';
  set(...args: SetArgs<L>): void;
  inc(...args: IncArgs<L>): void;
  dec(...args: IncArgs<L>): void;
  get(...args: [L] extends [never] ? [] : [labels: Labels<L>]): number;
  labels(labels: Labels<L>): GaugeChild;
}

/** A histogram child bound to one label set. */
export interface HistogramChild {
  /** Records one observation (seconds by convention). */
  observe(value: number): void;
  /** Starts a timer; the returned function observes the elapsed seconds and returns them. */
  startTimer(): () => number;
}
/** Counts observations into buckets. */
export interface Histogram<L extends string = never> extends MetricInternals {
  readonly type: 'histogram';
  readonly buckets: readonly number[];
  observe(...args: SetArgs<L>): void;
  labels(labels: Labels<L>): HistogramChild;
  /** `{ count, sum, buckets }` (cumulative) of a series. */
  get(...args: [L] extends [never] ? [] : [labels: Labels<L>]): { count: number; sum: number; buckets: number[] };
}

/** A summary child bound to one label set. */
export interface SummaryChild {
  observe(value: number): void;
}
/** Sliding-window quantiles. */
export interface Summary<L extends string = never> extends MetricInternals {
  readonly type: 'summary';
  observe(...args: SetArgs<L>): void;
  labels(labels: Labels<L>): SummaryChild;
  /** Current quantiles of a series, `{ [q]: value }` (NaN when empty). */
  quantiles(...args: [L] extends [never] ? [] : [labels: Labels<L>]): Record<string, number>;
}

/** Any metric. */
export type AnyMetric = Counter<string> | Gauge<string> | Histogram<string> | Summary<string>;

import { checkClock, checkInt, checkObject, checkOptions, Emitter, type Clock } from '@armor/core';
import { ConfigurationError, invalidType, ValidationError } from '@armor/errors';
import { formatHelp, formatValue, labelPairs } from './format.js';

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

/** A `warning` event (e.g. the cardinality cap was hit). */
export interface RegistryWarning {
  kind: 'cardinality';
  metric: string;
  limit: number;
  message: string;
}

/** Options of {@link createRegistry}. */
export interface RegistryOptions {
  /** Prepended to every metric name, e.g. `myapp_`. @default '' */
  prefix?: string;
  /** Labels added to every series, e.g. `{ service: 'api' }`. @default {} */
  defaultLabels?: Record<string, LabelValue>;
  /** Default per-metric cardinality cap. @default 1000 */
  maxSeriesPerMetric?: number;
  /** Time source (epoch ms), used by summaries and trackers. @default Date */
  clock?: Clock;
}

const REGISTRY_OPTIONS = ['prefix', 'defaultLabels', 'maxSeriesPerMetric', 'clock'] as const;
const METRIC_OPTIONS = ['name', 'help', 'labelNames', 'maxSeries'] as const;
const KNOWN_METRIC_OPTIONS: Record<MetricType, readonly string[]> = {
  counter: METRIC_OPTIONS,
  gauge: METRIC_OPTIONS,
  histogram: [...METRIC_OPTIONS, 'buckets'],
  summary: [...METRIC_OPTIONS, 'percentiles', 'maxAgeMs', 'ageBuckets'],
};

/** Default histogram buckets (seconds). */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** `count` buckets starting at `start`, each `width` apart. @example linearBuckets(0.1, 0.1, 5) // [0.1, 0.2, 0.3, 0.4, 0.5] */
export function linearBuckets(start: number, width: number, count: number): number[] {
  if (!Number.isFinite(start)) throw new ConfigurationError('start', 'must be a finite number', { received: start });
  if (!(width > 0) || !Number.isFinite(width)) throw new ConfigurationError('width', 'must be a finite number > 0', { received: width });
  if (!Number.isInteger(count) || count < 1) throw new ConfigurationError('count', 'must be an integer >= 1', { received: count });
  return Array.from({ length: count }, (_, i) => Number((start + i * width).toPrecision(12)));
}

/** `count` buckets starting at `start`, each `factor` times the previous. @example exponentialBuckets(0.001, 2, 4) // [0.001, 0.002, 0.004, 0.008] */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  if (!(start > 0) || !Number.isFinite(start)) throw new ConfigurationError('start', 'must be a finite number > 0', { received: start });
  if (!(factor > 1) || !Number.isFinite(factor)) throw new ConfigurationError('factor', 'must be a finite number > 1', { received: factor });
  if (!Number.isInteger(count) || count < 1) throw new ConfigurationError('count', 'must be an integer >= 1', { received: count });
  return Array.from({ length: count }, (_, i) => Number((start * factor ** i).toPrecision(12)));
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Value checks at the call site (like prom-client): a wrong value throws where it was passed
 * instead of producing an exposition Prometheus refuses (`strconv.ParseFloat: parsing
 * "undefined"`) or a silently wrong number (`'5'` concatenated into `051`). Kept out of line so
 * the hot paths stay one `typeof` check.
 */
function badValue(metric: string, method: string, value: unknown): ValidationError {
  return invalidType(`${metric}.${method}() expects a number`, 'a number', value);
}
function negativeIncrement(metric: string, value: number): ValidationError {
  return new ValidationError(`${metric}: counters only go up (got ${value})`, {
    issues: [{ path: '', message: `Expected a number >= 0, received ${value}`, code: 'too_small' }],
  });
}

/** Sample names a metric writes and its family name: two metrics may not share any. */
function reservedNames(type: MetricType, name: string): string[] {
  switch (type) {
    case 'counter':
      return [name, name.slice(0, -'_total'.length)];
    case 'gauge':
      return [name];
    case 'histogram':
      return [name, `${name}_bucket`, `${name}_sum`, `${name}_count`];
    case 'summary':
      return [name, `${name}_sum`, `${name}_count`];
  }
}
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const OVERFLOW = '(overflow)';

/** Internal series shape; every metric type keeps its state in one. */
interface Series {
  values: string[];
  /** `a="x",b="y"` including default labels (no braces). */
  pairs: string;
  value: number;
  counts?: Float64Array;
  sum: number;
  count: number;
  /** Summary windows. */
  windows?: number[][];
  windowIndex?: number;
  windowStart?: number;
}

interface MetricShape {
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

type IncArgs<L extends string> = [L] extends [never] ? [value?: number] : [labels: Labels<L>, value?: number];
type SetArgs<L extends string> = [L] extends [never] ? [value: number] : [labels: Labels<L>, value: number];

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

import type { Listener } from '@armor/core';

/** A metrics registry; see {@link createRegistry}. */
export interface Registry {
  /** Prefix given at creation. */
  readonly prefix: string;
  /** Time source. */
  readonly clock: { now(): number };
  counter<const L extends string = never>(options: MetricOptions<L>): Counter<L>;
  gauge<const L extends string = never>(options: MetricOptions<L>): Gauge<L>;
  histogram<const L extends string = never>(options: HistogramOptions<L>): Histogram<L>;
  summary<const L extends string = never>(options: SummaryOptions<L>): Summary<L>;
  /** The metric registered as `name` (with or without the prefix). */
  get(name: string): AnyMetric | undefined;
  /** All metrics, in registration order. */
  all(): AnyMetric[];
  /** Renders every metric: Prometheus text 0.0.4 (default) or OpenMetrics 1.0. Runs collectors first. */
  metrics(format?: MetricsFormat): string;
  /** Adds a function called before each render (process metrics, bridge stats). Returns a remover. */
  addCollector(collect: () => void): () => void;
  /** Subscribes to `warning` events (cardinality cap hit). Returns an unsubscribe function. */
  on(event: 'warning', listener: Listener<RegistryWarning>): () => void;
  /** Resets every series of every metric (keeps registrations). */
  resetAll(): void;
  /** Removes every metric and collector. */
  clear(): void;
  /** @internal */ emitWarning(warning: RegistryWarning): void;
}

function checkPositiveInt(option: string, value: unknown): number {
  checkInt(option, value, 1);
  return value as number;
}

const sameArray = (a: readonly unknown[] | undefined, b: readonly unknown[] | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]));

/**
 * Creates a metrics registry: counters, gauges, histograms and summaries with typed label names,
 * rendered as Prometheus text 0.0.4 or OpenMetrics 1.0. Registering the same metric twice with
 * the same shape returns the existing one (hot reload); a different shape throws. Runtime-neutral.
 *
 * @example
 * ```ts
 * const registry = createRegistry({ prefix: 'shop_', defaultLabels: { service: 'api' } });
 * const orders = registry.counter({ name: 'orders_total', help: 'Orders placed', labelNames: ['plan'] as const });
 * orders.inc({ plan: 'pro' });
 * const paid = orders.labels({ plan: 'pro' }); // bound child for hot paths
 * paid.inc();
 * console.log(registry.metrics());
 * ```
 */
export function createRegistry(options: RegistryOptions = {}): Registry {
  checkOptions('createRegistry', options, REGISTRY_OPTIONS);
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string' || (prefix !== '' && !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)))
    throw new ConfigurationError('prefix', 'must match [a-zA-Z_:][a-zA-Z0-9_:]*', { received: prefix });
  checkObject('defaultLabels', options.defaultLabels);
  const defaultLabels = options.defaultLabels ?? {};
  for (const key of Object.keys(defaultLabels))
    if (!LABEL_RE.test(key) || key.startsWith('__')) throw new ConfigurationError(`defaultLabels.${key}`, 'is not a valid label name', { received: key });
  const defaultNames = Object.keys(defaultLabels);
  const defaultValues = defaultNames.map((k) => String(defaultLabels[k]));
  const maxSeriesDefault = checkPositiveInt('maxSeriesPerMetric', options.maxSeriesPerMetric ?? 1000);
  checkClock(options.clock);
  const clock: Clock = options.clock ?? Date;

  const metrics = new Map<string, AnyMetric>();
  const collectors = new Set<() => void>();
  /** Every sample and family name in use, and the metric that writes it. */
  const reservedBy = new Map<string, AnyMetric>();
  const events = new Emitter<{ warning: RegistryWarning }>({ component: 'metrics registry' });

  function register<M extends AnyMetric>(type: MetricType, opts: MetricOptions<string>, shape: Omit<MetricShape, 'type' | 'labelNames'>, build: (name: string, labelNames: readonly string[], maxSeries: number) => M): M {
    checkOptions(`registry.${type}`, opts, KNOWN_METRIC_OPTIONS[type]);
    if (opts === undefined) throw new ConfigurationError('options', 'must be an object', { received: opts });
    if (typeof opts.name !== 'string' || !NAME_RE.test(opts.name))
      throw new ConfigurationError('name', 'must match [a-zA-Z_:][a-zA-Z0-9_:]*', { received: opts.name });
    if (typeof opts.help !== 'string') throw new ConfigurationError('help', 'must be a string', { received: opts.help });
    let name = prefix + opts.name;
    if (type === 'counter' && !name.endsWith('_total')) name += '_total';
    const labelNames: readonly string[] = opts.labelNames ?? [];
    if (!Array.isArray(labelNames as unknown)) throw new ConfigurationError('labelNames', 'must be an array', { received: labelNames });
    const seen = new Set<string>();
    for (const l of labelNames) {
      if (typeof l !== 'string' || !LABEL_RE.test(l) || l.startsWith('__'))
        throw new ConfigurationError('labelNames', `"${String(l)}" is not a valid label name`, { received: l });
      if (seen.has(l) || defaultNames.includes(l)) throw new ConfigurationError('labelNames', `"${l}" appears twice (or is a default label)`, { received: l });
      if ((type === 'histogram' && l === 'le') || (type === 'summary' && l === 'quantile'))
        throw new ConfigurationError('labelNames', `"${l}" is reserved for ${type}s`, { received: l });
      seen.add(l);
    }
    const maxSeries = checkPositiveInt('maxSeries', opts.maxSeries ?? maxSeriesDefault);
    const existing = metrics.get(name);
    if (existing) {
      const s = existing.shape;
      if (s.type === type && sameArray(s.labelNames, labelNames) && sameArray(s.buckets, shape.buckets) && sameArray(s.percentiles, shape.percentiles))
        return existing as M;
      throw new ConfigurationError('name', `metric "${name}" is already registered as a ${s.type} with labels [${s.labelNames.join(', ')}]`, { received: opts.name });
    }
    const reserved = reservedNames(type, name);
    for (const sample of reserved) {
      const owner = reservedBy.get(sample);
      if (owner !== undefined)
        throw new ConfigurationError('name', `metric "${name}" (${type}) would write "${sample}", which the ${owner.type} "${owner.name}" already writes; pick another name`, { received: opts.name });
    }
    const metric = build(name, [...labelNames], maxSeries);
    metrics.set(name, metric);
    for (const sample of reserved) reservedBy.set(sample, metric);
    return metric;
  }

  /** Label-set storage: nested maps keyed by each label value (no string join per call). */
  /** `eager`: an unlabelled metric's one series exists from the start (a counter reads 0 before its first increment). */
  function createStore(metricName: string, labelNames: readonly string[], maxSeries: number, init: (s: Series) => void, eager = false) {
    const depth = labelNames.length;
    const root = new Map<string, unknown>();
    let size = 0;
    let warned = false;
    let single: Series | undefined;
    const all: Series[] = [];

    const make = (values: string[]): Series => {
      const s: Series = { values, pairs: labelPairs(defaultNames, defaultValues, labelNames, values), value: 0, sum: 0, count: 0 };
      init(s);
      all.push(s);
      return s;
    };

    const str = (raw: LabelValue | undefined) => (typeof raw === 'string' ? raw : raw === undefined ? '' : String(raw));

    /**
     * Hot path: walks the nested maps and returns an existing series. Only reads; anything not
     * found (and all validation of label names) goes to `create`, so a miss never leaves
     * intermediate maps behind, even past the cardinality cap.
     */
    function lookup(labels: Record<string, LabelValue> | undefined): Series {
      if (depth === 0) return (single ??= make([]));
      if (typeof labels !== 'object' || labels === null) throw new TypeError(`${metricName}: labels { ${labelNames.join(', ')} } are required`);
      let node: Map<string, unknown> = root;
      for (let i = 0; i < depth - 1; i++) {
        const next = node.get(str(labels[labelNames[i]!])) as Map<string, unknown> | undefined;
        if (next === undefined) return create(labels);
        node = next;
      }
      const found = node.get(str(labels[labelNames[depth - 1]!])) as Series | undefined;
      return found !== undefined ? found : create(labels);
    }

    /** Slow path: validates label names, then creates the series (or returns the overflow series past the cap). */
    function create(labels: Record<string, LabelValue>): Series {
      for (const n of Object.keys(labels))
        if (!labelNames.includes(n)) throw new TypeError(`${metricName}: unknown label "${n}" (labels are ${labelNames.join(', ')})`);
      if (size >= maxSeries) {
        if (!warned) {
          warned = true;
          emitWarning({ kind: 'cardinality', metric: metricName, limit: maxSeries, message: `${metricName}: more than ${maxSeries} label sets; further ones are recorded as "${OVERFLOW}"` });
        }
        return overflow();
      }
      const values = labelNames.map((n) => str(labels[n]));
      let node: Map<string, unknown> = root;
      for (let i = 0; i < depth - 1; i++) {
        let next = node.get(values[i]!) as Map<string, unknown> | undefined;
        if (next === undefined) {
          next = new Map();
          node.set(values[i]!, next);
        }
        node = next;
      }
      const s = make(values);
      node.set(values[depth - 1]!, s);
      size++;
      return s;
    }

    let overflowSeries: Series | undefined;
    const overflow = () => (overflowSeries ??= make(labelNames.map(() => OVERFLOW)));
    if (eager && depth === 0) single = make([]);

    return {
      lookup,
      all,
      reset() {
        root.clear();
        all.length = 0;
        size = 0;
        single = undefined;
        overflowSeries = undefined;
        warned = false;
        if (eager && depth === 0) single = make([]);
      },
    };
  }

  function labelsOf(names: readonly string[], s: Series): Record<string, string> {
    const out: Record<string, string> = {};
    names.forEach((n, i) => (out[n] = s.values[i]!));
    return out;
  }

  function header(out: string[], name: string, help: string, type: MetricType, format: MetricsFormat) {
    const family = format === 'openmetrics' && type === 'counter' ? name.slice(0, -'_total'.length) : name;
    out.push(`# HELP ${family} ${formatHelp(help, format)}\n# TYPE ${family} ${type}\n`);
  }

  function counter(opts: MetricOptions<string>): Counter<string> {
    return register('counter', opts, {}, (name, labelNames, maxSeries) => {
      const store = createStore(name, labelNames, maxSeries, () => {}, true);
      const checked = (value: unknown): number => {
        if (typeof value !== 'number') throw badValue(name, 'inc', value);
        if (!(value >= 0)) throw negativeIncrement(name, value);
        return value;
      };
      const add = (s: Series, value: number) => {
        s.value += checked(value);
      };
      const metric: Counter<string> = {
        type: 'counter',
        name,
        help: opts.help,
        labelNames,
        shape: { type: 'counter', labelNames },
        inc(a?: unknown, b?: number) {
          if (labelNames.length === 0) add(store.lookup(undefined), (a as number | undefined) ?? 1);
          else {
            const v = checked(b ?? 1); // before the lookup: a bad call creates no series
            store.lookup(a as Record<string, LabelValue>).value += v;
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
          header(out, name, opts.help, 'counter', format);
          for (const s of store.all) out.push(s.pairs === '' ? `${name} ${formatValue(s.value)}\n` : `${name}{${s.pairs}} ${formatValue(s.value)}\n`);
        },
        *series() {
          for (const s of store.all) yield { labels: labelsOf(labelNames, s), value: s.value, sum: s.value, count: 0 };
        },
        reset: () => store.reset(),
      };
      return metric;
    });
  }

  function gauge(opts: MetricOptions<string>): Gauge<string> {
    return register('gauge', opts, {}, (name, labelNames, maxSeries) => {
      const store = createStore(name, labelNames, maxSeries, () => {});
      const noLabels = labelNames.length === 0;
      const num = (method: string, v: unknown): number => {
        if (typeof v !== 'number') throw badValue(name, method, v);
        return v;
      };
      const child = (s: Series): GaugeChild => ({
        set: (v) => void (s.value = num('set', v)),
        inc: (v = 1) => void (s.value += num('inc', v)),
        dec: (v = 1) => void (s.value -= num('dec', v)),
        get: () => s.value,
      });
      const metric: Gauge<string> = {
        type: 'gauge',
        name,
        help: opts.help,
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
          header(out, name, opts.help, 'gauge', format);
          for (const s of store.all) out.push(s.pairs === '' ? `${name} ${formatValue(s.value)}\n` : `${name}{${s.pairs}} ${formatValue(s.value)}\n`);
        },
        *series() {
          for (const s of store.all) yield { labels: labelsOf(labelNames, s), value: s.value, sum: s.value, count: 0 };
        },
        reset: () => store.reset(),
      };
      return metric;
    });
  }

  function histogram(opts: HistogramOptions<string>): Histogram<string> {
    const buckets: readonly number[] = opts?.buckets ?? DEFAULT_BUCKETS;
    if (!Array.isArray(buckets as unknown) || buckets.length === 0 || buckets.some((b, i) => typeof b !== 'number' || !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]!)))
      throw new ConfigurationError('buckets', 'must be a non-empty array of finite, strictly increasing numbers', { received: buckets });
    const bounds = Float64Array.from(buckets);
    const n = bounds.length;
    return register('histogram', opts, { buckets: [...buckets] }, (name, labelNames, maxSeries) => {
      const store = createStore(name, labelNames, maxSeries, (s) => {
        s.counts = new Float64Array(n + 1);
      });
      // One `le` text in both formats (the OpenMetrics canonical `1.0`), so switching the scrape
      // format never splits a bucket series in two.
      const le = buckets.map((b) => formatValue(b, true));
      const observeInto = (s: Series, v: number) => {
        if (typeof v !== 'number') throw badValue(name, 'observe', v);
        if (Number.isNaN(v)) return; // NaN observations are ignored (they have no bucket)
        let i = 0;
        while (i < n && v > bounds[i]!) i++;
        s.counts![i]!++;
        s.sum += v;
        s.count++;
      };
      const cumulative = (s: Series) => {
        const out: number[] = [];
        let acc = 0;
        for (let i = 0; i <= n; i++) out.push((acc += s.counts![i]!));
        return out;
      };
      const metric: Histogram<string> = {
        type: 'histogram',
        name,
        help: opts.help,
        labelNames,
        buckets: [...buckets],
        shape: { type: 'histogram', labelNames, buckets: [...buckets] },
        observe(a: unknown, b?: number) {
          const v = labelNames.length === 0 ? a : b;
          if (typeof v !== 'number') throw badValue(name, 'observe', v); // before the lookup: a bad call creates no series
          observeInto(store.lookup(labelNames.length === 0 ? undefined : (a as Record<string, LabelValue>)), v);
        },
        labels(labels) {
          const s = store.lookup(labels);
          return {
            observe: (v) => observeInto(s, v),
            startTimer: () => {
              const start = clock.now();
              return () => {
                const seconds = (clock.now() - start) / 1000;
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
          header(out, name, opts.help, 'histogram', format);
          const bucketName = `${name}_bucket{`;
          for (const s of store.all) {
            const p = s.pairs === '' ? '' : `${s.pairs},`;
            const counts = s.counts!;
            let acc = 0;
            let text = '';
            for (let i = 0; i < n; i++) {
              acc += counts[i]!;
              text += `${bucketName}${p}le="${le[i]}"} ${acc}\n`;
            }
            acc += counts[n]!;
            text += `${bucketName}${p}le="+Inf"} ${acc}\n`;
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
    });
  }

  function summary(opts: SummaryOptions<string>): Summary<string> {
    const percentiles: readonly number[] = opts?.percentiles ?? [0.5, 0.9, 0.99];
    if (!Array.isArray(percentiles as unknown) || percentiles.length === 0 || percentiles.some((q) => typeof q !== 'number' || !(q > 0 && q < 1)))
      throw new ConfigurationError('percentiles', 'must be a non-empty array of numbers in (0, 1)', { received: percentiles });
    const maxAgeMs = opts?.maxAgeMs ?? 600_000;
    if (typeof maxAgeMs !== 'number' || !(maxAgeMs > 0) || !Number.isFinite(maxAgeMs))
      throw new ConfigurationError('maxAgeMs', 'must be a finite number > 0', { received: maxAgeMs });
    const ageBuckets = checkPositiveInt('ageBuckets', opts?.ageBuckets ?? 5);
    const slice = maxAgeMs / ageBuckets;
    const MAX_SAMPLES = 2048;
    return register('summary', opts, { percentiles: [...percentiles] }, (name, labelNames, maxSeries) => {
      const store = createStore(name, labelNames, maxSeries, (s) => {
        s.windows = Array.from({ length: ageBuckets }, () => []);
        s.windowIndex = 0;
        s.windowStart = clock.now();
      });
      const rotate = (s: Series, now: number) => {
        let steps = Math.floor((now - s.windowStart!) / slice);
        if (steps <= 0) return;
        s.windowStart! += steps * slice;
        if (steps > ageBuckets) steps = ageBuckets;
        for (let i = 0; i < steps; i++) {
          s.windowIndex = (s.windowIndex! + 1) % ageBuckets;
          s.windows![s.windowIndex] = [];
        }
      };
      const observeInto = (s: Series, v: number) => {
        if (typeof v !== 'number') throw badValue(name, 'observe', v);
        if (Number.isNaN(v)) return; // NaN observations are ignored
        rotate(s, clock.now());
        const w = s.windows![s.windowIndex!]!;
        if (w.length < MAX_SAMPLES) w.push(v);
        else w[Math.floor(Math.random() * MAX_SAMPLES)] = v; // bounded: random replacement
        s.sum += v;
        s.count++;
      };
      const quantiles = (s: Series): number[] => {
        rotate(s, clock.now());
        const values = s.windows!.flat().sort((a, b) => a - b);
        return percentiles.map((q) => (values.length === 0 ? Number.NaN : values[Math.min(values.length - 1, Math.max(0, Math.ceil(q * values.length) - 1))]!));
      };
      const qLabels = percentiles.map((q) => formatValue(q));
      const metric: Summary<string> = {
        type: 'summary',
        name,
        help: opts.help,
        labelNames,
        shape: { type: 'summary', labelNames, percentiles: [...percentiles] },
        observe(a: unknown, b?: number) {
          const v = labelNames.length === 0 ? a : b;
          if (typeof v !== 'number') throw badValue(name, 'observe', v); // before the lookup: a bad call creates no series
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
          header(out, name, opts.help, 'summary', format);
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
    });
  }

  function emitWarning(warning: RegistryWarning) {
    events.emit('warning', warning);
  }

  const registry: Registry = {
    prefix,
    clock,
    counter: counter as Registry['counter'],
    gauge: gauge as Registry['gauge'],
    histogram: histogram as Registry['histogram'],
    summary: summary as Registry['summary'],
    get(name) {
      return metrics.get(name) ?? metrics.get(prefix + name) ?? metrics.get(`${prefix + name}_total`);
    },
    all: () => [...metrics.values()],
    metrics(format = 'prometheus') {
      for (const c of collectors) {
        try {
          c();
        } catch {
          // a broken collector must not break the scrape
        }
      }
      const out: string[] = [];
      for (const m of metrics.values()) m.render(out, format);
      if (format === 'openmetrics') out.push('# EOF\n');
      return out.join('');
    },
    addCollector(collect) {
      collectors.add(collect);
      return () => void collectors.delete(collect);
    },
    on(event, listener) {
      if (event !== 'warning') throw new ConfigurationError('event', 'must be "warning"', { received: event });
      return events.on('warning', listener);
    },
    resetAll() {
      for (const m of metrics.values()) m.reset();
    },
    clear() {
      metrics.clear();
      reservedBy.clear();
      collectors.clear();
    },
    emitWarning,
  };
  return registry;
}



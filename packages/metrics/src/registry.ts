/**
 * The registry: registration (names, label names, collisions, re-registration), default
 * labels, collectors, warnings and rendering. Each metric type lives in its own file
 * (`counter.ts`, `gauge.ts`, `histogram.ts`, `summary.ts`, the prom-client layout), label
 * storage in `label-store.ts`, series state in `series.ts`.
 *
 * @module
 */
import { checkClock, checkFunction, checkInt, checkNumber, checkObject, checkOptions, Emitter, type Clock, type Listener } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import { DEFAULT_BUCKETS } from './buckets.js';
import { createCounter } from './counter.js';
import { createGauge } from './gauge.js';
import { createHistogram } from './histogram.js';
import { createLabelStore } from './label-store.js';
import type { MetricContext } from './metric-base.js';
import type {
  AnyMetric,
  Counter,
  DroppedValueReason,
  Gauge,
  Histogram,
  HistogramOptions,
  LabelValue,
  MetricOptions,
  MetricShape,
  MetricType,
  MetricsFormat,
  RegistryWarning,
  Summary,
  SummaryOptions,
} from './metric-types.js';
import { createSummary } from './summary.js';
import type { MetricSink, SinkSlot } from './sink.js';

export type * from './metric-types.js';
export { DEFAULT_BUCKETS, exponentialBuckets, linearBuckets } from './buckets.js';

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
  /**
   * The active trace id, e.g. `activeTraceId` from `@armor/opentelemetry`. When it returns one,
   * histograms keep it as an OpenMetrics exemplar per bucket, and `recordError`/`trackOperation`
   * put it on error-group samples and slow operations. @default none
   */
  traceId?: () => string | undefined;
}

const REGISTRY_OPTIONS = ['prefix', 'defaultLabels', 'maxSeriesPerMetric', 'clock', 'traceId'] as const;
const METRIC_OPTIONS = ['name', 'help', 'labelNames', 'maxSeries'] as const;
const KNOWN_METRIC_OPTIONS: Record<MetricType, readonly string[]> = {
  counter: METRIC_OPTIONS,
  gauge: METRIC_OPTIONS,
  histogram: [...METRIC_OPTIONS, 'buckets'],
  summary: [...METRIC_OPTIONS, 'percentiles', 'maxAgeMs', 'ageBuckets'],
};

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

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
  /**
   * Adds a function called before each render (process metrics, bridge stats) and on each
   * collection of a sink that collects on its own (OpenTelemetry). Returns a remover.
   */
  addCollector(collect: () => void): () => void;
  /**
   * Sends every value recorded from now on to `sink` too (e.g. OpenTelemetry meters through
   * `@armor/opentelemetry`), for metrics registered before and after. Returns a remover.
   */
  addSink(sink: MetricSink): () => void;
  /** The trace-id source given at creation (see {@link RegistryOptions.traceId}). */
  readonly traceId: (() => string | undefined) | undefined;
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
  checkFunction('traceId', options.traceId);
  const traceId = options.traceId;
  const sinks: MetricSink[] = [];
  /** Each metric's sink slot, so a sink added later reaches metrics registered before it. */
  const slots = new Map<string, { slot: SinkSlot; describe: () => Parameters<MetricSink['instrument']>[0] }>();
  const attach = (sink: MetricSink, entry: { slot: SinkSlot; describe: () => Parameters<MetricSink['instrument']>[0] }) => {
    let recorder;
    try {
      recorder = sink.instrument(entry.describe());
    } catch {
      recorder = undefined; // a sink that cannot take a metric skips it
    }
    if (recorder !== undefined) {
      entry.slot.recorders = [...(entry.slot.recorders ?? []), recorder];
      attached.get(sink)?.set(entry.slot, recorder);
    }
  };
  /** Per sink, the recorder it gave each metric (for the remover). */
  const attached = new Map<MetricSink, Map<SinkSlot, NonNullable<ReturnType<MetricSink['instrument']>>>>();

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
  function context(name: string, help: string, labelNames: readonly string[], maxSeries: number, type: MetricType, buckets?: readonly number[]): MetricContext {
    const slot: SinkSlot = { recorders: undefined };
    const entry = { slot, describe: () => ({ type, name, prefix, help, labelNames, ...(buckets ? { buckets } : {}) }) };
    slots.set(name, entry);
    for (const sink of sinks) attach(sink, entry);
    return {
      name,
      help,
      labelNames,
      clock,
      sink: slot,
      traceId,
      drop: (method, value, reason) => drop(name, method, value, reason),
      store: (make, eager) => createLabelStore({ metricName: name, labelNames, maxSeries, defaultNames, defaultValues, make, eager, warn: emitWarning }),
    };
  }

  function counter(opts: MetricOptions<string>): Counter<string> {
    return register('counter', opts, {}, (name, labelNames, maxSeries) => createCounter(context(name, opts.help, labelNames, maxSeries, 'counter')));
  }

  function gauge(opts: MetricOptions<string>): Gauge<string> {
    return register('gauge', opts, {}, (name, labelNames, maxSeries) => createGauge(context(name, opts.help, labelNames, maxSeries, 'gauge')));
  }

  function histogram(opts: HistogramOptions<string>): Histogram<string> {
    const buckets: readonly number[] = opts?.buckets ?? DEFAULT_BUCKETS;
    if (!Array.isArray(buckets as unknown) || buckets.length === 0 || buckets.some((b, i) => typeof b !== 'number' || !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]!)))
      throw new ConfigurationError('buckets', 'must be a non-empty array of finite, strictly increasing numbers', { received: buckets });
    const copy = [...buckets];
    return register('histogram', opts, { buckets: copy }, (name, labelNames, maxSeries) => createHistogram(context(name, opts.help, labelNames, maxSeries, 'histogram', copy), copy));
  }

  function summary(opts: SummaryOptions<string>): Summary<string> {
    const percentiles: readonly number[] = opts?.percentiles ?? [0.5, 0.9, 0.99];
    if (!Array.isArray(percentiles as unknown) || percentiles.length === 0 || percentiles.some((q) => typeof q !== 'number' || !(q > 0 && q < 1)))
      throw new ConfigurationError('percentiles', 'must be a non-empty array of numbers in (0, 1)', { received: percentiles });
    const maxAgeMs = opts?.maxAgeMs ?? 600_000;
    checkNumber('maxAgeMs', maxAgeMs, { min: 0, exclusiveMin: true, unit: 'ms' });
    const ageBuckets = checkPositiveInt('ageBuckets', opts?.ageBuckets ?? 5);
    const copy = [...percentiles];
    return register('summary', opts, { percentiles: copy }, (name, labelNames, maxSeries) =>
      createSummary(context(name, opts.help, labelNames, maxSeries, 'summary'), { percentiles: copy, maxAgeMs, ageBuckets }),
    );
  }

  /** Runs every collector; a broken collector must not break the scrape (or a sink's collection). */
  function runCollectors() {
    for (const c of collectors) {
      try {
        c();
      } catch {
        // isolated
      }
    }
  }

  function emitWarning(warning: RegistryWarning) {
    events.emit('warning', warning);
  }

  /** `metric_values_dropped_total{metric, reason}`, registered on the first dropped value. */
  let dropped: Counter<'metric' | 'reason'> | undefined;
  /** Metrics that already warned about a dropped value (one warning per metric). */
  const warnedDrop = new Set<string>();
  function drop(metric: string, method: string, value: unknown, reason: DroppedValueReason) {
    try {
      if (dropped === undefined || metrics.get(dropped.name) !== dropped)
        dropped = counter({ name: 'metric_values_dropped_total', help: 'Values a metric could not take (not a number, not finite, a negative counter increment), dropped', labelNames: ['metric', 'reason'] }) as Counter<'metric' | 'reason'>;
      dropped.inc({ metric, reason });
    } catch {
      // the name is taken by a metric of another shape: the warning still tells
    }
    if (warnedDrop.has(metric)) return;
    warnedDrop.add(metric);
    const shown = typeof value === 'number' ? String(value) : typeof value;
    emitWarning({ kind: 'invalid-value', metric, reason, message: `${metric}.${method}(${shown}): ${reason.replace(/_/g, ' ')}; the value was dropped and counted in metric_values_dropped_total` });
  }

  const registry: Registry = {
    prefix,
    clock,
    traceId,
    addSink(sink) {
      if (typeof (sink as Partial<MetricSink> | null)?.instrument !== 'function') throw new ConfigurationError('sink', 'must be an object with instrument(metric)', { received: sink });
      if (attached.has(sink)) return () => undefined; // added once
      sinks.push(sink);
      attached.set(sink, new Map());
      let detach: (() => void) | void = undefined;
      try {
        detach = sink.attach?.({ collect: runCollectors });
      } catch {
        detach = undefined; // a sink that cannot attach still gets its values
      }
      for (const entry of slots.values()) attach(sink, entry);
      return () => {
        try {
          if (typeof detach === 'function') detach();
        } catch {
          // a broken sink must not break its removal
        }
        const i = sinks.indexOf(sink);
        if (i >= 0) sinks.splice(i, 1);
        const added = attached.get(sink) ?? new Map<SinkSlot, NonNullable<ReturnType<MetricSink['instrument']>>>();
        attached.delete(sink);
        for (const [slot, recorder] of added) {
          const rest = (slot.recorders ?? []).filter((r) => r !== recorder);
          slot.recorders = rest.length === 0 ? undefined : rest;
        }
      };
    },
    counter: counter as Registry['counter'],
    gauge: gauge as Registry['gauge'],
    histogram: histogram as Registry['histogram'],
    summary: summary as Registry['summary'],
    get(name) {
      return metrics.get(name) ?? metrics.get(prefix + name) ?? metrics.get(`${prefix + name}_total`);
    },
    all: () => [...metrics.values()],
    metrics(format = 'prometheus') {
      runCollectors();
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
      slots.clear();
      reservedBy.clear();
      collectors.clear();
      warnedDrop.clear();
    },
    emitWarning,
  };
  return registry;
}



/**
 * Armor's metrics through `@opentelemetry/api` meters, so any OTLP backend receives them
 * without Prometheus. A registry sink: every value Armor records is recorded on an OpenTelemetry
 * instrument too — counters on `ObservableCounter`s, gauges on `ObservableGauge`s (the in-flight
 * gauge on an `ObservableUpDownCounter`), histograms and summaries on `Histogram`s with the
 * registry's bucket bounds as advice. The observable instruments report on OpenTelemetry's own
 * collection, which first runs the registry's collectors (process metrics, readiness), so an
 * OTLP-only set-up sees fresh values without anyone scraping `/metrics`.
 *
 * Names follow the OpenTelemetry semantic conventions where one exists, with or without a
 * registry prefix (`http_request_duration_seconds` → `http.server.request.duration` in `s`,
 * `http_requests_in_flight` → `http.server.active_requests`; on these HTTP metrics only, labels
 * `method`/`route`/`status_code` → `http.request.method`/`http.route`/
 * `http.response.status_code`, plus `url.scheme` and `error.type`); every other metric is
 * `armor.<name without the prefix and _total>` with its unit taken from the name's suffix
 * (`_seconds` → `s`, `_bytes` → `By`, other counters `{count}`).
 *
 * @module
 */
import { metrics, type Attributes, type BatchObservableResult, type Meter, type Observable } from '@opentelemetry/api';
import { checkOneOf, checkOptions } from '@armor/core';

/** The part of `@armor/metrics`' sink contract this module implements (structural, no import). */
export interface OtelSinkMetric {
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary';
  /** Full name, registry prefix applied. */
  readonly name: string;
  /** The registry's prefix; stripped before the name is mapped. @default '' */
  readonly prefix?: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly buckets?: readonly number[];
}

/** What a registry gives the sink when it is added (structural, see `@armor/metrics`' `SinkSource`). */
export interface OtelSinkSource {
  /** Runs the registry's collectors. */
  collect(): void;
}

/** A registry sink (pass it to `registry.addSink`). */
export interface OpenTelemetrySink {
  instrument(metric: OtelSinkMetric): ((value: number, labels: Readonly<Record<string, string>>, op: 'inc' | 'set' | 'observe') => void) | undefined;
  /** Called by the registry when the sink is added: its collectors then run on each OpenTelemetry collection. */
  attach(source: OtelSinkSource): () => void;
}

/** Options of {@link openTelemetrySink}. */
export interface OpenTelemetrySinkOptions {
  /** The meter. @default metrics.getMeter('@armor/metrics') */
  meter?: Meter;
  /**
   * `url.scheme` of the HTTP server metrics: the scheme your clients use (`'https'` behind a TLS
   * terminator). Armor's request metrics carry no scheme label, so it is one value per sink.
   * @default 'http'
   */
  urlScheme?: 'http' | 'https';
}

type Kind = 'counter' | 'gauge' | 'updown';

/** Semantic-convention names of the HTTP metrics (by name without the registry prefix). */
const SEMCONV: Record<string, { name: string; unit: string; kind?: Kind }> = {
  http_request_duration_seconds: { name: 'http.server.request.duration', unit: 's' },
  http_requests_in_flight: { name: 'http.server.active_requests', unit: '{request}', kind: 'updown' },
  http_requests_total: { name: 'armor.http.server.requests', unit: '{request}' },
};

/** Label → attribute on the HTTP metrics only. */
const HTTP_ATTRIBUTES: Record<string, string> = {
  method: 'http.request.method',
  route: 'http.route',
  status_code: 'http.response.status_code',
  status_class: 'armor.http.status_class',
};

/** `@armor/metrics`' labels for an unknown method and a request no route matched. */
const OTHER_METHOD = 'OTHER';
const UNMATCHED_ROUTE = '(unmatched)';

/**
 * The OpenTelemetry name and unit of an Armor (Prometheus) metric name. `prefix` (the
 * registry's) is stripped first, so a prefixed registry maps like an unprefixed one.
 *
 * @example
 * ```ts
 * otelName('shop_http_request_duration_seconds', 'shop_'); // { name: 'http.server.request.duration', unit: 's' }
 * otelName('process_cpu_seconds_total'); // { name: 'armor.process_cpu_seconds', unit: 's' }
 * ```
 */
export function otelName(name: string, prefix = ''): { name: string; unit: string } {
  const bare = prefix !== '' && name.startsWith(prefix) ? name.slice(prefix.length) : name;
  const known = SEMCONV[bare];
  if (known) return { name: known.name, unit: known.unit };
  const total = bare.endsWith('_total');
  const base = total ? bare.slice(0, -'_total'.length) : bare;
  const unit = base.endsWith('_seconds') ? 's' : base.endsWith('_bytes') ? 'By' : total ? '{count}' : '1';
  return { name: `armor.${base}`, unit };
}

/** Current values of one observable instrument, by attribute set. */
interface ObservedValues {
  readonly instrument: Observable;
  readonly values: Map<string, { attributes: Attributes; value: number }>;
}

/**
 * Creates a sink that records every value of a registry on OpenTelemetry instruments.
 *
 * @example
 * ```ts no-run
 * import { createRegistry } from '@armor/metrics';
 * import { activeTraceId, openTelemetrySink } from '@armor/opentelemetry';
 * const registry = createRegistry({ traceId: activeTraceId });
 * registry.addSink(openTelemetrySink());
 * ```
 */
export function openTelemetrySink(options: OpenTelemetrySinkOptions = {}): OpenTelemetrySink {
  checkOptions('openTelemetrySink', options, ['meter', 'urlScheme']);
  const meter = options.meter ?? metrics.getMeter('@armor/metrics');
  checkOneOf('urlScheme', options.urlScheme, ['http', 'https']);
  const scheme = options.urlScheme ?? 'http';

  const sources = new Set<OtelSinkSource>();
  const observed: ObservedValues[] = [];
  let instruments: Observable[] = [];
  /** One callback per collection: the registries' collectors first, then every current value. */
  const batch = (result: BatchObservableResult) => {
    for (const source of sources) {
      try {
        source.collect();
      } catch {
        // a broken source must not break the collection
      }
    }
    for (const { instrument, values } of observed) for (const { attributes, value } of values.values()) result.observe(instrument, value, attributes);
  };
  const observe = (instrument: Observable): ObservedValues => {
    if (instruments.length > 0) meter.removeBatchObservableCallback(batch, instruments);
    const entry: ObservedValues = { instrument, values: new Map() };
    observed.push(entry);
    instruments = [...instruments, instrument];
    meter.addBatchObservableCallback(batch, instruments);
    return entry;
  };

  return {
    attach(source) {
      sources.add(source);
      return () => void sources.delete(source);
    },
    instrument(metric) {
      const prefix = metric.prefix ?? '';
      const bare = prefix !== '' && metric.name.startsWith(prefix) ? metric.name.slice(prefix.length) : metric.name;
      const semconv = SEMCONV[bare];
      const { name, unit } = otelName(metric.name, prefix);
      const description = metric.help;
      const attributes = semconv ? httpAttributes(metric.labelNames, scheme) : plainAttributes(metric.labelNames);
      const key = (labels: Readonly<Record<string, string>>) => metric.labelNames.map((l) => labels[l] ?? '').join('\u0000');
      switch (metric.type) {
        case 'counter':
        case 'gauge': {
          const kind: Kind = semconv?.kind ?? metric.type;
          const instrument =
            kind === 'counter'
              ? meter.createObservableCounter(name, { description, unit })
              : kind === 'updown'
                ? meter.createObservableUpDownCounter(name, { description, unit })
                : meter.createObservableGauge(name, { description, unit });
          const { values } = observe(instrument);
          return (value, labels, op) => {
            const k = key(labels);
            const current = values.get(k);
            // the first value of a series: a counter's first increment or a gauge's value
            if (current === undefined) values.set(k, { attributes: attributes(labels), value });
            else current.value = op === 'inc' ? current.value + value : value;
          };
        }
        case 'histogram':
        case 'summary': {
          const histogram = meter.createHistogram(name, {
            description,
            unit,
            ...(metric.buckets ? { advice: { explicitBucketBoundaries: [...metric.buckets] } } : {}),
          });
          return (value, labels) => histogram.record(value, attributes(labels));
        }
        default:
          return undefined;
      }
    },
  };
}

/** Labels as attributes, unchanged (every metric but the HTTP ones). */
function plainAttributes(labelNames: readonly string[]) {
  return (labels: Readonly<Record<string, string>>): Attributes => {
    const out: Attributes = {};
    for (const l of labelNames) {
      const v = labels[l];
      if (v !== undefined) out[l] = v;
    }
    return out;
  };
}

/**
 * The HTTP server attributes of the semantic conventions: `http.request.method` (`_OTHER` for
 * a method outside the known set), `http.route` (absent when no route matched),
 * `http.response.status_code` (a number), `url.scheme`, and `error.type` on a 5xx (the status
 * code, or `_OTHER` when only the status class is known).
 */
function httpAttributes(labelNames: readonly string[], scheme: string) {
  return (labels: Readonly<Record<string, string>>): Attributes => {
    const out: Attributes = {};
    for (const l of labelNames) {
      const v = labels[l];
      if (v === undefined) continue;
      if (l === 'method') out[HTTP_ATTRIBUTES.method!] = v === OTHER_METHOD ? '_OTHER' : v;
      else if (l === 'route') {
        if (v !== UNMATCHED_ROUTE) out[HTTP_ATTRIBUTES.route!] = v;
      } else if (l === 'status_code') out[HTTP_ATTRIBUTES.status_code!] = Number(v);
      else out[HTTP_ATTRIBUTES[l] ?? l] = v;
    }
    out['url.scheme'] = scheme;
    if (labels.status_class === '5xx') out['error.type'] = labels.status_code ?? '_OTHER';
    return out;
  };
}

/**
 * Armor's metrics through `@opentelemetry/api` meters, so any OTLP backend receives them
 * without Prometheus. A registry sink: every value Armor records is recorded on an OpenTelemetry
 * instrument too (counters → `Counter`, gauges → `Gauge`, histograms and summaries →
 * `Histogram` with the registry's bucket bounds as advice).
 *
 * Names follow the OpenTelemetry semantic conventions where one exists
 * (`http_request_duration_seconds` → `http.server.request.duration` in `s`,
 * `http_requests_in_flight` → `http.server.active_requests`, labels `method`/`route`/
 * `status_code` → `http.request.method`/`http.route`/`http.response.status_code`); every other
 * metric is `armor.<prometheus name without _total>` with its unit taken from the name's suffix
 * (`_seconds` → `s`, `_bytes` → `By`, `_total` → `{count}`).
 *
 * @module
 */
import { metrics, type Attributes, type Meter } from '@opentelemetry/api';
import { checkOptions } from '@armor/core';

/** The part of `@armor/metrics`' sink contract this module implements (structural, no import). */
export interface OtelSinkMetric {
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary';
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly buckets?: readonly number[];
}

/** A registry sink (pass it to `registry.addSink`). */
export interface OpenTelemetrySink {
  instrument(metric: OtelSinkMetric): ((value: number, labels: Readonly<Record<string, string>>, op: 'inc' | 'set' | 'observe') => void) | undefined;
}

/** Options of {@link openTelemetrySink}. */
export interface OpenTelemetrySinkOptions {
  /** The meter. @default metrics.getMeter('@armor/metrics') */
  meter?: Meter;
}

const SEMCONV: Record<string, { name: string; unit: string }> = {
  http_request_duration_seconds: { name: 'http.server.request.duration', unit: 's' },
  http_requests_in_flight: { name: 'http.server.active_requests', unit: '{request}' },
  http_requests_total: { name: 'armor.http.server.requests', unit: '{request}' },
};

const ATTRIBUTES: Record<string, string> = {
  method: 'http.request.method',
  route: 'http.route',
  status_code: 'http.response.status_code',
  status_class: 'armor.http.status_class',
};

/** The OpenTelemetry name and unit of an Armor (Prometheus) metric name. */
export function otelName(name: string): { name: string; unit: string } {
  const known = SEMCONV[name];
  if (known) return known;
  const base = name.endsWith('_total') ? name.slice(0, -'_total'.length) : name;
  const unit = name.endsWith('_seconds') ? 's' : name.endsWith('_bytes') ? 'By' : name.endsWith('_total') ? '{count}' : '1';
  return { name: `armor.${base}`, unit };
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
  checkOptions('openTelemetrySink', options, ['meter']);
  const meter = options.meter ?? metrics.getMeter('@armor/metrics');
  return {
    instrument(metric) {
      const { name, unit } = otelName(metric.name);
      const description = metric.help;
      const names = metric.labelNames.map((l) => ATTRIBUTES[l] ?? l);
      const numeric = metric.labelNames.map((l) => l === 'status_code');
      const attributes = (labels: Readonly<Record<string, string>>): Attributes => {
        const out: Attributes = {};
        metric.labelNames.forEach((l, i) => {
          const v = labels[l];
          if (v !== undefined) out[names[i]!] = numeric[i] ? Number(v) : v;
        });
        return out;
      };
      switch (metric.type) {
        case 'counter': {
          const counter = meter.createCounter(name, { description, unit });
          return (value, labels) => counter.add(value, attributes(labels));
        }
        case 'gauge': {
          const gauge = meter.createGauge(name, { description, unit });
          return (value, labels) => gauge.record(value, attributes(labels));
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

/**
 * `@armor/metrics`: counters, gauges, histograms and summaries with typed labels, Prometheus
 * 0.0.4 / OpenMetrics 1.0 rendering, slow-operation and error tracking, the monitor and the
 * `MonitoringSnapshot` contract read by the dashboard. Runtime-neutral. Everything else is a
 * subpath, so the root stays small: request instrumentation in `@armor/metrics/http` (Fetch) and
 * the framework adapters (`/express`, `/hono`, `/fastify`, `/next`), the bridges for the other
 * Armor packages in `@armor/metrics/bridges`, the process collector in `@armor/metrics/node`, the
 * zod schema in `/schema`, the SLO scorecard in `/slo`, web vitals in `/web-vitals*`.
 *
 * @module
 */
export { createRegistry, linearBuckets, exponentialBuckets, DEFAULT_BUCKETS } from './registry.js';
export type {
  AnyMetric,
  CardinalityWarning,
  Counter,
  CounterChild,
  DroppedValueReason,
  Gauge,
  GaugeChild,
  Histogram,
  HistogramChild,
  HistogramOptions,
  InvalidValueWarning,
  LabelValue,
  Labels,
  MetricOptions,
  MetricsFormat,
  MetricType,
  Registry,
  RegistryOptions,
  RegistryWarning,
  Summary,
  SummaryChild,
  SummaryOptions,
} from './registry.js';
export { negotiateFormat, escapeLabelValue, PROMETHEUS_CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE } from './format.js';
export { trackOperation, recordError, redactSummary, slowOperations, errorGroups, defaultRegistry } from './tracking.js';
export type { TrackOperationOptions, RecordErrorOptions } from './tracking.js';
export { createMonitor } from './monitor.js';
export type { Exemplar, MetricSink, SinkMetric, SinkRecorder, SinkSource } from './sink.js';
export type { HealthLike, Monitor, MonitorOptions } from './monitor.js';
export type { RequestRecord } from './hub.js';
export { toJsonSafe, stringifySafe } from './safe-json.js';
export type { JsonSafeLimits } from './safe-json.js';
export * from './snapshot.js';

/**
 * `@armor/metrics`: counters, gauges, histograms and summaries with typed labels, Prometheus
 * 0.0.4 / OpenMetrics 1.0 rendering, request instrumentation (Fetch here, Express in
 * `@armor/metrics/express`), slow-operation and error tracking, bridges for the other Armor
 * packages, and the `MonitoringSnapshot` contract read by the dashboard. Runtime-neutral; the
 * process collector lives in `@armor/metrics/node`.
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
export {
  createHttpMetrics,
  instrumentFetch,
  metricsResponse,
  compileRoute,
  normalizeMethod,
  statusClass,
  UNMATCHED_ROUTE,
} from './http.js';
export type { HttpMetrics, HttpMetricsOptions, InstrumentFetchOptions } from './http.js';
export { trackOperation, recordError, redactSummary, slowOperations, errorGroups, defaultRegistry } from './tracking.js';
export type { TrackOperationOptions, RecordErrorOptions } from './tracking.js';
export { instrumentResilience, instrumentCache, instrumentRateLimiter } from './bridges.js';
export type { BridgeOptions, CacheLike, Observable, RateLimiterLike, ResilienceLike } from './bridges.js';
export { createMonitor } from './monitor.js';
export { instrumentHealth } from './health-metrics.js';
export type { Exemplar, MetricSink, SinkMetric, SinkRecorder, SinkSource } from './sink.js';
export type { InstrumentHealthOptions } from './health-metrics.js';
export type { HealthLike, Monitor, MonitorOptions } from './monitor.js';
export type { RequestRecord } from './hub.js';
export { toJsonSafe, stringifySafe } from './safe-json.js';
export type { JsonSafeLimits } from './safe-json.js';
export * from './snapshot.js';

/**
 * `@armor/opentelemetry`: Armor in any OpenTelemetry backend. Metrics through
 * `@opentelemetry/api` meters (a registry sink), spans for retries, breaker rejections, cache
 * loads and rate-limit decisions, and the active trace id for error groups, slow operations and
 * exemplars. `@opentelemetry/api` is a peer: install this package only where you use
 * OpenTelemetry; nothing else in Armor loads it.
 *
 * @module
 */
export { activeTraceId, errorType, traceComponent } from './trace.js';
export type { TraceComponentOptions } from './trace.js';
export { openTelemetrySink, otelName } from './metrics.js';
export type { OpenTelemetrySink, OpenTelemetrySinkOptions, OtelSinkMetric } from './metrics.js';

/**
 * Metric sinks: a second destination for every value a registry records (OpenTelemetry meters
 * through `@armor/opentelemetry`), next to the Prometheus exposition. Without a sink a metric
 * pays one `undefined` check per call.
 *
 * @module
 */
import type { MetricType } from './metric-types.js';

/** What a sink learns about a metric when it is instrumented. */
export interface SinkMetric {
  readonly type: MetricType;
  /** Full name, prefix applied (counters end with `_total`). */
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  /** Histogram bucket bounds. */
  readonly buckets?: readonly number[];
}

/**
 * Receives one value: a counter's increment (`inc`), a gauge's new value (`set`), or a histogram
 * or summary observation (`observe`). `labels` are the metric's own labels (default labels are
 * left to the sink, e.g. as resource attributes).
 */
export type SinkRecorder = (value: number, labels: Readonly<Record<string, string>>, op: 'inc' | 'set' | 'observe') => void;

/** A destination for a registry's values; see `registry.addSink`. */
export interface MetricSink {
  /** Called once per metric, present and future; return `undefined` to skip a metric. */
  instrument(metric: SinkMetric): SinkRecorder | undefined;
}

/** The per-metric recorders (mutable: sinks may be added after the metric). @internal */
export interface SinkSlot {
  recorders: SinkRecorder[] | undefined;
}

/** Sends a value to every recorder of a slot; a throwing sink never breaks the caller. @internal */
export function toSinks(slot: SinkSlot, value: number, labelNames: readonly string[], values: readonly string[], op: 'inc' | 'set' | 'observe'): void {
  const labels: Record<string, string> = {};
  for (let i = 0; i < labelNames.length; i++) labels[labelNames[i]!] = values[i]!;
  for (const record of slot.recorders!) {
    try {
      record(value, labels, op);
    } catch {
      // a broken sink must not break the instrumented code
    }
  }
}

/** An exemplar kept per histogram bucket: the latest observation made inside a trace. */
export interface Exemplar {
  readonly traceId: string;
  readonly value: number;
  /** Epoch ms. */
  readonly at: number;
}

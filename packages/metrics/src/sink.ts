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
  /** The registry's prefix (`''` without one), so a sink can map the name without it. */
  readonly prefix: string;
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

/** What a registry gives a sink it is added to. */
export interface SinkSource {
  /**
   * Runs the registry's collectors (process metrics, readiness, bridge stats), as a render of
   * `/metrics` does. A sink with its own collection cycle (OpenTelemetry's metric readers) calls
   * it on each collection, so collector-fed values are fresh without a Prometheus scrape.
   * Never throws.
   */
  collect(): void;
}

/** A destination for a registry's values; see `registry.addSink`. */
export interface MetricSink {
  /** Called once per metric, present and future; return `undefined` to skip a metric. */
  instrument(metric: SinkMetric): SinkRecorder | undefined;
  /**
   * Called once when the sink is added to a registry, before any `instrument` call; may return a
   * function the registry calls when the sink is removed. Optional.
   */
  attach?(source: SinkSource): (() => void) | void;
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

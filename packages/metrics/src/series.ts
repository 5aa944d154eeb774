/**
 * The state of one label set, as a typed union: each metric type keeps exactly the fields it
 * uses (no optional fields read through `!`), and every store holds one shape only, so V8 keeps
 * its property accesses monomorphic.
 *
 * @module
 */

import type { Exemplar } from './sink.js';

/** What every series has: its label values and their pre-rendered text. */
export interface SeriesBase {
  /** Label values, in the metric's label-name order. */
  readonly values: readonly string[];
  /** `a="x",b="y"` including default labels (no braces); `''` without labels. */
  readonly pairs: string;
}

/** A counter or gauge series: one number. */
export interface ValueSeries extends SeriesBase {
  readonly kind: 'value';
  value: number;
}

/** A histogram series: per-bucket counts (the last slot is `+Inf`), sum and count. */
export interface HistogramSeries extends SeriesBase {
  readonly kind: 'histogram';
  readonly counts: Float64Array;
  /** Per bucket (last slot `+Inf`), the latest observation made inside a trace; `undefined` until one is. */
  exemplars: (Exemplar | undefined)[] | undefined;
  sum: number;
  count: number;
}

/** A summary series: rotating sample windows, sum and count. */
export interface SummarySeries extends SeriesBase {
  readonly kind: 'summary';
  windows: number[][];
  windowIndex: number;
  windowStart: number;
  sum: number;
  count: number;
}

/** Any series. */
export type Series = ValueSeries | HistogramSeries | SummarySeries;

/** The label values of a series as an object (for `series()` readers). */
export function labelsOf(names: readonly string[], s: SeriesBase): Record<string, string> {
  const out: Record<string, string> = {};
  names.forEach((n, i) => (out[n] = s.values[i]!));
  return out;
}

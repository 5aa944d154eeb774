/**
 * What the four metric types share: the context the registry hands them, the `# HELP`/`# TYPE`
 * header, and the call-site value checks.
 *
 * @module
 */
import type { Clock } from '@armor/core';
import { invalidType, ValidationError } from '@armor/errors';
import { formatHelp } from './format.js';
import type { LabelStore, LabelStoreOptions } from './label-store.js';
import type { MetricsFormat, MetricType } from './metric-types.js';
import type { SeriesBase } from './series.js';
import type { SinkSlot } from './sink.js';

/** What the registry gives a metric it builds. @internal */
export interface MetricContext {
  /** Full name (prefix applied; counters end with `_total`). */
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly clock: Clock;
  /** The metric's sink recorders (`recorders` is `undefined` without sinks). */
  readonly sink: SinkSlot;
  /** The registry's trace-id source, for exemplars. */
  readonly traceId: (() => string | undefined) | undefined;
  /** Creates the metric's label store. */
  store<S extends SeriesBase>(make: LabelStoreOptions<S>['make'], eager?: boolean): LabelStore<S>;
}

/** Writes the `# HELP` and `# TYPE` lines (OpenMetrics names a counter family without `_total`). */
export function header(out: string[], name: string, help: string, type: MetricType, format: MetricsFormat): void {
  const family = format === 'openmetrics' && type === 'counter' ? name.slice(0, -'_total'.length) : name;
  out.push(`# HELP ${family} ${formatHelp(help, format)}\n# TYPE ${family} ${type}\n`);
}

/**
 * Value checks at the call site (like prom-client): a wrong value throws where it was passed
 * instead of producing an exposition Prometheus refuses (`strconv.ParseFloat: parsing
 * "undefined"`) or a silently wrong number (`'5'` concatenated into `051`). Kept out of line so
 * the hot paths stay one `typeof` check.
 */
export function badValue(metric: string, method: string, value: unknown): ValidationError {
  return invalidType(`${metric}.${method}() expects a number`, 'a number', value);
}

/** A counter asked to go down (or by `NaN`). */
export function negativeIncrement(metric: string, value: number): ValidationError {
  return new ValidationError(`${metric}: counters only go up (got ${value})`, {
    issues: [{ path: '', message: `Expected a number >= 0, received ${value}`, code: 'too_small' }],
  });
}

/**
 * Label-set storage shared by every metric type: nested maps keyed by each label value (no
 * string join per call), a per-metric cardinality cap with one overflow series, and label-name
 * validation on the slow path only.
 *
 * @module
 */
import { labelPairs } from './format.js';
import type { LabelValue, RegistryWarning } from './metric-types.js';
import type { SeriesBase } from './series.js';

/** Label value of the overflow series past the cardinality cap. */
export const OVERFLOW = '(overflow)';

/** What a metric needs from the registry to store its series. */
export interface LabelStoreOptions<S extends SeriesBase> {
  metricName: string;
  labelNames: readonly string[];
  maxSeries: number;
  defaultNames: readonly string[];
  defaultValues: readonly string[];
  /** Builds a fresh series for these label values and their pre-rendered pairs. */
  make: (values: readonly string[], pairs: string) => S;
  /** An unlabelled metric's one series exists from the start (a counter reads 0 before its first increment). @default false */
  eager?: boolean | undefined;
  /** Told once when the cap is first hit. */
  warn: (warning: RegistryWarning) => void;
}

/** The series of one metric. */
export interface LabelStore<S extends SeriesBase> {
  /** The series of `labels` (created on first use; the overflow series past the cap). */
  lookup(labels: Record<string, LabelValue> | undefined): S;
  /** Every series, in creation order. */
  readonly all: readonly S[];
  /** Forgets every series (an eager one is created again at once). */
  reset(): void;
}

const str = (raw: LabelValue | undefined): string => (typeof raw === 'string' ? raw : raw === undefined ? '' : String(raw));

/** Creates the store of one metric. */
export function createLabelStore<S extends SeriesBase>(options: LabelStoreOptions<S>): LabelStore<S> {
  const { metricName, labelNames, maxSeries, defaultNames, defaultValues, make: build, eager = false, warn } = options;
  const depth = labelNames.length;
  const root = new Map<string, unknown>();
  let size = 0;
  let warned = false;
  let single: S | undefined;
  const all: S[] = [];

  const make = (values: string[]): S => {
    const s = build(values, labelPairs(defaultNames, defaultValues, labelNames, values));
    all.push(s);
    return s;
  };

  /**
   * Hot path: walks the nested maps and returns an existing series. Only reads; anything not
   * found (and all validation of label names) goes to `create`, so a miss never leaves
   * intermediate maps behind, even past the cardinality cap.
   */
  function lookup(labels: Record<string, LabelValue> | undefined): S {
    if (depth === 0) return (single ??= make([]));
    if (typeof labels !== 'object' || labels === null) throw new TypeError(`${metricName}: labels { ${labelNames.join(', ')} } are required`);
    let node: Map<string, unknown> = root;
    for (let i = 0; i < depth - 1; i++) {
      const next = node.get(str(labels[labelNames[i]!])) as Map<string, unknown> | undefined;
      if (next === undefined) return create(labels);
      node = next;
    }
    const found = node.get(str(labels[labelNames[depth - 1]!])) as S | undefined;
    return found !== undefined ? found : create(labels);
  }

  /** Slow path: validates label names, then creates the series (or returns the overflow series past the cap). */
  function create(labels: Record<string, LabelValue>): S {
    for (const n of Object.keys(labels))
      if (!labelNames.includes(n)) throw new TypeError(`${metricName}: unknown label "${n}" (labels are ${labelNames.join(', ')})`);
    if (size >= maxSeries) {
      if (!warned) {
        warned = true;
        warn({ kind: 'cardinality', metric: metricName, limit: maxSeries, message: `${metricName}: more than ${maxSeries} label sets; further ones are recorded as "${OVERFLOW}"` });
      }
      return overflow();
    }
    const values = labelNames.map((n) => str(labels[n]));
    let node: Map<string, unknown> = root;
    for (let i = 0; i < depth - 1; i++) {
      let next = node.get(values[i]!) as Map<string, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(values[i]!, next);
      }
      node = next;
    }
    const s = make(values);
    node.set(values[depth - 1]!, s);
    size++;
    return s;
  }

  let overflowSeries: S | undefined;
  const overflow = () => (overflowSeries ??= make(labelNames.map(() => OVERFLOW)));
  if (eager && depth === 0) single = make([]);

  return {
    lookup,
    all,
    reset() {
      root.clear();
      all.length = 0;
      size = 0;
      single = undefined;
      overflowSeries = undefined;
      warned = false;
      if (eager && depth === 0) single = make([]);
    },
  };
}

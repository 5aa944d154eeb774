/**
 * Exact counter increases over a window without reading raw samples.
 *
 * A counter's increase over a window is its value at the end minus its value at the start, per
 * process lifetime: a restart starts the counters at 0 again. Restarts are found from the
 * instances' `process_start_time_seconds` gauge (a new start time is a new process, whatever the
 * counters did), and the exact moment between the old process's last sample and the new one's
 * first from that gauge's own samples around the change. Each process lifetime of a restarted
 * instance is then one pair of `last_over_time(…[d] @ t)` terms, and every instance without a
 * restart is one pair for all of them, summed in Prometheus: the response has one value per
 * label set asked for and term, whatever the range or the scrape interval.
 *
 * @module
 */
import type { MatrixSeries, PrometheusClient, VectorSample } from './prometheus.js';

/** The window of a snapshot: `(start, end]`, `points` steps of `stepMs`, and the baseline look-back. */
export interface Window {
  start: number;
  end: number;
  stepMs: number;
  points: number;
  lookbackMs: number;
}

/** A value inside a PromQL string literal. */
export const promString = (value: string): string => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const regexEscape = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const at = (ms: number) => `@ ${(ms / 1000).toFixed(3)}`;
const dur = (ms: number) => `[${Math.max(1, Math.round(ms))}ms]`;

/** Samples of one process lifetime of one instance: `(from, to]` (epoch ms). */
export interface Segment {
  instance: string;
  from: number;
  to: number;
}

/** Where processes changed: the restarted instances' segments, and each instance's process start at each step boundary. */
export interface Processes {
  /** Instances with more than one process in `(start − lookback, end]`. */
  restarted: Set<string>;
  segments: Segment[];
  /** Per instance: `process_start_time_seconds` at each of the `points + 1` boundaries (undefined where unknown). */
  startAt: Map<string, (number | undefined)[]>;
}

/** Values of a `query_range` result at the window's boundaries, per series key. */
export function atBoundaries(series: MatrixSeries[], w: Window, keyOf: (metric: Record<string, string>) => string): Map<string, (number | undefined)[]> {
  const out = new Map<string, (number | undefined)[]>();
  for (const s of series) {
    const k = keyOf(s.metric);
    let values = out.get(k);
    if (!values) out.set(k, (values = new Array<number | undefined>(w.points + 1).fill(undefined)));
    for (const [seconds, value] of s.values) {
      const j = Math.round((seconds * 1000 - w.start) / w.stepMs);
      if (j >= 0 && j <= w.points && Number.isFinite(value)) values[j] = (values[j] ?? 0) + value;
    }
  }
  return out;
}

/**
 * Finds each instance's process changes from the start-time gauge at the step boundaries
 * (`starts`), and the exact split between two processes from the gauge's own samples.
 */
export async function findProcesses(prometheus: PrometheusClient, startMetric: string, selector: string, starts: MatrixSeries[], w: Window): Promise<Processes> {
  const startAt = atBoundaries(starts, w, (m) => m.instance ?? '');
  const restarted = new Set<string>();
  const segments: Segment[] = [];
  const earliest = w.start - w.lookbackMs;
  await Promise.all(
    [...startAt].map(async ([instance, values]) => {
      const splits: number[] = [];
      // the gauge's samples in (from, to]: the last one of a process other than `current` is the split
      const split = async (from: number, to: number, current: number): Promise<number | undefined> => {
        const raw = await prometheus.query(`${startMetric}{${selector},instance="${promString(instance)}"}${dur(to - from)} ${at(to)}`, w.end);
        if (raw.resultType !== 'matrix') return undefined;
        let last: number | undefined;
        for (const s of raw.result) for (const [t, v] of s.values) if (v !== current && (last === undefined || t * 1000 > last)) last = t * 1000;
        return last;
      };
      let prev: { j: number; start: number } | undefined;
      for (let j = 0; j <= w.points; j++) {
        const start = values[j];
        if (start === undefined) continue;
        const boundary = w.start + j * w.stepMs;
        if (prev === undefined) {
          // the first process seen: did another one run in the look-back before it?
          if (start * 1000 > earliest) {
            const t = await split(earliest, boundary, start);
            if (t !== undefined) splits.push(t);
          }
        } else if (start !== prev.start) {
          const from = w.start + prev.j * w.stepMs;
          splits.push((await split(from, boundary, start)) ?? from);
        }
        prev = { j, start };
      }
      if (splits.length === 0) return;
      restarted.add(instance);
      let from = earliest;
      for (const t of splits) {
        if (t > from) segments.push({ instance, from, to: t });
        from = Math.max(from, t);
      }
      segments.push({ instance, from, to: w.end });
    }),
  );
  return { restarted, segments, startAt };
}

/**
 * The exact increase of counter `metric` over the window, summed by the labels `by`: one
 * instant query whatever the range. Returns the increase per label set (keyed by `by` values
 * joined with `\u0000`) and the labels of each key.
 */
export async function increases(prometheus: PrometheusClient, metric: string, selector: string, by: readonly string[], w: Window, p: Processes): Promise<Map<string, { labels: Record<string, string>; value: number }>> {
  const group = `sum by (${by.join(', ')})`;
  const tag = (expr: string, term: string) => `label_replace(${group} (${expr}), "armor_term", "${term}", "", "")`;
  const terms: string[] = [];
  const clean = p.restarted.size === 0 ? `{${selector}}` : `{${selector},instance!~"${promString([...p.restarted].map(regexEscape).join('|'))}"}`;
  terms.push(tag(`last_over_time(${metric}${clean}${dur(w.end - w.start + w.lookbackMs)} ${at(w.end)})`, 'e'), tag(`last_over_time(${metric}${clean}${dur(w.lookbackMs)} ${at(w.start)})`, 'b'));
  p.segments.forEach((s, k) => {
    const sel = `{${selector},instance="${promString(s.instance)}"}`;
    // a range selector is closed at both ends in Prometheus 2 (`[t - d, t]`): leave out the
    // sample at `from`, the previous process's last one
    terms.push(tag(`last_over_time(${metric}${sel}${dur(s.to - s.from - 1)} ${at(s.to)})`, `e${k}`));
    if (s.from < w.start) terms.push(tag(`last_over_time(${metric}${sel}${dur(w.start - s.from - 1)} ${at(w.start)})`, `b${k}`));
  });
  const reply = await prometheus.query(terms.join(' or '), w.end);
  const result: VectorSample[] = reply.resultType === 'vector' ? reply.result : [];
  // per term id ('' for the clean instances, the segment index otherwise): end and baseline per key
  const parts = new Map<string, Map<string, { labels: Record<string, string>; e: number; b: number }>>();
  for (const s of result) {
    const term = s.metric.armor_term ?? '';
    const kind = term[0];
    const id = term.slice(1);
    const labels: Record<string, string> = {};
    for (const l of by) labels[l] = s.metric[l] ?? '';
    const key = by.map((l) => labels[l]).join('\u0000');
    let m = parts.get(id);
    if (!m) parts.set(id, (m = new Map<string, { labels: Record<string, string>; e: number; b: number }>()));
    let v = m.get(key);
    if (!v) m.set(key, (v = { labels, e: 0, b: 0 }));
    if (Number.isFinite(s.value[1])) v[kind === 'e' ? 'e' : 'b'] += s.value[1];
  }
  const out = new Map<string, { labels: Record<string, string>; value: number }>();
  for (const m of parts.values()) {
    for (const [key, v] of m) {
      const o = out.get(key) ?? { labels: v.labels, value: 0 };
      o.value += Math.max(0, v.e - v.b);
      out.set(key, o);
    }
  }
  return out;
}

/**
 * Per-step increases of an instance's counters from their values at the step boundaries
 * (`values`: per series key of this instance, `points + 1` values). A new process at a boundary
 * (a new start time, or without one a decrease of the instance's total) counts from 0.
 */
export function stepIncreases(values: Map<string, (number | undefined)[]>, startAt: (number | undefined)[] | undefined, w: Window): { deltas: Map<string, number[]>; changes: number[]; lastSeen: number } {
  const present: boolean[] = [];
  const total: number[] = [];
  for (let j = 0; j <= w.points; j++) {
    let any = false;
    let sum = 0;
    for (const v of values.values()) {
      if (v[j] !== undefined) {
        any = true;
        sum += v[j]!;
      }
    }
    present.push(any);
    total.push(sum);
  }
  const changes: number[] = [];
  const deltas = new Map<string, number[]>();
  for (const k of values.keys()) deltas.set(k, new Array<number>(w.points).fill(0));
  let prev = -1;
  let lastSeen = -1;
  for (let j = 0; j <= w.points; j++) {
    if (!present[j]) continue;
    lastSeen = j;
    if (prev >= 0) {
      const a = startAt?.[prev];
      const b = startAt?.[j];
      const fresh = a !== undefined && b !== undefined ? a !== b : total[j]! < total[prev]!;
      if (fresh) changes.push(j);
      for (const [k, v] of values) {
        const now = v[j] ?? 0;
        const before = v[prev] ?? 0;
        deltas.get(k)![j - 1] = fresh ? now : Math.max(0, now - before);
      }
    } else if (j > 0) {
      changes.push(j); // first seen inside the window
      for (const [k, v] of values) deltas.get(k)![j - 1] = v[j] ?? 0;
    }
    prev = j;
  }
  return { deltas, changes, lastSeen };
}

/**
 * Makes per-step increases add up to the exact total: the difference (what an old process served
 * after the last step boundary that saw it, or a process that lived between two boundaries) goes
 * to step `at`: where the instance's process changed, or after it was last seen.
 */
export function reconcile(steps: number[], exact: number, at: number): void {
  let diff = exact - steps.reduce((a, b) => a + b, 0);
  if (diff === 0 || steps.length === 0) return;
  const first = Math.min(steps.length - 1, Math.max(0, at));
  if (diff > 0) {
    steps[first] = steps[first]! + diff;
    return;
  }
  for (let i = first; diff < 0 && i < steps.length + first; i++) {
    const j = i % steps.length;
    const take = Math.min(steps[j]!, -diff);
    steps[j] = steps[j]! - take;
    diff += take;
  }
}

/** The step where an instance's step values miss something: its first process change, else after it was last seen. */
export function reconcileStep(instance: string, p: Processes, changes: number[], lastSeen: number, w: Window): number {
  const split = p.segments.find((s) => s.instance === instance && s.to < w.end);
  if (split) return Math.floor((split.to - w.start) / w.stepMs);
  if (changes.length > 0) return changes[0]! - 1;
  return lastSeen < 0 ? w.points - 1 : lastSeen;
}

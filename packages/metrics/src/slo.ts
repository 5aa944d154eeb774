/**
 * `@armor/metrics/slo`: the SLO scorecard — the production targets declared in code and checked
 * as a whole against the `MonitoringSnapshot`. The defaults are the six targets of the
 * production-readiness report: server latency p95 per operation < 100 ms, page load p75 per route
 * < 2 s, JS bundle < 500 KB, cache hit rate > 80 %, error rate < 1 %, availability > 99.9 % with
 * its error budget left over 30 days. Each objective carries target, actual, status and trend
 * (against the previous window); an objective without enough samples says `insufficient_data`
 * instead of showing green. A subpath of its own, so the root entry does not grow.
 *
 * @example
 * ```ts
 * import { createMonitor, createRegistry } from '@armor/metrics';
 * import { createScorecard } from '@armor/metrics/slo';
 *
 * const registry = createRegistry();
 * const monitor = createMonitor({ registry });
 * const scorecard = createScorecard({ monitor, targets: { serverLatencyP95Ms: 150 }, bundleBytes: 312_000 });
 * const snapshot = await scorecard.snapshot(); // monitor.snapshot() with its `slo` section
 * console.log(snapshot.slo?.objectives.map((o) => `${o.name}: ${o.status}`));
 * ```
 *
 * @module
 */
import { checkFunction, checkInt, checkNumber, checkObject, checkOptions, type Clock } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import { createBudgetLedger, type BudgetLedger } from './slo-budget.js';
import type { Registry } from './registry.js';
import type { MonitoringSnapshot, SloKind, SloObjective, SloSection, SloTrend } from './snapshot.js';

export type { SloKind, SloObjective, SloSection, SloStatus, SloTrend } from './snapshot.js';
export { histogramQuantile, pageLoadsFromHistogram } from './slo-page-loads.js';
export type { PageLoadsFromHistogramOptions } from './slo-page-loads.js';

/** The targets of {@link createScorecard}. `false` leaves a target out of the scorecard. */
export interface SloTargets {
  /** Server latency: p95 of each operation (method + route template) below this (ms). @default 100 */
  serverLatencyP95Ms?: number | false | undefined;
  /** Page load: p75 of each page route (e.g. LCP from web vitals) below this (ms). @default 2000 */
  pageLoadP75Ms?: number | false | undefined;
  /** JavaScript shipped to the browser (from the build's manifest) below this (bytes). @default 500000 (500 KB) */
  bundleBytes?: number | false | undefined;
  /** Cache hit rate (hits / lookups over every instrumented cache) above this (fraction). @default 0.8 */
  cacheHitRate?: number | false | undefined;
  /** Error rate (failed requests / requests over the window) below this (fraction). @default 0.01 */
  errorRate?: number | false | undefined;
  /** Availability (requests answered without a 5xx over the budget window) above this (fraction). @default 0.999 */
  availability?: number | false | undefined;
}

/** The default targets: the six of the production-readiness report. */
export const DEFAULT_SLO_TARGETS: Readonly<Required<{ [K in keyof SloTargets]: number }>> = Object.freeze({
  serverLatencyP95Ms: 100,
  pageLoadP75Ms: 2000,
  bundleBytes: 500_000,
  cacheHitRate: 0.8,
  errorRate: 0.01,
  availability: 0.999,
});

/** Samples each kind needs before its status is `met` or `missed` (defaults of {@link ScorecardOptions.minSamples}). */
export const DEFAULT_SLO_MIN_SAMPLES: Readonly<Record<SloKind, number>> = Object.freeze({
  serverLatency: 20,
  pageLoad: 20,
  bundleSize: 1,
  cacheHitRate: 100,
  errorRate: 100,
  availability: 1000,
});

/** Page-load figures of one route template (e.g. from the web-vitals ingest's LCP histogram). */
export interface PageLoadFigures {
  /** Route template, never a raw URL, e.g. `/orders/:id`. */
  route: string;
  /** p75 of the page load (ms); `null` without samples. */
  p75Ms: number | null;
  /** Page loads measured. */
  samples: number;
}

/** Structural type of a `createMonitor()` result (only `snapshot()` is used). */
export interface SnapshotProvider {
  snapshot(): Promise<MonitoringSnapshot>;
}

/** Options of {@link createScorecard}. */
export interface ScorecardOptions {
  /** The targets; any left out take {@link DEFAULT_SLO_TARGETS}, `false` drops one. @default DEFAULT_SLO_TARGETS */
  targets?: SloTargets | undefined;
  /** Samples each kind needs before `met`/`missed` (requests, page loads, lookups). @default DEFAULT_SLO_MIN_SAMPLES */
  minSamples?: Partial<Record<SloKind, number>> | undefined;
  /** The monitor whose snapshot {@link Scorecard.snapshot} extends. @default none (use `evaluate(snapshot)`) */
  monitor?: SnapshotProvider | undefined;
  /**
   * Size of the JavaScript the browser loads (bytes), from the build's manifest: a number, or a
   * function called at each evaluation (sync or async; `null` = unknown). @default none → `insufficient_data`
   */
  bundleBytes?: number | (() => number | null | Promise<number | null>) | undefined;
  /**
   * A registry to export the bundle size on, as the gauge `bundle_size_bytes` (set at each
   * evaluation), for the `ArmorSloBundleSize` alert of `alerts/armor-slo.rules.yml`. The other
   * targets' alerts read the metrics the request, cache and web-vitals instrumentation already
   * export. @default none
   */
  registry?: Registry | undefined;
  /** Page-load figures per route, called at each evaluation. @default none → `insufficient_data` */
  pageLoads?: (() => readonly PageLoadFigures[] | Promise<readonly PageLoadFigures[]>) | undefined;
  /** Time source (the kernel's `Clock`; only `now()` is used). @default Date.now */
  clock?: Clock | undefined;
  /** Window of the availability error budget (ms). @default 2592000000 (30 days) */
  budgetWindowMs?: number | undefined;
  /** Most operations (and page routes) listed, worst first; the rest are counted in `omitted`. @default 50 */
  maxSubjects?: number | undefined;
  /** A change within this share of the target counts as `steady`. @default 0.02 */
  steadyWithin?: number | undefined;
}

/** What {@link createScorecard} returns. */
export interface Scorecard {
  /**
   * The `slo` section for `snapshot` (add it as `snapshot.slo`). Call it at least once per
   * snapshot window (the dashboard's polling does): availability counts each closed series point
   * once, so points that fall out of the window between two calls are not counted.
   */
  evaluate(snapshot: MonitoringSnapshot): Promise<SloSection>;
  /** The monitor's snapshot with its `slo` section. @throws ConfigurationError without `monitor` */
  snapshot(): Promise<MonitoringSnapshot>;
}

const KNOWN = ['targets', 'minSamples', 'monitor', 'registry', 'bundleBytes', 'pageLoads', 'clock', 'budgetWindowMs', 'maxSubjects', 'steadyWithin'];
const TARGET_KEYS = Object.keys(DEFAULT_SLO_TARGETS) as (keyof SloTargets)[];
const KINDS = Object.keys(DEFAULT_SLO_MIN_SAMPLES) as SloKind[];
const DAY_MS = 86_400_000;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkTargets(targets: SloTargets | undefined): Record<keyof SloTargets, number | false> {
  checkObject('targets', targets);
  checkOptions('createScorecard targets', targets, TARGET_KEYS);
  const out = { ...DEFAULT_SLO_TARGETS } as Record<keyof SloTargets, number | false>;
  for (const key of TARGET_KEYS) {
    const v = targets?.[key];
    if (v === undefined || v === false) {
      if (v === false) out[key] = false;
      continue;
    }
    const ratio = key === 'cacheHitRate' || key === 'errorRate' || key === 'availability';
    checkNumber(`targets.${key}`, v, ratio ? { min: 0, max: 1, exclusiveMin: true } : { min: 0, exclusiveMin: true, unit: key === 'bundleBytes' ? 'bytes' : 'ms' });
    if (key === 'availability' && v === 1) throw new ConfigurationError('targets.availability', 'must be below 1 (a target of 100 % has no error budget)', { received: v });
    out[key] = v;
  }
  return out;
}

/**
 * Creates an SLO scorecard: the production targets checked against each `MonitoringSnapshot`.
 *
 * - **Server latency**: one objective per operation (`METHOD route`) with its p95 over the
 *   snapshot window (`requests.routes`).
 * - **Page load**: one objective per page route from `pageLoads()` (p75).
 * - **Bundle size**: `bundleBytes` (a number or a function reading the build's manifest).
 * - **Cache hit rate**: hits / lookups summed over the snapshot's `caches`.
 * - **Error rate**: failed / all requests over the snapshot window.
 * - **Availability**: requests answered without a 5xx over the budget window (30 days, or as much
 *   history as the scorecard has seen), counted from the snapshot's series, with the share of the
 *   error budget left (`budgetRemaining`).
 *
 * An objective with fewer samples than its `minSamples`, no source, or a section the server
 * could not compute (`unavailable`) is `insufficient_data` with a `note`, never `met`. The trend
 * compares `actual` with its value one window earlier. Hostile figures (NaN, negative counts)
 * never throw: they count as missing.
 *
 * @throws ConfigurationError for unknown options, a target that is not a positive number (ratios
 *   in (0, 1], availability below 1), or a bad `minSamples`, `budgetWindowMs`, `maxSubjects`,
 *   `steadyWithin`, `bundleBytes`, `pageLoads` or `monitor`
 * @example
 * ```ts
 * import { createScorecard } from '@armor/metrics/slo';
 * const scorecard = createScorecard({ targets: { availability: 0.9995, bundleBytes: false } });
 * // in the snapshot handler: snapshot.slo = await scorecard.evaluate(snapshot)
 * ```
 */
export function createScorecard(options: ScorecardOptions = {}): Scorecard {
  checkOptions('createScorecard', options, KNOWN);
  const targets = checkTargets(options.targets);
  checkObject('minSamples', options.minSamples);
  checkOptions('createScorecard minSamples', options.minSamples, KINDS);
  const minSamples = { ...DEFAULT_SLO_MIN_SAMPLES };
  for (const kind of KINDS) {
    const v = options.minSamples?.[kind];
    checkInt(`minSamples.${kind}`, v, 0);
    if (v !== undefined) minSamples[kind] = v;
  }
  const { monitor, bundleBytes, pageLoads, clock } = options;
  if (monitor !== undefined && (typeof monitor !== 'object' || monitor === null || typeof monitor.snapshot !== 'function')) {
    throw new ConfigurationError('monitor', 'must have a snapshot() method (a createMonitor() result)', { received: monitor });
  }
  if (typeof bundleBytes !== 'function') checkNumber('bundleBytes', bundleBytes, { min: 0, unit: 'bytes' });
  checkFunction('pageLoads', pageLoads);
  if (clock !== undefined && (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function')) {
    throw new ConfigurationError('clock', 'must have a now() method', { received: clock });
  }
  const budgetWindowMs = options.budgetWindowMs ?? 30 * DAY_MS;
  checkNumber('budgetWindowMs', budgetWindowMs, { min: 60_000, unit: 'ms' });
  const maxSubjects = options.maxSubjects ?? 50;
  checkInt('maxSubjects', maxSubjects, 1, { max: 10_000 });
  const steadyWithin = options.steadyWithin ?? 0.02;
  checkNumber('steadyWithin', steadyWithin, { min: 0, max: 1 });
  const now = clock ? () => clock.now() : () => Date.now();
  const registry = options.registry;
  if (registry !== undefined && (typeof registry !== 'object' || registry === null || typeof registry.gauge !== 'function')) {
    throw new ConfigurationError('registry', 'must be a registry from createRegistry()', { received: registry });
  }
  const bundleGauge = registry?.gauge({ name: 'bundle_size_bytes', help: 'JavaScript the browser loads, in bytes, from the build manifest (SLO scorecard)' });

  const ledger: BudgetLedger = createBudgetLedger(budgetWindowMs);
  /** Per objective key: (time, actual) pairs, oldest first, for the trend. */
  const history = new Map<string, [number, number][]>();

  function trendOf(key: string, t: number, windowMs: number, actual: number | null, direction: 'below' | 'above', target: number): { previous: number | null; trend: SloTrend | null } {
    let list = history.get(key);
    if (actual !== null) {
      if (list === undefined) history.set(key, (list = []));
      list.push([t, actual]);
    }
    if (list === undefined) return { previous: null, trend: null };
    // the latest value at least one window old; older ones are no longer needed
    let idx = -1;
    for (let i = 0; i < list.length; i++) if (list[i]![0] <= t - windowMs) idx = i;
    if (idx > 0) list.splice(0, idx);
    const previous = idx >= 0 ? list[0]![1] : null;
    if (previous === null || actual === null) return { previous, trend: null };
    const delta = actual - previous;
    if (Math.abs(delta) <= steadyWithin * Math.abs(target)) return { previous, trend: 'steady' };
    return { previous, trend: (direction === 'below' ? delta < 0 : delta > 0) ? 'better' : 'worse' };
  }

  function objective(
    t: number,
    windowMs: number,
    kind: SloKind,
    name: string,
    unit: SloObjective['unit'],
    direction: 'below' | 'above',
    target: number,
    actual: number | null,
    samples: number,
    extra: { subject?: string; note?: string; budgetRemaining?: number; budgetWindowSeconds?: number } = {},
  ): SloObjective {
    const value = isNum(actual) ? actual : null;
    const n = isNum(samples) && samples > 0 ? samples : 0;
    const enough = value !== null && n >= minSamples[kind] && n > 0;
    const status = !enough ? 'insufficient_data' : (direction === 'below' ? value < target : value > target) ? 'met' : 'missed';
    const { previous, trend } = trendOf(`${kind}\u0000${extra.subject ?? ''}`, t, windowMs, value, direction, target);
    const out: SloObjective = { kind, name, direction, target, unit, actual: value, samples: n, minSamples: minSamples[kind], status, previous, trend };
    if (extra.subject !== undefined) out.subject = extra.subject;
    if (extra.budgetRemaining !== undefined && isNum(extra.budgetRemaining)) out.budgetRemaining = extra.budgetRemaining;
    if (extra.budgetWindowSeconds !== undefined) out.budgetWindowSeconds = extra.budgetWindowSeconds;
    const note = extra.note ?? (value === null ? 'no samples in the window' : n < minSamples[kind] ? `${n} of the ${minSamples[kind]} samples needed` : undefined);
    if (note !== undefined && status === 'insufficient_data') out.note = note;
    else if (extra.note !== undefined) out.note = extra.note;
    return out;
  }

  /** Worst first (missed, then farthest past the target), capped; returns how many were left out. */
  function capped(list: SloObjective[]): [SloObjective[], number] {
    const rank = (o: SloObjective) => (o.status === 'missed' ? 0 : o.status === 'met' ? 1 : 2);
    list.sort((a, b) => rank(a) - rank(b) || (b.actual ?? -Infinity) - (a.actual ?? -Infinity) || (a.subject ?? '').localeCompare(b.subject ?? ''));
    return [list.slice(0, maxSubjects), Math.max(0, list.length - maxSubjects)];
  }

  async function evaluate(snapshot: MonitoringSnapshot): Promise<SloSection> {
    const t = now();
    const windowMs = isNum(snapshot?.window?.windowMs) && snapshot.window.windowMs > 0 ? snapshot.window.windowMs : 900_000;
    const unavailable = new Map<string, string>();
    for (const u of Array.isArray(snapshot?.unavailable) ? snapshot.unavailable : []) if (u && typeof u.section === 'string') unavailable.set(u.section, String(u.reason));
    const objectives: SloObjective[] = [];
    let omitted = 0;
    const requests = snapshot?.requests;

    if (targets.serverLatencyP95Ms !== false) {
      const target = targets.serverLatencyP95Ms;
      const why = unavailable.get('latency') ?? unavailable.get('requests');
      const routes = Array.isArray(requests?.routes) ? requests.routes : [];
      if (why !== undefined || routes.length === 0) {
        objectives.push(objective(t, windowMs, 'serverLatency', 'Server latency p95', 'ms', 'below', target, null, 0, { note: why !== undefined ? `unavailable: ${why}` : 'no requests in the window' }));
      } else {
        const rows = routes.map((r) =>
          objective(t, windowMs, 'serverLatency', 'Server latency p95', 'ms', 'below', target, r.p95Ms, r.count, { subject: `${String(r.method)} ${String(r.route)}` }),
        );
        const [kept, left] = capped(rows);
        objectives.push(...kept);
        omitted += left;
      }
    }

    if (targets.pageLoadP75Ms !== false) {
      const target = targets.pageLoadP75Ms;
      let figures: readonly PageLoadFigures[] | undefined;
      let note: string | undefined = pageLoads ? undefined : 'no page-load source (pass pageLoads, e.g. from the web-vitals ingest)';
      if (pageLoads) {
        try {
          figures = await pageLoads();
          if (!Array.isArray(figures)) throw new TypeError('pageLoads() did not return an array');
        } catch (error) {
          figures = undefined;
          note = `pageLoads() failed: ${error instanceof Error ? error.message : String(error)}`;
        }
      }
      if (!figures || figures.length === 0) {
        objectives.push(objective(t, windowMs, 'pageLoad', 'Page load p75', 'ms', 'below', target, null, 0, { note: note ?? 'no page loads measured yet' }));
      } else {
        const rows = figures.map((f) => objective(t, windowMs, 'pageLoad', 'Page load p75', 'ms', 'below', target, f?.p75Ms ?? null, f?.samples ?? 0, { subject: String(f?.route) }));
        const [kept, left] = capped(rows);
        objectives.push(...kept);
        omitted += left;
      }
    }

    if (targets.bundleBytes !== false) {
      let bytes: number | null = null;
      let note: string | undefined = bundleBytes === undefined ? 'no bundle size (pass bundleBytes from the build manifest)' : undefined;
      if (typeof bundleBytes === 'function') {
        try {
          bytes = await bundleBytes();
          if (!(isNum(bytes) && bytes >= 0)) {
            note = 'bundleBytes() gave no size';
            bytes = null;
          }
        } catch (error) {
          note = `bundleBytes() failed: ${error instanceof Error ? error.message : String(error)}`;
        }
      } else if (bundleBytes !== undefined) bytes = bundleBytes;
      if (bytes !== null) bundleGauge?.set(bytes);
      objectives.push(objective(t, windowMs, 'bundleSize', 'JS bundle size', 'bytes', 'below', targets.bundleBytes, bytes, bytes === null ? 0 : 1, note === undefined ? {} : { note }));
    }

    if (targets.cacheHitRate !== false) {
      const why = unavailable.get('caches');
      let hits = 0;
      let lookups = 0;
      const caches = Array.isArray(snapshot?.caches) ? snapshot.caches : [];
      for (const c of caches) {
        if (isNum(c?.hits) && isNum(c?.misses) && c.hits >= 0 && c.misses >= 0) {
          hits += c.hits;
          lookups += c.hits + c.misses;
        }
      }
      const note = why !== undefined ? `unavailable: ${why}` : caches.length === 0 ? 'no cache instrumented' : undefined;
      objectives.push(objective(t, windowMs, 'cacheHitRate', 'Cache hit rate', 'ratio', 'above', targets.cacheHitRate, why === undefined && lookups > 0 ? hits / lookups : null, why === undefined ? lookups : 0, note === undefined ? {} : { note }));
    }

    const why = unavailable.get('requests');
    const totals = requests?.totals;
    if (targets.errorRate !== false) {
      const count = why === undefined && isNum(totals?.count) && totals.count >= 0 ? totals.count : 0;
      const errors = isNum(totals?.errors) && totals.errors >= 0 ? Math.min(totals.errors, count) : 0;
      objectives.push(objective(t, windowMs, 'errorRate', 'Error rate', 'ratio', 'below', targets.errorRate, count > 0 ? errors / count : null, count, why === undefined ? {} : { note: `unavailable: ${why}` }));
    }

    if (targets.availability !== false) {
      const target = targets.availability;
      if (why === undefined) ledger.ingest(snapshot, t);
      const { count, errors, coveredMs } = ledger.totals(t);
      const extra: { note?: string; budgetRemaining?: number; budgetWindowSeconds?: number } = { budgetWindowSeconds: Math.round(coveredMs / 1000) };
      if (count > 0) extra.budgetRemaining = 1 - errors / ((1 - target) * count);
      if (why !== undefined) extra.note = `unavailable: ${why}`;
      objectives.push(objective(t, windowMs, 'availability', 'Availability', 'ratio', 'above', target, count > 0 ? 1 - errors / count : null, count, extra));
    }

    // forget the trends of operations and routes not seen for two windows
    for (const [key, list] of history) if (list.length > 0 && list[list.length - 1]![0] < t - 2 * windowMs) history.delete(key);
    const section: SloSection = { windowMs, objectives };
    if (omitted > 0) section.omitted = omitted;
    return section;
  }

  return {
    evaluate,
    async snapshot() {
      if (monitor === undefined) throw new ConfigurationError('monitor', 'pass monitor (a createMonitor() result) to use snapshot(); or call evaluate(snapshot)');
      const snapshot = await monitor.snapshot();
      return { ...snapshot, slo: await evaluate(snapshot) };
    },
  };
}

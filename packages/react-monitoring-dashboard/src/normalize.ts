/**
 * `normalizeSnapshot()`: the dashboard's defence against a snapshot whose items have the wrong
 * shape (a breaker without `name`, a `null` series point, an error `message` that is an
 * object). Every item field the panels read is checked; a wrong one is repaired (or the item
 * dropped) and reported as a {@link SnapshotNote}, which the panel shows as a visible note
 * instead of a silent "—". Valid items are returned as they are (same objects), so memoized
 * panels do not re-render for nothing.
 *
 * @module
 */
import type { MonitoringSnapshot, SnapshotSection } from './types.js';

/** Which panel a note belongs to (the panel's `data-panel` value). */
export type PanelId = 'health' | 'charts' | 'routes' | 'breakers' | 'caches' | 'rate-limits' | 'errors' | 'slow' | 'fleet' | 'audit' | 'slo';

/** One field of the snapshot that had the wrong type. */
export interface SnapshotNote {
  /** The panel that shows the field. */
  panel: PanelId;
  /** Where in the snapshot, e.g. `breakers[1].name`. */
  path: string;
  /** What was wrong, e.g. `expected a string, got undefined`. */
  problem: string;
}

/** Result of {@link normalizeSnapshot}. */
export interface NormalizedSnapshot {
  /** The snapshot with every wrong field repaired and unusable items dropped. */
  snapshot: MonitoringSnapshot;
  /** What was repaired (at most 100 notes). */
  notes: SnapshotNote[];
  /**
   * Sections whose figures are not measurements, and why: the ones the server listed in
   * `unavailable` (its source failed) and the ones missing from the snapshot. Their panels say
   * "unavailable" instead of showing the placeholders.
   */
  unavailable: Partial<Record<SnapshotSection, string>>;
}

const SECTIONS: ReadonlySet<string> = new Set(['requests', 'latency', 'inFlight', 'errors', 'slowOperations', 'caches', 'rateLimits', 'breakers', 'fleet', 'audit', 'slo']);
const MISSING = 'missing from the snapshot';

const MAX_NOTES = 100;
type Rec = Record<string, unknown>;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'object') return 'an object';
  return typeof value === 'string' ? 'a string' : typeof value;
}

/** Text for a value that should have been a string (objects as JSON, clipped). */
function textOf(value: unknown): string {
  try {
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    return (text ?? String(value)).slice(0, 500);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Repairs one item: copies it lazily on the first wrong field. */
class Fixer {
  out: Rec;
  private copied = false;
  constructor(
    readonly item: Rec,
    readonly path: string,
    readonly panel: PanelId,
    readonly notes: SnapshotNote[],
  ) {
    this.out = item;
  }
  note(key: string, problem: string) {
    if (this.notes.length < MAX_NOTES) this.notes.push({ panel: this.panel, path: `${this.path}.${key}`, problem });
  }
  set(key: string, value: unknown) {
    if (!this.copied) {
      this.out = { ...this.item };
      this.copied = true;
    }
    if (value === undefined) delete this.out[key];
    else this.out[key] = value;
  }
  /** A string field; `fallback` replaces a missing one, other values become their text. */
  str(key: string, fallback: string | undefined) {
    const v = this.item[key];
    if (typeof v === 'string' || (v === undefined && fallback === undefined)) return;
    this.note(key, `expected a string, got ${describe(v)}`);
    this.set(key, v === undefined || v === null ? fallback : textOf(v));
  }
  /** A number field: `required` → `null`-able required value, else optional (dropped when wrong). */
  num(key: string, mode: 'required' | 'nullable' | 'optional') {
    const v = this.item[key];
    if (isNum(v) || (v === null && mode === 'nullable') || (v === undefined && mode === 'optional')) return;
    this.note(key, `expected a number, got ${describe(v)}`);
    this.set(key, mode === 'nullable' ? null : mode === 'optional' ? undefined : Number.NaN);
  }
  bool(key: string, required = false) {
    const v = this.item[key];
    if (typeof v === 'boolean' || (v === undefined && !required)) return;
    this.note(key, `expected a boolean, got ${describe(v)}`);
    this.set(key, Boolean(v));
  }
}

function items<T>(list: unknown, path: string, panel: PanelId, notes: SnapshotNote[], fix: (f: Fixer) => boolean | void): T[] {
  if (!Array.isArray(list)) {
    if (notes.length < MAX_NOTES) notes.push({ panel, path, problem: `expected an array, got ${describe(list)}` });
    return [];
  }
  let out: unknown[] | undefined;
  for (let i = 0; i < list.length; i++) {
    const item: unknown = list[i];
    let fixed: Rec | undefined;
    if (!isRecord(item)) {
      if (notes.length < MAX_NOTES) notes.push({ panel, path: `${path}[${i}]`, problem: `expected an object, got ${describe(item)}` });
    } else {
      const f = new Fixer(item, `${path}[${i}]`, panel, notes);
      if (fix(f) !== false) fixed = f.out;
    }
    if (fixed !== item && out === undefined) out = list.slice(0, i);
    if (out !== undefined && fixed !== undefined) out.push(fixed);
  }
  return (out ?? list) as T[];
}

/**
 * Repairs the item-level fields of a snapshot that passed `parseSnapshot` (which checks only the
 * top-level shape) and lists what it repaired.
 *
 * @example
 * ```ts
 * const { snapshot, notes } = normalizeSnapshot(parseSnapshot(json));
 * for (const n of notes) console.warn(`${n.path}: ${n.problem}`);
 * ```
 */
export function normalizeSnapshot(snapshot: MonitoringSnapshot): NormalizedSnapshot {
  const notes: SnapshotNote[] = [];
  const unavailable: Partial<Record<SnapshotSection, string>> = {};
  // what the server says it could not compute
  const listed: unknown = (snapshot as unknown as Rec).unavailable;
  if (Array.isArray(listed)) {
    for (const u of listed) {
      if (isRecord(u) && typeof u.section === 'string' && SECTIONS.has(u.section)) {
        unavailable[u.section as SnapshotSection] ??= typeof u.reason === 'string' && u.reason !== '' ? u.reason : 'not computed by the server';
      }
    }
  }
  // a missing (or non-object) section: a placeholder, a note, and its panels say unavailable
  let top: Rec = snapshot as unknown as Rec;
  const section = (key: string, panel: PanelId, placeholder: Rec, sections: SnapshotSection[]) => {
    if (isRecord(top[key])) return;
    if (notes.length < MAX_NOTES) notes.push({ panel, path: key, problem: `expected an object, got ${describe(top[key])}` });
    for (const name of sections) unavailable[name] ??= MISSING;
    top = { ...top, [key]: placeholder };
  };
  section('service', 'health', { name: '(unnamed service)' }, []);
  section('window', 'charts', { windowMs: 300_000, resolutionMs: 10_000 }, []);
  section('health', 'health', { status: 'unknown', checks: [] }, []);
  section('requests', 'charts', { totals: {}, series: [], routes: [] }, ['requests', 'latency', 'inFlight']);
  if (!isRecord((top.requests as Rec).totals)) {
    for (const name of ['requests', 'latency', 'inFlight'] as const) unavailable[name] ??= MISSING;
    if (notes.length < MAX_NOTES) notes.push({ panel: 'health', path: 'requests.totals', problem: `expected an object, got ${describe((top.requests as Rec).totals)}` });
    top = { ...top, requests: { ...(top.requests as Rec), totals: { count: 0, errors: 0, errorRate: 0, throughputPerSec: 0, p50Ms: null, p95Ms: null, p99Ms: null, inFlight: 0 } } };
  }
  section('errors', 'errors', { totalGroups: 0, groups: [] }, ['errors']);
  const ARRAYS: [string, SnapshotSection][] = [
    ['slowOperations', 'slowOperations'],
    ['caches', 'caches'],
    ['rateLimits', 'rateLimits'],
    ['breakers', 'breakers'],
  ];
  for (const [key, name] of ARRAYS) if (!Array.isArray(top[key])) unavailable[name] ??= MISSING;
  const s = top;
  const service = new Fixer(s.service as Rec, 'service', 'health', notes);
  service.str('name', '(unnamed service)');
  service.str('version', undefined);
  service.str('instance', undefined);
  service.num('uptimeSeconds', 'optional');
  const windowFix = new Fixer(s.window as Rec, 'window', 'charts', notes);
  for (const key of ['windowMs', 'resolutionMs']) {
    const v = windowFix.item[key];
    if (!(isNum(v) && v > 0)) {
      windowFix.note(key, `expected a number > 0, got ${describe(v)}`);
      windowFix.set(key, key === 'windowMs' ? 300_000 : 10_000);
    }
  }
  let health = s.health as Rec;
  if (health.status !== 'pass' && health.status !== 'warn' && health.status !== 'fail' && health.status !== 'unknown') {
    if (notes.length < MAX_NOTES) notes.push({ panel: 'health', path: 'health.status', problem: `expected pass, warn, fail or unknown, got ${typeof health.status === 'string' ? JSON.stringify(health.status.slice(0, 40)) : describe(health.status)}` });
    health = { ...health, status: 'unknown' };
  }
  const checks = items(health.checks, 'health.checks', 'health', notes, (f) => {
    f.str('name', '(unnamed check)');
    f.str('status', 'fail');
    f.str('componentType', undefined);
    f.str('output', undefined);
    f.str('observedUnit', undefined);
    const v = f.item.observedValue;
    if (v !== undefined && typeof v !== 'string' && typeof v !== 'boolean' && !isNum(v)) {
      f.note('observedValue', `expected a number, string or boolean, got ${describe(v)}`);
      f.set('observedValue', textOf(v));
    }
    f.num('durationMs', 'optional');
    f.num('time', 'optional');
    f.bool('critical');
  });
  const requests = s.requests as Rec;
  const totals = new Fixer(requests.totals as Rec, 'requests.totals', 'health', notes);
  for (const key of ['count', 'errors', 'errorRate', 'throughputPerSec', 'inFlight']) totals.num(key, 'required');
  for (const key of ['p50Ms', 'p95Ms', 'p99Ms']) totals.num(key, 'nullable');
  const series = items(requests.series, 'requests.series', 'charts', notes, (f) => {
    if (!isNum(f.item.t)) {
      f.note('t', `expected a number, got ${describe(f.item.t)} (point dropped)`);
      return false;
    }
    for (const key of ['count', 'errors']) {
      if (!isNum(f.item[key])) {
        f.note(key, `expected a number, got ${describe(f.item[key])}`);
        f.set(key, 0);
      }
    }
    for (const key of ['p50Ms', 'p95Ms', 'p99Ms']) f.num(key, 'nullable');
    return true;
  });
  const routes = items(requests.routes, 'requests.routes', 'routes', notes, (f) => {
    f.str('method', '?');
    f.str('route', '(unknown route)');
    f.num('count', 'required');
    f.num('errors', 'required');
    for (const key of ['p50Ms', 'p95Ms', 'p99Ms']) f.num(key, 'nullable');
  });
  const errors = s.errors as Rec;
  const groups = items(errors.groups, 'errors.groups', 'errors', notes, (f) => {
    f.str('fingerprint', `${f.path}`);
    f.str('code', 'UNKNOWN');
    f.str('name', 'Error');
    f.str('message', '');
    f.num('status', 'required');
    f.num('count', 'required');
    f.num('firstSeen', 'required');
    f.num('lastSeen', 'required');
    const sample = f.item.sample;
    if (sample !== undefined) {
      if (!isRecord(sample)) {
        f.note('sample', `expected an object, got ${describe(sample)}`);
        f.set('sample', undefined);
      } else {
        const sf = new Fixer(sample, `${f.path}.sample`, 'errors', notes);
        sf.str('message', '');
        sf.str('stack', undefined);
        if (sf.item.context !== undefined && !isRecord(sf.item.context)) {
          sf.note('context', `expected an object, got ${describe(sf.item.context)}`);
          sf.set('context', undefined);
        }
        if (sf.out !== sample) f.set('sample', sf.out);
      }
    }
    // fleet snapshots: where (release, instance) the group was seen
    if (f.item.seen !== undefined) {
      const seen = items(f.item.seen, `${f.path}.seen`, 'errors', notes, (sf) => {
        sf.str('release', '(unknown release)');
        sf.str('instance', '(unknown instance)');
        for (const key of ['firstSeen', 'lastSeen', 'count']) sf.num(key, 'required');
      });
      if (seen !== f.item.seen) f.set('seen', Array.isArray(f.item.seen) ? seen : undefined);
    }
  });
  const slowOperations = items(s.slowOperations, 'slowOperations', 'slow', notes, (f) => {
    f.str('name', '(unnamed operation)');
    f.str('summary', undefined);
    f.num('durationMs', 'required');
    f.num('thresholdMs', 'required');
    f.num('at', 'required');
    f.bool('failed');
  });
  const caches = items(s.caches, 'caches', 'caches', notes, (f) => {
    f.str('name', '(unnamed cache)');
    for (const key of ['hits', 'misses', 'hitRate']) f.num(key, 'required');
    for (const key of ['size', 'evictions', 'loadsInFlight']) f.num(key, 'optional');
  });
  const rateLimits = items(s.rateLimits, 'rateLimits', 'rate-limits', notes, (f) => {
    f.str('name', '(unnamed limiter)');
    f.num('allowed', 'required');
    f.num('limited', 'required');
    f.num('storeErrors', 'optional');
  });
  const breakers = items(s.breakers, 'breakers', 'breakers', notes, (f) => {
    f.str('name', `(unnamed breaker ${f.path.slice('breakers'.length)})`);
    f.str('state', 'closed');
    for (const key of ['failures', 'successes', 'rejected', 'since']) f.num(key, 'optional');
  });
  const fleet = s.fleet === undefined ? undefined : normalizeFleet(s.fleet, notes);
  const audit = s.audit === undefined ? undefined : normalizeAudit(s.audit, notes, unavailable);
  const slo = s.slo === undefined ? undefined : normalizeSlo(s.slo, notes, unavailable);
  if (notes.length === 0) return { snapshot, notes, unavailable };
  const out: Rec = {
    ...s,
    service: service.out,
    window: windowFix.out,
    health: checks === health.checks ? health : { ...health, checks },
    requests:
      totals.out === requests.totals && series === requests.series && routes === requests.routes
        ? requests
        : { ...requests, totals: totals.out, series, routes },
    errors: groups === errors.groups ? errors : { ...errors, groups },
    slowOperations,
    caches,
    rateLimits,
    breakers,
  };
  if (fleet !== undefined) out.fleet = fleet;
  if (audit !== undefined) out.audit = audit;
  if (slo !== undefined) out.slo = slo;
  return { snapshot: out as unknown as MonitoringSnapshot, notes, unavailable };
}

const FLEET_RANGES: ReadonlySet<unknown> = new Set(['15m', '1h', '6h', '24h']);

/**
 * The `fleet` section of a fleet snapshot: repaired like the items, so the instance and range
 * selectors still show (with a note) when it is malformed. A section that is not an object
 * becomes an empty fleet.
 */
function normalizeFleet(value: unknown, notes: SnapshotNote[]): Rec {
  const f = new Fixer(isRecord(value) ? value : {}, 'fleet', 'fleet', notes);
  if (!isRecord(value)) {
    if (notes.length < MAX_NOTES) notes.push({ panel: 'fleet', path: 'fleet', problem: `expected an object, got ${describe(value)}` });
    f.set('instances', []);
    f.set('instance', null);
    f.set('range', null);
    return f.out;
  }
  const instances = items(value.instances, 'fleet.instances', 'fleet', notes, (i) => {
    i.str('instance', '(unnamed instance)');
    i.bool('up', true);
    i.bool('ready');
    i.num('count', 'required');
    i.num('errors', 'required');
    i.num('p95Ms', 'nullable');
  });
  if (instances !== value.instances) f.set('instances', instances);
  const instance = value.instance;
  if (instance !== null && typeof instance !== 'string') {
    f.note('instance', `expected a string or null, got ${describe(instance)}`);
    f.set('instance', null);
  }
  if (!FLEET_RANGES.has(value.range)) {
    f.note('range', `expected one of 15m, 1h, 6h, 24h, got ${typeof value.range === 'string' ? JSON.stringify(value.range.slice(0, 40)) : describe(value.range)}`);
    f.set('range', null);
  }
  return f.out;
}

const OUTCOMES: ReadonlySet<unknown> = new Set(['success', 'failure', 'denied']);

/**
 * The `audit` section (`@armor/audit`): repaired item by item like the others. A stream whose
 * `ok` is not a boolean or `null` is shown as not verified (never as clean); an event's targets
 * that are not strings become their text. A section that is not an object, or whose `streams` or
 * `recent` is not a list, makes the audit panel say unavailable (the other panels are untouched).
 */
function normalizeAudit(value: unknown, notes: SnapshotNote[], unavailable: Partial<Record<SnapshotSection, string>>): Rec {
  if (!isRecord(value)) {
    if (notes.length < MAX_NOTES) notes.push({ panel: 'audit', path: 'audit', problem: `expected an object, got ${describe(value)}` });
    unavailable.audit ??= `malformed: expected an object, got ${describe(value)}`;
    return { streams: [], recent: [] };
  }
  const f = new Fixer(value, 'audit', 'audit', notes);
  for (const key of ['streams', 'recent']) {
    if (!Array.isArray(value[key])) unavailable.audit ??= `malformed: audit.${key} is ${describe(value[key])}, not a list`;
  }
  const streams = items(value.streams, 'audit.streams', 'audit', notes, (i) => {
    i.str('stream', '(unnamed stream)');
    const ok = i.item.ok;
    if (ok !== null && typeof ok !== 'boolean') {
      i.note('ok', `expected a boolean or null, got ${describe(ok)} (shown as not verified)`);
      i.set('ok', null);
    }
    for (const key of ['lastSeq', 'findings', 'unanchored']) i.num(key, 'required');
    i.num('verifiedAt', 'optional');
    i.num('checkpointAgeSeconds', 'optional');
  });
  const recent = items(value.recent, 'audit.recent', 'audit', notes, (i) => {
    i.str('stream', '(unnamed stream)');
    i.num('seq', 'required');
    i.str('time', '');
    i.str('action', '(no action)');
    i.str('actorId', '(unknown actor)');
    if (!OUTCOMES.has(i.item.outcome)) {
      i.note('outcome', `expected success, failure or denied, got ${typeof i.item.outcome === 'string' ? JSON.stringify(i.item.outcome.slice(0, 40)) : describe(i.item.outcome)}`);
      i.set('outcome', typeof i.item.outcome === 'string' ? i.item.outcome.slice(0, 40) : 'unknown');
    }
    const targets = i.item.targets;
    if (!Array.isArray(targets)) {
      i.note('targets', `expected an array, got ${describe(targets)}`);
      i.set('targets', []);
    } else if (targets.some((t) => typeof t !== 'string')) {
      i.note('targets', 'expected strings');
      i.set('targets', targets.map((t: unknown) => (typeof t === 'string' ? t : textOf(t))));
    }
  });
  if (streams !== value.streams) f.set('streams', streams);
  if (recent !== value.recent) f.set('recent', recent);
  return f.out;
}

const SLO_STATUS: ReadonlySet<unknown> = new Set(['met', 'missed', 'insufficient_data']);
const SLO_TREND: ReadonlySet<unknown> = new Set(['better', 'worse', 'steady', null]);
const SLO_UNIT: ReadonlySet<unknown> = new Set(['ms', 'bytes', 'ratio']);

/**
 * The `slo` section (`@armor/metrics/slo`), repaired item by item. A status that is not `met`,
 * `missed` or `insufficient_data` becomes `insufficient_data` (never shown as met); a section that
 * is not an object, or whose `objectives` is not a list, makes the scorecard say unavailable.
 */
function normalizeSlo(value: unknown, notes: SnapshotNote[], unavailable: Partial<Record<SnapshotSection, string>>): Rec {
  if (!isRecord(value)) {
    if (notes.length < MAX_NOTES) notes.push({ panel: 'slo', path: 'slo', problem: `expected an object, got ${describe(value)}` });
    unavailable.slo ??= `malformed: expected an object, got ${describe(value)}`;
    return { windowMs: 0, objectives: [] };
  }
  const f = new Fixer(value, 'slo', 'slo', notes);
  if (!Array.isArray(value.objectives)) unavailable.slo ??= `malformed: slo.objectives is ${describe(value.objectives)}, not a list`;
  f.num('windowMs', 'required');
  f.num('omitted', 'optional');
  const objectives = items(value.objectives, 'slo.objectives', 'slo', notes, (i) => {
    i.str('kind', '(unknown)');
    i.str('name', '(unnamed objective)');
    i.str('subject', undefined);
    i.str('note', undefined);
    if (i.item.direction !== 'below' && i.item.direction !== 'above') {
      i.note('direction', `expected below or above, got ${describe(i.item.direction)}`);
      i.set('direction', 'below');
    }
    if (!SLO_UNIT.has(i.item.unit)) {
      i.note('unit', `expected ms, bytes or ratio, got ${describe(i.item.unit)}`);
      i.set('unit', 'ratio');
    }
    if (!SLO_STATUS.has(i.item.status)) {
      i.note('status', `expected met, missed or insufficient_data, got ${typeof i.item.status === 'string' ? JSON.stringify(i.item.status.slice(0, 40)) : describe(i.item.status)} (shown as not enough data)`);
      i.set('status', 'insufficient_data');
    }
    if (!SLO_TREND.has(i.item.trend)) {
      i.note('trend', `expected better, worse, steady or null, got ${describe(i.item.trend)}`);
      i.set('trend', null);
    }
    i.num('target', 'required');
    i.num('actual', 'nullable');
    i.num('previous', 'nullable');
    i.num('samples', 'required');
    i.num('minSamples', 'required');
    i.num('budgetRemaining', 'optional');
    i.num('budgetWindowSeconds', 'optional');
  });
  if (objectives !== value.objectives) f.set('objectives', objectives);
  return f.out;
}

/**
 * `createFleetMonitor`: one `MonitoringSnapshot` for N instances. Request rate, latency
 * percentiles, error rates, breaker, cache and rate-limit figures come from Prometheus (which
 * scrapes every instance's `/metrics`); error groups and slow operations come from the fleet
 * store. Same snapshot contract as the single-process monitor, plus a `fleet` section with the
 * per-instance breakdown, so the dashboard reads it unchanged.
 *
 * Counts are exact, not extrapolated like PromQL's `increase()`: each counter's value at the
 * window's end minus its value at the start, per process lifetime (see `./windows.ts`), with
 * restarts found from `process_start_time_seconds`. Every query answers one value per label set
 * and term (or per step for the chart), so the response size does not grow with the range or
 * the scrape interval. A source that fails marks its sections in `unavailable` and the health
 * `unknown`: the snapshot never shows a figure it could not compute.
 *
 * @module
 */
import { checkClock, checkInt, checkOptions, checkRequired, checkString, toScheduler, type Clock } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import type {
  BreakerStats,
  CacheStats,
  FleetInstanceStats,
  FleetRange,
  FleetSection,
  MonitoringSnapshot,
  RateLimitStats,
  RequestPoint,
  RouteStats,
  SnapshotHealthCheck,
  SnapshotHealthStatus,
  SnapshotSection,
  SnapshotUnavailable,
} from '@armor/metrics';

export type { FleetRange };
import { createPrometheusClient, type MatrixSeries, type PrometheusClient, type PrometheusClientOptions, type VectorSample } from './prometheus.js';
import { addBucket, parseLe, quantileMs, type Buckets } from './quantile.js';
import type { FleetErrorGroup, FleetSlowOperation, FleetStore } from './store.js';
import { atBoundaries, findProcesses, increases, promString, reconcile, reconcileStep, stepIncreases, type Processes, type Window } from './windows.js';

/** The time ranges the dashboard offers, in ms. */
export const FLEET_RANGES = { '15m': 15 * 60_000, '1h': 60 * 60_000, '6h': 6 * 60 * 60_000, '24h': 24 * 60 * 60_000 } as const satisfies Record<FleetRange, number>;

/** One instance in the fleet breakdown (the contract's `FleetInstanceStats`). */
export type FleetInstance = FleetInstanceStats;

/** The fleet snapshot: the contract's snapshot with its `fleet` section and sightings always present. */
export interface FleetSnapshot extends MonitoringSnapshot {
  fleet: FleetSection & { range: FleetRange };
  errors: { totalGroups: number; groups: FleetErrorGroup[] };
  slowOperations: FleetSlowOperation[];
}

/** Options of {@link createFleetMonitor}. */
export interface FleetMonitorOptions {
  /** A Prometheus client or its options (`{ url }`). Needs Prometheus 2.33 or later (the `@` modifier). */
  prometheus: PrometheusClient | PrometheusClientOptions;
  /** The Prometheus `job` label of the service's instances. */
  job: string;
  /**
   * The instances' registry prefix (`createRegistry({ prefix })`), put before every metric name
   * the monitor queries (`shop_` → `shop_http_requests_total`). Prometheus' own `up` has none.
   * @default ''
   */
  metricPrefix?: string;
  /** Where error groups and slow operations live (`redisFleetStore`). Without it those panels are empty. */
  store?: FleetStore;
  /** Names the service in the snapshot. @default { name: job } */
  service?: { name: string; version?: string };
  /**
   * Milliseconds before the window searched for each counter's value at the window's start, and
   * for an earlier process of an instance whose current process started in that time. Keep it at
   * Prometheus' `--query.lookback-delta` (its staleness period) or longer than the scrape interval.
   * @default 300_000
   */
  lookbackMs?: number;
  /** Error groups shown. @default 100 */
  maxGroups?: number;
  /** Slow operations shown. @default 50 */
  maxSlowOperations?: number;
  /** Injectable clock (the snapshot's "now"). @default the system clock */
  clock?: Clock;
}

/** The fleet monitor. */
export interface FleetMonitor {
  /**
   * Builds the snapshot for the fleet or one instance over a range. Never rejects: a source that
   * fails lists its sections in `unavailable` (with the reason), and `health.status` is `unknown`.
   */
  snapshot(options?: { instance?: string | null; range?: FleetRange }): Promise<FleetSnapshot>;
  /**
   * Serves the snapshot as JSON: `?instance=<name>` selects an instance, `?range=15m|1h|6h|24h`
   * the range. An unknown range answers 400 problem+json.
   */
  handleRequest(request: Request): Promise<Response>;
}

const STATE_RANK: Record<string, number> = { open: 3, 'half-open': 2, isolated: 1, closed: 0 };
const METRIC_PREFIX = /^(?:[a-zA-Z_:][a-zA-Z0-9_:]*)?$/;
const messageOf = (error: unknown): string => String((error as Error)?.message ?? error);

/**
 * Creates the fleet monitor.
 *
 * @example
 * ```ts no-run
 * const fleet = createFleetMonitor({ prometheus: { url: 'http://127.0.0.1:9090' }, job: 'api', store });
 * app.get('/monitoring/snapshot', async (req, res) => res.json(await fleet.snapshot({ range: '1h' })));
 * ```
 */
export function createFleetMonitor(options: FleetMonitorOptions): FleetMonitor {
  checkOptions('createFleetMonitor', options, ['prometheus', 'job', 'metricPrefix', 'store', 'service', 'lookbackMs', 'maxGroups', 'maxSlowOperations', 'clock']);
  checkRequired('prometheus', options?.prometheus, 'a Prometheus client or { url }');
  checkRequired('job', options.job, 'the Prometheus job label of the instances');
  checkString('job', options.job);
  const { job, store, metricPrefix = '', lookbackMs = 300_000, maxGroups = 100, maxSlowOperations = 50 } = options;
  checkString('metricPrefix', metricPrefix, { allowEmpty: true });
  if (!METRIC_PREFIX.test(metricPrefix)) throw new ConfigurationError('metricPrefix', 'must be a Prometheus metric name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*), as given to createRegistry({ prefix })', { received: metricPrefix });
  checkInt('lookbackMs', lookbackMs, 0);
  checkInt('maxGroups', maxGroups, 1);
  checkInt('maxSlowOperations', maxSlowOperations, 1);
  checkClock(options.clock);
  const clock = toScheduler(options.clock);
  const prometheus: PrometheusClient =
    typeof (options.prometheus as PrometheusClient).query === 'function' ? (options.prometheus as PrometheusClient) : createPrometheusClient(options.prometheus as PrometheusClientOptions);
  const service = options.service ?? { name: job };
  const m = (name: string) => metricPrefix + name;

  async function snapshot(opts: { instance?: string | null; range?: FleetRange } = {}): Promise<FleetSnapshot> {
    const range: FleetRange = opts.range ?? '15m';
    const rangeMs = FLEET_RANGES[range];
    const instance = opts.instance ?? null;
    const now = clock.now();
    const points = 90;
    const stepMs = rangeMs / points;
    const w: Window = { start: now - rangeMs, end: now, stepMs, points, lookbackMs };
    const jobSel = `job="${promString(job)}"`;
    const inner = instance === null ? jobSel : `${jobSel},instance="${promString(instance)}"`;
    const sel = `{${inner}}`;

    // every failure marks the sections that depended on it, once, with the first reason
    const unavailable = new Map<SnapshotSection, string>();
    const attempt = async <T>(sections: SnapshotSection[], what: string, run: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await run();
      } catch (error) {
        for (const s of sections) if (!unavailable.has(s)) unavailable.set(s, `${what}: ${messageOf(error)}`);
        return undefined;
      }
    };
    const vector = async (expr: string): Promise<VectorSample[]> => {
      const r = await prometheus.query(expr, now);
      return r.resultType === 'vector' ? r.result : [];
    };
    const matrix = (expr: string): Promise<MatrixSeries[]> => prometheus.queryRange(expr, w.start, w.end, stepMs);
    const COUNTERS: SnapshotSection[] = ['requests', 'latency', 'caches', 'rateLimits'];

    let upError: string | undefined;
    const [up, ready, inFlight, breakerStates, cacheSize, starts, stepRequests, stepBuckets, groups, slow] = await Promise.all([
      vector(`up{${jobSel}}`).catch((error: unknown) => {
        upError = messageOf(error);
        unavailable.set('fleet', `up: ${upError}`);
        return undefined;
      }),
      attempt(['fleet'], 'readiness (health_ready)', () => vector(`${m('health_ready')}{${jobSel}}`)),
      attempt(['inFlight'], 'in-flight requests', () => vector(`sum(${m('http_requests_in_flight')}${sel})`)),
      attempt(['breakers'], 'breaker states', () => vector(`${m('circuit_breaker_state')}${sel} == 1`)),
      attempt(['caches'], 'cache sizes', () => vector(`sum by (cache) (${m('cache_size')}${sel})`)),
      attempt(COUNTERS, 'process start times (restarts)', () => matrix(`max by (instance) (${m('process_start_time_seconds')}${sel})`)),
      attempt(['requests'], 'request series', () => matrix(`sum by (instance, status_class) (${m('http_requests_total')}${sel})`)),
      attempt(['latency'], 'latency series', () => matrix(`sum by (instance, le) (${m('http_request_duration_seconds_bucket')}${sel})`)),
      store
        ? attempt(['errors'], 'fleet store (error groups)', () => store.errorGroups(instance === null ? maxGroups : Math.max(maxGroups, 1_000)))
        : Promise.resolve({ total: 0, groups: [] as FleetErrorGroup[] }),
      store ? attempt(['slowOperations'], 'fleet store (slow operations)', () => store.slowOperations(instance === null ? maxSlowOperations : maxSlowOperations * 5)) : Promise.resolve([] as FleetSlowOperation[]),
    ]);

    const processes: Processes | undefined = starts && (await attempt(COUNTERS, 'process start times (restarts)', () => findProcesses(prometheus, m('process_start_time_seconds'), inner, starts, w)));
    const inc = (sections: SnapshotSection[], what: string, metric: string, by: readonly string[]) =>
      processes ? attempt(sections, what, () => increases(prometheus, m(metric), inner, by, w, processes)) : Promise.resolve(undefined);
    const [byRoute, byInstance, bucketsByRoute, bucketsByInstance, cacheRequests, decisions, storeErrors] = await Promise.all([
      inc(['requests'], 'requests by route', 'http_requests_total', ['method', 'route', 'status_class']),
      inc(['requests'], 'requests by instance', 'http_requests_total', ['instance', 'status_class']),
      inc(['latency'], 'latency by route', 'http_request_duration_seconds_bucket', ['method', 'route', 'le']),
      inc(['latency'], 'latency by instance', 'http_request_duration_seconds_bucket', ['instance', 'le']),
      inc(['caches'], 'cache lookups', 'cache_requests_total', ['cache', 'result']),
      inc(['rateLimits'], 'rate-limit decisions', 'rate_limit_decisions_total', ['limiter', 'decision']),
      inc(['rateLimits'], 'rate-limit store errors', 'rate_limit_store_errors_total', ['limiter']),
    ]);

    // --- totals, routes, instances -------------------------------------------------------------
    let count = 0;
    let errors = 0;
    const perInstance = new Map<string, { count: number; errors: number }>();
    for (const { labels, value } of byInstance?.values() ?? []) {
      const ic = perInstance.get(labels.instance!) ?? { count: 0, errors: 0 };
      perInstance.set(labels.instance!, ic);
      ic.count += value;
      count += value;
      if (labels.status_class === '5xx') {
        ic.errors += value;
        errors += value;
      }
    }
    const routeCounts = new Map<string, { method: string; route: string; count: number; errors: number }>();
    for (const { labels, value } of byRoute?.values() ?? []) {
      const key = `${labels.method} ${labels.route}`;
      let r = routeCounts.get(key);
      if (!r) routeCounts.set(key, (r = { method: labels.method!, route: labels.route!, count: 0, errors: 0 }));
      r.count += value;
      if (labels.status_class === '5xx') r.errors += value;
    }
    const routeBuckets = new Map<string, Buckets>();
    for (const { labels, value } of bucketsByRoute?.values() ?? []) {
      const le = parseLe(labels.le);
      if (!Number.isNaN(le)) addBucket(routeBuckets, `${labels.method} ${labels.route}`, le, value);
    }
    const instanceBuckets = new Map<string, Buckets>();
    const totalBuckets: Buckets = new Map();
    for (const { labels, value } of bucketsByInstance?.values() ?? []) {
      const le = parseLe(labels.le);
      if (Number.isNaN(le)) continue;
      addBucket(instanceBuckets, labels.instance!, le, value);
      totalBuckets.set(le, (totalBuckets.get(le) ?? 0) + value);
    }
    const routes: RouteStats[] = [...routeCounts.entries()]
      .filter(([, r]) => r.count > 0)
      .map(([key, r]) => {
        const b = routeBuckets.get(key) ?? new Map<number, number>();
        return { ...r, p50Ms: quantileMs(b, 0.5), p95Ms: quantileMs(b, 0.95), p99Ms: quantileMs(b, 0.99) };
      })
      .sort((a, b) => b.count - a.count);

    // --- the series: per-step increases per instance, reconciled with the exact totals ---------
    const series: RequestPoint[] = Array.from({ length: points }, (_, i) => ({ t: w.start + i * stepMs, count: 0, errors: 0, p50Ms: null, p95Ms: null, p99Ms: null }));
    if (stepRequests && processes) {
      const byInst = new Map<string, MatrixSeries[]>();
      for (const s of stepRequests) byInst.set(s.metric.instance ?? '', [...(byInst.get(s.metric.instance ?? '') ?? []), s]);
      // every instance with step values or with requests (a process that lived between two
      // boundaries has only the latter)
      for (const name of new Set([...byInst.keys(), ...perInstance.keys()])) {
        const values = atBoundaries(byInst.get(name) ?? [], w, (mt) => (mt.status_class === '5xx' ? '5xx' : 'other'));
        const { deltas, changes, lastSeen } = stepIncreases(values, processes.startAt.get(name), w);
        const all = new Array<number>(points).fill(0);
        for (const d of deltas.values()) d.forEach((x, i) => (all[i]! += x));
        const errs = deltas.get('5xx') ?? new Array<number>(points).fill(0);
        const exact = perInstance.get(name) ?? { count: 0, errors: 0 };
        if (byInstance) {
          const at = reconcileStep(name, processes, changes, lastSeen, w);
          reconcile(all, exact.count, at);
          reconcile(errs, exact.errors, at);
        }
        all.forEach((x, i) => (series[i]!.count += x));
        errs.forEach((x, i) => (series[i]!.errors += x));
      }
      if (stepBuckets) {
        const pointBuckets = new Map<number, Buckets>();
        const bucketsOf = new Map<string, MatrixSeries[]>();
        for (const s of stepBuckets) bucketsOf.set(s.metric.instance ?? '', [...(bucketsOf.get(s.metric.instance ?? '') ?? []), s]);
        for (const [name, list] of bucketsOf) {
          const { deltas } = stepIncreases(atBoundaries(list, w, (mt) => mt.le ?? ''), processes.startAt.get(name), w);
          for (const [leText, d] of deltas) {
            const le = parseLe(leText);
            if (!Number.isNaN(le)) d.forEach((x, i) => x > 0 && addBucket(pointBuckets, i, le, x));
          }
        }
        for (const [i, b] of pointBuckets) {
          series[i]!.p50Ms = quantileMs(b, 0.5);
          series[i]!.p95Ms = quantileMs(b, 0.95);
          series[i]!.p99Ms = quantileMs(b, 0.99);
        }
      }
    }

    // --- instances and health ---------------------------------------------------------------
    const readyOf = new Map((ready ?? []).map((s) => [s.metric.instance ?? '', s.value[1] >= 1]));
    const instances: FleetInstance[] = (up ?? [])
      .map((s) => {
        const name = s.metric.instance ?? '';
        const c = perInstance.get(name) ?? { count: 0, errors: 0 };
        const r = readyOf.get(name);
        return { instance: name, up: s.value[1] >= 1, ...(r === undefined ? {} : { ready: r }), count: c.count, errors: c.errors, p95Ms: quantileMs(instanceBuckets.get(name) ?? new Map<number, number>(), 0.95) };
      })
      .sort((a, b) => a.instance.localeCompare(b.instance));
    const checks: SnapshotHealthCheck[] = [];
    const promFailures = [...unavailable].filter(([s]) => s !== 'errors' && s !== 'slowOperations');
    if (upError !== undefined || promFailures.length > 0) {
      checks.push({ name: 'prometheus', status: 'fail', componentType: 'datastore', output: upError ?? promFailures.map(([, reason]) => reason).join('; ') });
    }
    for (const i of instances) {
      if (instance !== null && i.instance !== instance) continue;
      checks.push({ name: i.instance, componentType: 'instance', status: !i.up || i.ready === false ? 'fail' : 'pass', critical: true, ...(!i.up ? { output: 'not scraped (down)' } : i.ready === false ? { output: 'not ready' } : {}) });
    }
    if (unavailable.has('errors') || unavailable.has('slowOperations')) {
      checks.push({ name: 'fleet store', status: 'fail', componentType: 'datastore', output: unavailable.get('errors') ?? unavailable.get('slowOperations')! });
    }
    const failing = checks.filter((c) => c.status === 'fail').length;
    const status: SnapshotHealthStatus =
      unavailable.size > 0 ? 'unknown' : checks.length === 0 ? 'warn' : failing === 0 ? (checks.some((c) => c.status === 'warn') ? 'warn' : 'pass') : failing === checks.length ? 'fail' : 'warn';

    // --- breakers, caches, rate limits ------------------------------------------------------
    const breakerMap = new Map<string, string>();
    for (const s of breakerStates ?? []) {
      const name = s.metric.breaker ?? '';
      const state = s.metric.state ?? 'closed';
      if ((STATE_RANK[state] ?? 0) >= (STATE_RANK[breakerMap.get(name) ?? 'closed'] ?? 0)) breakerMap.set(name, state);
    }
    const breakers: BreakerStats[] = [...breakerMap].map(([name, state]) => ({ name, state: (state in STATE_RANK ? state : 'closed') as BreakerStats['state'] }));
    const cacheMap = new Map<string, { hits: number; misses: number }>();
    for (const { labels, value } of cacheRequests?.values() ?? []) {
      const name = labels.cache ?? '';
      let c = cacheMap.get(name);
      if (!c) cacheMap.set(name, (c = { hits: 0, misses: 0 }));
      if (labels.result === 'miss') c.misses += value;
      else c.hits += value; // hit and stale both answered from the cache
    }
    const sizes = new Map((cacheSize ?? []).map((s) => [s.metric.cache ?? '', s.value[1]]));
    const caches: CacheStats[] = [...cacheMap].map(([name, c]) => ({
      name,
      hits: c.hits,
      misses: c.misses,
      hitRate: c.hits + c.misses > 0 ? c.hits / (c.hits + c.misses) : 0,
      ...(sizes.has(name) ? { size: Math.max(0, Math.round(sizes.get(name)!)) } : {}),
    }));
    const limitMap = new Map<string, { allowed: number; limited: number; storeErrors: number }>();
    const limiterOf = (name: string) => {
      let l = limitMap.get(name);
      if (!l) limitMap.set(name, (l = { allowed: 0, limited: 0, storeErrors: 0 }));
      return l;
    };
    for (const { labels, value } of decisions?.values() ?? []) {
      const l = limiterOf(labels.limiter ?? '');
      if (labels.decision === 'limited') l.limited += value;
      else l.allowed += value;
    }
    for (const { labels, value } of storeErrors?.values() ?? []) limiterOf(labels.limiter ?? '').storeErrors += value;
    const rateLimits: RateLimitStats[] = [...limitMap].map(([name, l]) => ({ name, ...l }));

    // --- error groups and slow operations from the store ------------------------------------
    let { total: totalGroups, groups: groupList } = groups ?? { total: 0, groups: [] as FleetErrorGroup[] };
    let slowOps = slow ?? [];
    if (instance !== null) {
      groupList = groupList
        .map((g) => {
          const seen = g.seen.filter((s) => s.instance === instance);
          if (seen.length === 0) return undefined;
          return { ...g, seen, count: seen.reduce((a, s) => a + s.count, 0), firstSeen: Math.min(...seen.map((s) => s.firstSeen)), lastSeen: Math.max(...seen.map((s) => s.lastSeen)) };
        })
        .filter((g): g is FleetErrorGroup => g !== undefined)
        .slice(0, maxGroups);
      totalGroups = groupList.length;
      slowOps = slowOps.filter((op) => op.instance === instance).slice(0, maxSlowOperations);
    }

    const out: FleetSnapshot = {
      version: 1,
      generatedAt: now,
      service: { ...service, instance: instance ?? 'fleet' },
      window: { windowMs: rangeMs, resolutionMs: stepMs },
      health: { status, checks },
      requests: {
        totals: {
          count,
          errors,
          errorRate: count > 0 ? errors / count : 0,
          throughputPerSec: count / (rangeMs / 1000),
          p50Ms: quantileMs(totalBuckets, 0.5),
          p95Ms: quantileMs(totalBuckets, 0.95),
          p99Ms: quantileMs(totalBuckets, 0.99),
          inFlight: Math.max(0, Math.round(inFlight?.[0]?.value[1] ?? 0)),
        },
        series,
        routes,
      },
      errors: { totalGroups, groups: groupList },
      slowOperations: slowOps,
      caches,
      rateLimits,
      breakers,
      fleet: { instances, instance, range },
    };
    if (unavailable.size > 0) out.unavailable = [...unavailable].map(([section, reason]): SnapshotUnavailable => ({ section, reason }));
    return out;
  }

  return {
    snapshot,
    async handleRequest(request) {
      const url = new URL(request.url);
      const range = url.searchParams.get('range') ?? '15m';
      if (!(range in FLEET_RANGES)) {
        return new Response(JSON.stringify({ type: 'about:blank', title: 'Bad Request', status: 400, detail: `range must be one of ${Object.keys(FLEET_RANGES).join(', ')}` }), {
          status: 400,
          headers: { 'content-type': 'application/problem+json' },
        });
      }
      const instance = url.searchParams.get('instance');
      const body = await snapshot({ range: range as FleetRange, instance: instance === null || instance === '' || instance === 'fleet' ? null : instance });
      return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
    },
  };
}

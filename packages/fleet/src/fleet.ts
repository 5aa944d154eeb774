/**
 * `createFleetMonitor`: one `MonitoringSnapshot` for N instances. Request rate, latency
 * percentiles, error rates, breaker, cache and rate-limit figures come from Prometheus (which
 * scrapes every instance's `/metrics`); error groups and slow operations come from the fleet
 * store. Same snapshot contract as the single-process monitor, plus a `fleet` section with the
 * per-instance breakdown, so the dashboard reads it unchanged.
 *
 * Counts are exact, not extrapolated: the monitor reads the raw counter samples of the window
 * (a range selector in an instant query) and sums their increases itself, handling counter
 * resets, instead of PromQL's `increase()`, which extrapolates to the window's edges.
 *
 * @module
 */
import { checkClock, checkInt, checkOptions, checkRequired, checkString, toScheduler, type Clock } from '@armor/core';
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
} from '@armor/metrics';

export type { FleetRange };
import { createPrometheusClient, type MatrixSeries, type PrometheusClient, type PrometheusClientOptions, type VectorSample } from './prometheus.js';
import type { FleetErrorGroup, FleetSlowOperation, FleetStore } from './store.js';

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
  /** A Prometheus client or its options (`{ url }`). */
  prometheus: PrometheusClient | PrometheusClientOptions;
  /** The Prometheus `job` label of the service's instances. */
  job: string;
  /** Where error groups and slow operations live (`redisFleetStore`). Without it those panels are empty. */
  store?: FleetStore;
  /** Names the service in the snapshot. @default { name: job } */
  service?: { name: string; version?: string };
  /**
   * Milliseconds of history before the window read to find each counter's value at the window's
   * start (Prometheus' staleness period). @default 300_000
   */
  lookbackMs?: number;
  /** Error groups shown. @default 100 */
  maxGroups?: number;
  /** Slow operations shown. @default 50 */
  maxSlowOperations?: number;
  /** Injectable clock. @default the system clock */
  clock?: Clock;
}

/** The fleet monitor. */
export interface FleetMonitor {
  /** Builds the snapshot for the fleet or one instance over a range. Never rejects: a failed source empties its panels and says so in `health`. */
  snapshot(options?: { instance?: string | null; range?: FleetRange }): Promise<FleetSnapshot>;
  /**
   * Serves the snapshot as JSON: `?instance=<name>` selects an instance, `?range=15m|1h|6h|24h`
   * the range. An unknown range answers 400 problem+json.
   */
  handleRequest(request: Request): Promise<Response>;
}

const label = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

interface Delta {
  t: number;
  d: number;
}

/** Increases of a counter series inside the window, reset-aware; samples at or before `windowStart` are the baseline. */
function deltas(series: MatrixSeries, windowStart: number): Delta[] {
  const out: Delta[] = [];
  let prev: number | undefined;
  for (const [seconds, value] of series.values) {
    const t = seconds * 1000;
    if (!Number.isFinite(value)) continue;
    if (t <= windowStart) {
      prev = value;
      continue;
    }
    // no sample before the window: the series (the process) was born inside it, from 0
    const d = prev === undefined ? value : value >= prev ? value - prev : value;
    if (d > 0) out.push({ t, d });
    prev = value;
  }
  return out;
}

/** Quantile from cumulative bucket counts (`le` → count), like PromQL's `histogram_quantile`, in ms. */
function quantileMs(buckets: Map<number, number>, q: number): number | null {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Infinity) ?? (bounds.length ? buckets.get(bounds[bounds.length - 1]!)! : 0);
  if (!(total > 0)) return null;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (const bound of bounds) {
    const count = buckets.get(bound)!;
    if (count >= rank) {
      if (bound === Infinity) return prevBound * 1000;
      const inBucket = count - prevCount;
      const seconds = inBucket > 0 ? prevBound + ((bound - prevBound) * (rank - prevCount)) / inBucket : bound;
      return Math.round(seconds * 1000 * 1000) / 1000;
    }
    prevBound = bound;
    prevCount = count;
  }
  return prevBound * 1000;
}

const addTo = <K>(map: Map<K, Map<number, number>>, key: K, le: number, d: number) => {
  let b = map.get(key);
  if (!b) map.set(key, (b = new Map<number, number>()));
  b.set(le, (b.get(le) ?? 0) + d);
};

const STATE_RANK: Record<string, number> = { open: 3, 'half-open': 2, isolated: 1, closed: 0 };

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
  checkOptions('createFleetMonitor', options, ['prometheus', 'job', 'store', 'service', 'lookbackMs', 'maxGroups', 'maxSlowOperations', 'clock']);
  checkRequired('prometheus', options?.prometheus, 'a Prometheus client or { url }');
  checkRequired('job', options.job, 'the Prometheus job label of the instances');
  checkString('job', options.job);
  const { job, store, lookbackMs = 300_000, maxGroups = 100, maxSlowOperations = 50 } = options;
  checkInt('lookbackMs', lookbackMs, 0);
  checkInt('maxGroups', maxGroups, 1);
  checkInt('maxSlowOperations', maxSlowOperations, 1);
  checkClock(options.clock);
  const clock = toScheduler(options.clock);
  const prometheus: PrometheusClient =
    typeof (options.prometheus as PrometheusClient).query === 'function' ? (options.prometheus as PrometheusClient) : createPrometheusClient(options.prometheus as PrometheusClientOptions);
  const service = options.service ?? { name: job };

  async function snapshot(opts: { instance?: string | null; range?: FleetRange } = {}): Promise<FleetSnapshot> {
    const range: FleetRange = opts.range ?? '15m';
    const rangeMs = FLEET_RANGES[range];
    const instance = opts.instance ?? null;
    const now = clock.now();
    const windowStart = now - rangeMs;
    const resolutionMs = Math.max(1_000, Math.round(rangeMs / 90));
    const points = Math.ceil(rangeMs / resolutionMs);
    const jobSel = `job="${label(job)}"`;
    const sel = instance === null ? `{${jobSel}}` : `{${jobSel},instance="${label(instance)}"}`;
    const lookback = `[${Math.round((rangeMs + lookbackMs) / 1000)}s]`;
    const matrix = async (expr: string): Promise<MatrixSeries[]> => {
      const r = await prometheus.query(expr, now);
      return r.resultType === 'matrix' ? r.result : [];
    };
    const vector = async (expr: string): Promise<VectorSample[]> => {
      const r = await prometheus.query(expr, now);
      return r.resultType === 'vector' ? r.result : [];
    };
    const [requests, buckets, up, ready, inFlight, breakerStates, cacheRequests, cacheSize, decisions, storeErrors, groups, slow] = await Promise.allSettled([
      matrix(`http_requests_total${sel}${lookback}`),
      matrix(`http_request_duration_seconds_bucket${sel}${lookback}`),
      vector(`up{${jobSel}}`),
      vector(`health_ready{${jobSel}}`),
      vector(`sum(http_requests_in_flight${sel})`),
      vector(`circuit_breaker_state${sel} == 1`),
      matrix(`cache_requests_total${sel}${lookback}`),
      vector(`sum by (cache) (cache_size${sel})`),
      matrix(`rate_limit_decisions_total${sel}${lookback}`),
      matrix(`rate_limit_store_errors_total${sel}${lookback}`),
      store ? store.errorGroups(instance === null ? maxGroups : Math.max(maxGroups, 1_000)) : Promise.resolve({ total: 0, groups: [] as FleetErrorGroup[] }),
      store ? store.slowOperations(instance === null ? maxSlowOperations : maxSlowOperations * 5) : Promise.resolve([] as FleetSlowOperation[]),
    ]);
    const ok = <T>(r: PromiseSettledResult<T>, empty: T): T => (r.status === 'fulfilled' ? r.value : empty);
    const checks: SnapshotHealthCheck[] = [];

    // --- requests: totals, series, routes, instances --------------------------------------
    const series: RequestPoint[] = Array.from({ length: points }, (_, i) => ({ t: windowStart + i * resolutionMs, count: 0, errors: 0, p50Ms: null, p95Ms: null, p99Ms: null }));
    const pointOf = (t: number) => Math.min(points - 1, Math.max(0, Math.floor((t - windowStart) / resolutionMs)));
    let count = 0;
    let errors = 0;
    const routeCounts = new Map<string, { method: string; route: string; count: number; errors: number }>();
    const perInstance = new Map<string, { count: number; errors: number }>();
    for (const s of ok(requests, [])) {
      const isError = s.metric.status_class === '5xx';
      const key = `${s.metric.method ?? ''} ${s.metric.route ?? ''}`;
      let route = routeCounts.get(key);
      if (!route) routeCounts.set(key, (route = { method: s.metric.method ?? '', route: s.metric.route ?? '', count: 0, errors: 0 }));
      const inst = s.metric.instance ?? '';
      let ic = perInstance.get(inst);
      if (!ic) perInstance.set(inst, (ic = { count: 0, errors: 0 }));
      for (const { t, d } of deltas(s, windowStart)) {
        const p = series[pointOf(t)]!;
        p.count += d;
        count += d;
        route.count += d;
        ic.count += d;
        if (isError) {
          p.errors += d;
          errors += d;
          route.errors += d;
          ic.errors += d;
        }
      }
    }
    const totalBuckets = new Map<number, number>();
    const pointBuckets = new Map<number, Map<number, number>>();
    const routeBuckets = new Map<string, Map<number, number>>();
    const instanceBuckets = new Map<string, Map<number, number>>();
    for (const s of ok(buckets, [])) {
      const le = s.metric.le === '+Inf' ? Infinity : Number(s.metric.le);
      if (Number.isNaN(le)) continue;
      const key = `${s.metric.method ?? ''} ${s.metric.route ?? ''}`;
      for (const { t, d } of deltas(s, windowStart)) {
        totalBuckets.set(le, (totalBuckets.get(le) ?? 0) + d);
        addTo(pointBuckets, pointOf(t), le, d);
        addTo(routeBuckets, key, le, d);
        addTo(instanceBuckets, s.metric.instance ?? '', le, d);
      }
    }
    for (const [i, b] of pointBuckets) {
      const p = series[i]!;
      p.p50Ms = quantileMs(b, 0.5);
      p.p95Ms = quantileMs(b, 0.95);
      p.p99Ms = quantileMs(b, 0.99);
    }
    const routes: RouteStats[] = [...routeCounts.entries()]
      .filter(([, r]) => r.count > 0)
      .map(([key, r]) => {
        const b = routeBuckets.get(key) ?? new Map<number, number>();
        return { ...r, p50Ms: quantileMs(b, 0.5), p95Ms: quantileMs(b, 0.95), p99Ms: quantileMs(b, 0.99) };
      })
      .sort((a, b) => b.count - a.count);

    // --- instances and health ---------------------------------------------------------------
    const readyOf = new Map(ok(ready, []).map((s) => [s.metric.instance ?? '', s.value[1] >= 1]));
    const instances: FleetInstance[] = ok(up, [])
      .map((s) => {
        const name = s.metric.instance ?? '';
        const c = perInstance.get(name) ?? { count: 0, errors: 0 };
        const r = readyOf.get(name);
        return { instance: name, up: s.value[1] >= 1, ...(r === undefined ? {} : { ready: r }), count: c.count, errors: c.errors, p95Ms: quantileMs(instanceBuckets.get(name) ?? new Map<number, number>(), 0.95) };
      })
      .sort((a, b) => a.instance.localeCompare(b.instance));
    if (up.status === 'rejected') checks.push({ name: 'prometheus', status: 'fail', componentType: 'datastore', output: String((up.reason as Error)?.message ?? up.reason) });
    for (const i of instances) {
      if (instance !== null && i.instance !== instance) continue;
      checks.push({ name: i.instance, componentType: 'instance', status: !i.up || i.ready === false ? 'fail' : 'pass', critical: true, ...(!i.up ? { output: 'not scraped (down)' } : i.ready === false ? { output: 'not ready' } : {}) });
    }
    if (store && (groups.status === 'rejected' || slow.status === 'rejected')) {
      const reason: unknown = groups.status === 'rejected' ? groups.reason : (slow as PromiseRejectedResult).reason;
      checks.push({ name: 'fleet store', status: 'warn', componentType: 'datastore', output: String((reason as Error)?.message ?? reason) });
    }
    const failing = checks.filter((c) => c.status === 'fail').length;
    const status: 'pass' | 'warn' | 'fail' = checks.length === 0 ? 'warn' : failing === 0 ? (checks.some((c) => c.status === 'warn') ? 'warn' : 'pass') : failing === checks.length ? 'fail' : 'warn';

    // --- breakers, caches, rate limits ------------------------------------------------------
    const breakerMap = new Map<string, string>();
    for (const s of ok(breakerStates, [])) {
      const name = s.metric.breaker ?? '';
      const state = s.metric.state ?? 'closed';
      if ((STATE_RANK[state] ?? 0) >= (STATE_RANK[breakerMap.get(name) ?? 'closed'] ?? 0)) breakerMap.set(name, state);
    }
    const breakers: BreakerStats[] = [...breakerMap].map(([name, state]) => ({ name, state: (state in STATE_RANK ? state : 'closed') as BreakerStats['state'] }));
    const cacheMap = new Map<string, { hits: number; misses: number }>();
    for (const s of ok(cacheRequests, [])) {
      const name = s.metric.cache ?? '';
      let c = cacheMap.get(name);
      if (!c) cacheMap.set(name, (c = { hits: 0, misses: 0 }));
      const sum = deltas(s, windowStart).reduce((a, x) => a + x.d, 0);
      if (s.metric.result === 'miss') c.misses += sum;
      else c.hits += sum; // hit and stale both answered from the cache
    }
    const sizes = new Map(ok(cacheSize, []).map((s) => [s.metric.cache ?? '', s.value[1]]));
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
    for (const s of ok(decisions, [])) {
      const l = limiterOf(s.metric.limiter ?? '');
      const sum = deltas(s, windowStart).reduce((a, x) => a + x.d, 0);
      if (s.metric.decision === 'limited') l.limited += sum;
      else l.allowed += sum;
    }
    for (const s of ok(storeErrors, [])) limiterOf(s.metric.limiter ?? '').storeErrors += deltas(s, windowStart).reduce((a, x) => a + x.d, 0);
    const rateLimits: RateLimitStats[] = [...limitMap].map(([name, l]) => ({ name, ...l }));

    // --- error groups and slow operations from the store ------------------------------------
    let { total: totalGroups, groups: groupList } = ok(groups, { total: 0, groups: [] as FleetErrorGroup[] });
    let slowOps = ok(slow, [] as FleetSlowOperation[]);
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

    return {
      version: 1,
      generatedAt: now,
      service: { ...service, instance: instance ?? 'fleet' },
      window: { windowMs: rangeMs, resolutionMs },
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
          inFlight: Math.max(0, Math.round(ok(inFlight, [])[0]?.value[1] ?? 0)),
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

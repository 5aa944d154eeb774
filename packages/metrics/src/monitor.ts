import { checkInt, checkNumber, checkObject, checkOptions, checkString } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import { hubOf, type RequestRecord } from './hub.js';
import type { Registry } from './registry.js';
import { SNAPSHOT_VERSION, type MonitoringSnapshot, type RequestPoint, type RouteStats, type SnapshotHealthCheck } from './snapshot.js';
import { errorGroups } from './tracking.js';
import { stringifySafe } from './safe-json.js';

/**
 * A tiny mergeable quantile sketch (DDSketch-style log buckets, ~1 % relative error): memory is
 * bounded by the value range, not the number of observations, and merging is exact.
 * @internal
 */
export class Sketch {
  static readonly gamma = 1.02;
  static readonly logGamma = Math.log(1.02);
  bins = new Map<number, number>();
  zeros = 0;
  count = 0;

  add(value: number): void {
    this.count++;
    if (!(value > 0.001)) {
      this.zeros++;
      return;
    }
    const k = Math.ceil(Math.log(value) / Sketch.logGamma);
    this.bins.set(k, (this.bins.get(k) ?? 0) + 1);
  }

  merge(other: Sketch): void {
    this.count += other.count;
    this.zeros += other.zeros;
    for (const [k, n] of other.bins) this.bins.set(k, (this.bins.get(k) ?? 0) + n);
  }

  /** The q-quantile (0..1), or `null` when empty. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = q * (this.count - 1);
    if (rank < this.zeros) return 0;
    let seen = this.zeros;
    const keys = [...this.bins.keys()].sort((a, b) => a - b);
    for (const k of keys) {
      seen += this.bins.get(k)!;
      if (seen > rank) return Math.round(((2 * Sketch.gamma ** k) / (Sketch.gamma + 1)) * 1000) / 1000;
    }
    const last = keys[keys.length - 1]!;
    return Math.round(((2 * Sketch.gamma ** last) / (Sketch.gamma + 1)) * 1000) / 1000;
  }
}

interface Bucket {
  count: number;
  errors: number;
  sketch: Sketch;
}
interface Interval extends Bucket {
  routes: Map<string, Bucket & { method: string; route: string }>;
}

/** Structural type of an `@armor/health` instance (only `report()` is used). */
export interface HealthLike {
  report(): Promise<{ status: 'pass' | 'warn' | 'fail'; checks: ReadonlyArray<SnapshotHealthCheck> }>;
}

/** Options of {@link createMonitor}. */
export interface MonitorOptions {
  /** The registry whose request instrumentation, errors, slow operations and bridges feed the snapshot. */
  registry: Registry;
  /** Health instance from `@armor/health` (its `report()` fills `health`). @default none → `pass`, no checks */
  health?: HealthLike;
  /** Length of the rolling window (ms). @default 900000 (15 minutes) */
  windowMs?: number;
  /**
   * Width of one series point (ms); `windowMs / resolutionMs` is at most 10,000 points (24 h at
   * 10 s is 8,640).
   * @default 10000
   */
  resolutionMs?: number;
  /** Service identity shown by the dashboard. @default { name: 'service' } */
  service?: { name: string; version?: string; instance?: string };
  /** When the service started (epoch ms), for `uptimeSeconds`. @default when the monitor was created */
  startedAt?: number;
  /** Routes listed in the snapshot (busiest first). @default 50 */
  maxRoutes?: number;
  /**
   * Error groups and slow operations listed in the snapshot (most recent first), 1 to 10,000.
   * The registry keeps at least this many of each (its defaults are 200 error groups and 100
   * slow operations).
   * @default 50
   */
  maxItems?: number;
}

/** A monitor; see {@link createMonitor}. */
export interface Monitor {
  /** Builds the current {@link MonitoringSnapshot}. */
  snapshot(): Promise<MonitoringSnapshot>;
  /**
   * Fetch handler serving the snapshot as JSON (`cache-control: no-store`). Never rejects: the
   * body is serialized without throwing (circular values, `BigInt`s) and a failure answers 500.
   */
  handleRequest(request?: Request): Promise<Response>;
  /** Records a request directly (adapters do this through the registry). */
  record(record: RequestRecord): void;
  /** Stops listening to the registry. */
  stop(): void;
}

/** Most series points per window (24 h at 10 s fits). */
const MAX_POINTS = 10_000;

/**
 * Keeps rolling per-interval time series of the registry's HTTP requests (throughput, error
 * rate, p50/p95/p99 latency) and produces the versioned {@link MonitoringSnapshot} — the only
 * contract between servers and `@armor/react-monitoring-dashboard`. Runtime-neutral.
 *
 * @example
 * ```ts
 * const monitor = createMonitor({ registry, health, windowMs: 15 * 60_000, resolutionMs: 10_000, service: { name: 'api', version: '1.4.0' } });
 * app.get('/monitoring/snapshot', requireAdmin, async (_req, res) => res.json(await monitor.snapshot()));
 * ```
 */
const MONITOR_OPTIONS = ['registry', 'health', 'windowMs', 'resolutionMs', 'service', 'startedAt', 'maxRoutes', 'maxItems'] as const;

export function createMonitor(options: MonitorOptions): Monitor {
  checkOptions('createMonitor', options, MONITOR_OPTIONS);
  if (typeof options?.registry?.counter !== 'function') throw new ConfigurationError('registry', 'must be a registry from createRegistry()', { received: options?.registry });
  const { registry } = options;
  const windowMs = options.windowMs ?? 900_000;
  const resolutionMs = options.resolutionMs ?? 10_000;
  checkNumber('windowMs', windowMs, { min: 0, exclusiveMin: true, unit: 'ms' });
  checkNumber('resolutionMs', resolutionMs, { min: 0, exclusiveMin: true, max: windowMs, unit: 'ms' });
  const points = Math.ceil(windowMs / resolutionMs);
  if (points > MAX_POINTS) throw new ConfigurationError('resolutionMs', `gives ${points} points per window; at most ${MAX_POINTS}`, { received: resolutionMs });
  if (options.health !== undefined && typeof options.health?.report !== 'function')
    throw new ConfigurationError('health', 'must have a report() method (an @armor/health instance)', { received: options.health });
  checkObject('service', options.service);
  const service = options.service ?? { name: 'service' };
  checkOptions('createMonitor service', service, ['name', 'version', 'instance']);
  if (typeof service.name !== 'string') throw new ConfigurationError('service.name', 'must be a string', { received: service.name });
  checkString('service.version', service.version, { allowEmpty: true });
  checkString('service.instance', service.instance, { allowEmpty: true });
  checkNumber('startedAt', options.startedAt);
  const maxRoutes = options.maxRoutes ?? 50;
  const maxItems = options.maxItems ?? 50;
  checkInt('maxRoutes', maxRoutes, 1, { max: 10_000 });
  checkInt('maxItems', maxItems, 1, { max: 10_000 });
  const clock = registry.clock;
  const startedAt = options.startedAt ?? clock.now();
  const hub = hubOf(registry);
  // The snapshot can only list what the registry keeps: keep at least maxItems of each.
  hub.errorGroupsLimit = Math.max(hub.errorGroupsLimit, maxItems);
  hub.slowOpsLimit = Math.max(hub.slowOpsLimit, maxItems);
  const intervals = new Map<number, Interval>();

  const prune = (current: number) => {
    for (const idx of intervals.keys()) if (idx <= current - points) intervals.delete(idx);
  };

  const record = (r: RequestRecord) => {
    const idx = Math.floor(r.at / resolutionMs);
    let interval = intervals.get(idx);
    if (!interval) {
      prune(idx);
      interval = { count: 0, errors: 0, sketch: new Sketch(), routes: new Map() };
      intervals.set(idx, interval);
    }
    interval.count++;
    if (r.error) interval.errors++;
    interval.sketch.add(r.durationMs);
    const key = `${r.method} ${r.route}`;
    let route = interval.routes.get(key);
    if (!route) {
      if (interval.routes.size >= 1000) return;
      route = { method: r.method, route: r.route, count: 0, errors: 0, sketch: new Sketch() };
      interval.routes.set(key, route);
    }
    route.count++;
    if (r.error) route.errors++;
    route.sketch.add(r.durationMs);
  };
  const off = hub.events.on('request', record);

  async function healthPart(): Promise<MonitoringSnapshot['health']> {
    if (!options.health) return { status: 'pass', checks: [] };
    try {
      const report = await options.health.report();
      return { status: report.status, checks: report.checks.map((c) => ({ ...c })) };
    } catch (error) {
      return { status: 'fail', checks: [{ name: 'health', status: 'fail', output: error instanceof Error ? error.message : 'health report failed' }] };
    }
  }

  function collect<T>(set: Set<() => T>): T[] {
    const out: T[] = [];
    for (const source of set) {
      try {
        out.push(source());
      } catch {
        // a broken component must not break the snapshot
      }
    }
    return out;
  }

  const monitor: Monitor = {
    async snapshot() {
      const health = await healthPart();
      const now = clock.now();
      const current = Math.floor(now / resolutionMs);
      prune(current);
      const series: RequestPoint[] = [];
      const total = new Sketch();
      let count = 0;
      let errors = 0;
      const routes = new Map<string, Bucket & { method: string; route: string }>();
      for (let idx = current - points + 1; idx <= current; idx++) {
        const iv = intervals.get(idx);
        if (!iv) {
          series.push({ t: idx * resolutionMs, count: 0, errors: 0, p50Ms: null, p95Ms: null, p99Ms: null });
          continue;
        }
        series.push({ t: idx * resolutionMs, count: iv.count, errors: iv.errors, p50Ms: iv.sketch.quantile(0.5), p95Ms: iv.sketch.quantile(0.95), p99Ms: iv.sketch.quantile(0.99) });
        count += iv.count;
        errors += iv.errors;
        total.merge(iv.sketch);
        for (const [key, r] of iv.routes) {
          let agg = routes.get(key);
          if (!agg) routes.set(key, (agg = { method: r.method, route: r.route, count: 0, errors: 0, sketch: new Sketch() }));
          agg.count += r.count;
          agg.errors += r.errors;
          agg.sketch.merge(r.sketch);
        }
      }
      const covered = Math.min(windowMs, Math.max(resolutionMs, now - startedAt));
      const routeStats: RouteStats[] = [...routes.values()]
        .sort((a, b) => b.count - a.count)
        .slice(0, maxRoutes)
        .map((r) => ({ method: r.method, route: r.route, count: r.count, errors: r.errors, p50Ms: r.sketch.quantile(0.5), p95Ms: r.sketch.quantile(0.95), p99Ms: r.sketch.quantile(0.99) }));
      const svc: MonitoringSnapshot['service'] = { name: service.name, uptimeSeconds: Math.max(0, (now - startedAt) / 1000) };
      if (service.version !== undefined) svc.version = service.version;
      if (service.instance !== undefined) svc.instance = service.instance;
      return {
        version: SNAPSHOT_VERSION,
        generatedAt: now,
        service: svc,
        window: { windowMs, resolutionMs },
        health,
        requests: {
          totals: {
            count,
            errors,
            errorRate: count === 0 ? 0 : errors / count,
            throughputPerSec: count / (covered / 1000),
            p50Ms: total.quantile(0.5),
            p95Ms: total.quantile(0.95),
            p99Ms: total.quantile(0.99),
            inFlight: Math.max(0, hub.inFlight),
          },
          series,
          routes: routeStats,
        },
        errors: { totalGroups: hub.errorGroups.size, groups: errorGroups(registry).slice(0, maxItems) },
        slowOperations: hub.slowOps.slice(-maxItems).reverse().map((s) => ({ ...s })),
        caches: collect(hub.sources.caches),
        rateLimits: collect(hub.sources.rateLimits),
        breakers: collect(hub.sources.breakers),
      };
    },
    async handleRequest() {
      // Never rejects: a snapshot that fails to build or serialize answers 500 with a JSON body.
      const headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
      try {
        return new Response(stringifySafe(await monitor.snapshot()), { headers });
      } catch {
        return new Response('{"error":"the monitoring snapshot could not be built"}', { status: 500, headers });
      }
    },
    record,
    stop() {
      off();
    },
  };
  return monitor;
}

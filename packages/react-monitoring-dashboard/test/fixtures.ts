/**
 * Deterministic `MonitoringSnapshot` fixtures for the dashboard tests (jsdom, SSR and the real
 * browser page).
 */
import type { MonitoringSnapshot } from '@armor/metrics';
import type { ErrorGroupSighting, FleetAwareSnapshot, FleetRange } from '../src/types.js';

export interface FixtureOptions {
  /** Snapshot time (epoch ms). */
  now?: number;
  /** Points in `requests.series`. @default 60 */
  points?: number;
  /** Series resolution (ms). @default 10000 */
  resolutionMs?: number;
  /** Error groups. @default 3 */
  groups?: number;
  /** Slow operations. @default 4 */
  slow?: number;
  /** Varies the numbers. @default 1 */
  seed?: number;
  /** Overall health. @default 'warn' */
  health?: 'pass' | 'warn' | 'fail';
}

function rng(seed: number) {
  let s = (seed * 2654435761) >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export const FIXED_NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

export function makeSnapshot(options: FixtureOptions = {}): MonitoringSnapshot {
  const { now = FIXED_NOW, points = 60, resolutionMs = 10_000, groups = 3, slow = 4, seed = 1, health = 'warn' } = options;
  const rand = rng(seed);
  const start = now - points * resolutionMs;
  const series = Array.from({ length: points }, (_, i) => {
    const count = i % 97 === 50 ? 0 : Math.round(40 + 30 * Math.sin(i / 40) + rand() * 20);
    const errors = count === 0 ? 0 : Math.round(count * (i % 500 === 250 ? 0.4 : 0.02 * rand()));
    const base = 20 + 10 * Math.sin(i / 25) + rand() * 5;
    return {
      t: start + i * resolutionMs,
      count,
      errors,
      p50Ms: count === 0 ? null : base,
      p95Ms: count === 0 ? null : base * 3 + (i % 700 === 350 ? 900 : 0),
      p99Ms: count === 0 ? null : base * 6 + rand() * 50,
    };
  });
  const totalCount = series.reduce((a, p) => a + p.count, 0);
  const totalErrors = series.reduce((a, p) => a + p.errors, 0);
  const codes = ['INTERNAL', 'DATABASE_ERROR', 'TIMEOUT', 'EXTERNAL_SERVICE_ERROR', 'VALIDATION_FAILED'] as const;
  const statuses = [500, 500, 504, 502, 400];
  return {
    version: 1,
    generatedAt: now,
    service: { name: 'orders-api', version: '1.4.2', instance: 'web-1', uptimeSeconds: 93_784 },
    window: { windowMs: points * resolutionMs, resolutionMs },
    health: {
      status: health,
      checks: [
        { name: 'database', status: 'pass', componentType: 'datastore', observedValue: 3, observedUnit: 'ms', durationMs: 3.2, critical: true },
        { name: 'redis', status: health === 'pass' ? 'pass' : 'warn', componentType: 'datastore', output: 'latency above 50 ms', durationMs: 61 },
        { name: 'payments', status: health === 'fail' ? 'fail' : 'pass', componentType: 'component', output: health === 'fail' ? 'connection refused' : undefined },
      ].map((c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined))) as unknown as MonitoringSnapshot['health']['checks'],
    },
    requests: {
      totals: {
        count: totalCount,
        errors: totalErrors,
        errorRate: totalCount === 0 ? 0 : totalErrors / totalCount,
        throughputPerSec: totalCount / ((points * resolutionMs) / 1000 || 1),
        p50Ms: 21.5,
        p95Ms: 88,
        p99Ms: 240,
        inFlight: 3,
      },
      series,
      routes: [{ method: 'GET', route: '/orders/:id', count: totalCount, errors: totalErrors, p50Ms: 21, p95Ms: 88, p99Ms: 240 }],
    },
    errors: {
      totalGroups: groups,
      groups: Array.from({ length: groups }, (_, i) => {
        const k = i % codes.length;
        return {
          fingerprint: `fp${String(i).padStart(6, '0')}`,
          code: codes[k]!,
          status: statuses[k]!,
          name: k === 4 ? 'ValidationError' : 'Error',
          message: `Failure number ${i} in handler ${i % 13}`,
          count: 1 + ((i * 7919) % 500),
          firstSeen: now - 3_600_000 - i * 1000,
          lastSeen: now - i * 500,
          sample: {
            message: `Failure number ${i} in handler ${i % 13} (order 42)`,
            stack: `Error: Failure number ${i}\n    at handler (src/orders.ts:${10 + i}:5)`,
            context: { route: '/orders/:id', attempt: 1 },
          },
        };
      }),
    },
    slowOperations: Array.from({ length: slow }, (_, i) => ({
      name: ['db.query', 'http.payments', 'cache.load', 'render'][i % 4]!,
      durationMs: 250 + ((i * 137) % 900),
      at: now - i * 60_000,
      thresholdMs: 200,
      summary: i % 4 === 0 ? 'SELECT * FROM orders WHERE id = $1' : undefined,
      failed: i % 3 === 2,
    })).map(({ summary, ...rest }) => (summary === undefined ? rest : { ...rest, summary })),
    caches: [
      { name: 'orders', hits: 900, misses: 100, hitRate: 0.9, size: 512, evictions: 12, loadsInFlight: 1 },
      { name: 'sessions', hits: 0, misses: 0, hitRate: 0 },
    ],
    rateLimits: [
      { name: 'api', allowed: 9_500, limited: 500, storeErrors: 0 },
      { name: 'login', allowed: 40, limited: 10, storeErrors: 2 },
    ],
    breakers: [
      { name: 'payments', state: 'closed', failures: 1, successes: 300, rejected: 0, since: now - 7_200_000 },
      { name: 'inventory', state: 'open', failures: 12, successes: 3, rejected: 57, since: now - 30_000 },
      { name: 'shipping', state: 'half-open', failures: 4, since: now - 5_000 },
    ],
  };
}

/** An empty service: no checks, no series, no groups, nothing instrumented. */
export function emptySnapshot(now = FIXED_NOW): MonitoringSnapshot {
  return {
    version: 1,
    generatedAt: now,
    service: { name: 'empty' },
    window: { windowMs: 300_000, resolutionMs: 10_000 },
    health: { status: 'pass', checks: [] },
    requests: {
      totals: { count: 0, errors: 0, errorRate: 0, throughputPerSec: 0, p50Ms: null, p95Ms: null, p99Ms: null, inFlight: 0 },
      series: [],
      routes: [],
    },
    errors: { totalGroups: 0, groups: [] },
    slowOperations: [],
    caches: [],
    rateLimits: [],
    breakers: [],
  };
}

/**
 * The malformed items of issue 17 #6 in one otherwise valid snapshot: two breakers without
 * `name`, one `null` series point, and an error group whose `message` is an object.
 */
export function malformedSnapshot(options: FixtureOptions = {}): MonitoringSnapshot {
  const snapshot = makeSnapshot(options) as unknown as Record<string, any>;
  snapshot.breakers = [
    { state: 'open', failures: 3 },
    { state: 'closed', failures: 0 },
    ...(snapshot.breakers as unknown[]),
  ];
  const series = [...(snapshot.requests.series as unknown[])];
  series.splice(5, 0, null);
  snapshot.requests = { ...snapshot.requests, series };
  const groups = [...(snapshot.errors.groups as Record<string, unknown>[])];
  groups[0] = { ...groups[0], message: { detail: 'upstream said no', code: 42 } };
  snapshot.errors = { ...snapshot.errors, groups };
  return snapshot as unknown as MonitoringSnapshot;
}

/** Options of {@link makeFleetSnapshot}. */
export interface FleetFixtureOptions extends FixtureOptions {
  /** Instance names. @default ['api-1:3000', 'api-2:3000', 'api-3:3000'] */
  instances?: string[];
  /** The selected instance (`null` = the fleet). @default null */
  instance?: string | null;
  /** @default '15m' */
  range?: FleetRange;
  /** Releases the error groups were seen in, oldest first. @default ['v1.4.1', 'v1.4.2'] */
  releases?: string[];
}

/**
 * A fleet snapshot as `@armor/fleet` serves it: the fixture snapshot plus `fleet` (the first
 * instance ready, the second up but not ready, the third down) and `seen` on every error group
 * (each group on up to every instance and release).
 */
export function makeFleetSnapshot(options: FleetFixtureOptions = {}): FleetAwareSnapshot {
  const { instances = ['api-1:3000', 'api-2:3000', 'api-3:3000'], instance = null, range = '15m', releases = ['v1.4.1', 'v1.4.2'] } = options;
  const base = makeSnapshot(options);
  const groups = base.errors.groups.map((g, i) => {
    const seen: ErrorGroupSighting[] = [];
    const span = g.lastSeen - g.firstSeen;
    releases.forEach((release, r) => {
      instances.forEach((name, n) => {
        if ((i + n + r) % 3 === 2) return; // not every group everywhere
        const firstSeen = g.firstSeen + Math.round((span * (r * instances.length + n)) / (releases.length * instances.length));
        seen.push({ release, instance: name, firstSeen, lastSeen: Math.min(g.lastSeen, firstSeen + 600_000 * (r + 1)), count: 1 + ((i + n * 7 + r * 3) % 40) });
      });
    });
    seen.sort((a, b) => b.lastSeen - a.lastSeen);
    return { ...g, count: seen.reduce((sum, s) => sum + s.count, 0) || g.count, seen };
  });
  const stats = instances.map((name, n) => ({
    instance: name,
    up: n % 3 !== 2,
    ...(n % 3 === 2 ? {} : { ready: n % 3 === 0 }),
    count: 1000 * (n + 1) + n * 37,
    errors: 3 * (n + 1),
    p95Ms: n % 3 === 2 ? null : 80 + n * 11.5,
  }));
  const service = { ...base.service };
  if (instance === null) delete service.instance;
  else service.instance = instance;
  return {
    ...base,
    service,
    errors: { ...base.errors, groups },
    fleet: { instances: stats, instance, range },
  } as FleetAwareSnapshot;
}

/** An `audit` section as `@armor/audit`'s `auditSnapshotSection()` builds it (newest first). */
export function makeAuditSection(now = FIXED_NOW): NonNullable<MonitoringSnapshot['audit']> {
  const actions = ['api_key.created', 'auth.failed', 'csrf.refused', 'rate_limit.blocked', 'api_key.revoked'] as const;
  const outcomes = ['success', 'failure', 'denied', 'denied', 'success'] as const;
  const recent = Array.from({ length: 30 }, (_, i) => {
    const stream = i % 3 === 0 ? 'tenant-b' : 'tenant-a';
    return {
      stream,
      seq: 100 - i,
      time: new Date(now - i * 60_000).toISOString(),
      action: actions[i % actions.length]!,
      actorId: `user-${i % 4}`,
      outcome: outcomes[i % outcomes.length]!,
      targets: i % 5 === 4 ? [] : [`api_key:key_${i}`, ...(i % 2 === 0 ? ['tenant:acme'] : [])],
    };
  });
  return {
    streams: [
      { stream: 'tenant-a', ok: true, lastSeq: 100, findings: 0, unanchored: 3, verifiedAt: now - 90_000, checkpointAgeSeconds: 420 },
      { stream: 'tenant-b', ok: false, lastSeq: 57, findings: 2, unanchored: 0, verifiedAt: now - 30_000, checkpointAgeSeconds: 7_300 },
      { stream: 'tenant-c', ok: null, lastSeq: 12, findings: 0, unanchored: 12 },
    ],
    recent,
  };
}

/** An `slo` section as `@armor/metrics/slo`'s scorecard gives it: every status and trend. */
export function makeSloSection(): NonNullable<MonitoringSnapshot['slo']> {
  const base = { previous: null, trend: null } as const;
  return {
    windowMs: 900_000,
    omitted: 4,
    objectives: [
      { kind: 'serverLatency', name: 'Server latency p95', subject: 'POST /orders', direction: 'below', target: 100, unit: 'ms', actual: 180, samples: 1840, minSamples: 20, status: 'missed', previous: 120, trend: 'worse' },
      { kind: 'serverLatency', name: 'Server latency p95', subject: 'GET /orders/:id', direction: 'below', target: 100, unit: 'ms', actual: 88, samples: 5210, minSamples: 20, status: 'met', previous: 95, trend: 'better' },
      { kind: 'serverLatency', name: 'Server latency p95', subject: 'DELETE /orders/:id', direction: 'below', target: 100, unit: 'ms', actual: 61, samples: 12, minSamples: 20, status: 'insufficient_data', note: '12 of the 20 samples needed', ...base },
      { kind: 'pageLoad', name: 'Page load p75', subject: '/monitoring', direction: 'below', target: 2000, unit: 'ms', actual: 1640, samples: 88, minSamples: 20, status: 'met', previous: 1650, trend: 'steady' },
      { kind: 'bundleSize', name: 'JS bundle size', direction: 'below', target: 500_000, unit: 'bytes', actual: 312_400, samples: 1, minSamples: 1, status: 'met', ...base },
      { kind: 'cacheHitRate', name: 'Cache hit rate', direction: 'above', target: 0.8, unit: 'ratio', actual: 0.92, samples: 48_000, minSamples: 100, status: 'met', previous: 0.9, trend: 'better' },
      { kind: 'errorRate', name: 'Error rate', direction: 'below', target: 0.01, unit: 'ratio', actual: 0.004, samples: 9180, minSamples: 100, status: 'met', ...base },
      { kind: 'availability', name: 'Availability', direction: 'above', target: 0.999, unit: 'ratio', actual: 0.99973, samples: 1_250_000, minSamples: 1000, status: 'met', previous: 0.9998, trend: 'worse', budgetRemaining: 0.73, budgetWindowSeconds: 2_592_000 },
    ],
  };
}

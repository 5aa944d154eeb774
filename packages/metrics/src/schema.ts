/**
 * `@armor/metrics/schema`: the zod schema of the `MonitoringSnapshot` (the one versioned
 * contract between servers and `@armor/react-monitoring-dashboard`), for validating a snapshot
 * that came over the wire. A subpath of its own so the root entry does not bundle zod; the
 * snapshot's TypeScript types live in the root entry. Times are epoch milliseconds, durations
 * are milliseconds, rates are fractions in [0, 1].
 *
 * @example
 * ```ts
 * import { monitoringSnapshotSchema } from '@armor/metrics/schema';
 * const snapshot = monitoringSnapshotSchema.parse(await (await fetch('/monitoring/snapshot')).json());
 * ```
 *
 * @module
 */
import { z } from 'zod';
import type * as T from './snapshot.js';

/** Health status as in the IETF health+json draft. */
export const healthStatusSchema = z.enum(['pass', 'warn', 'fail']);

/** The snapshot's overall health: a health status, or `unknown` when a source failed. */
export const snapshotHealthStatusSchema = z.enum(['pass', 'warn', 'fail', 'unknown']);

/** A section the server could not compute, and why. */
export const snapshotUnavailableSchema = z.object({
  section: z.enum(['requests', 'latency', 'inFlight', 'errors', 'slowOperations', 'caches', 'rateLimits', 'breakers', 'fleet', 'audit', 'slo']),
  reason: z.string(),
});

/** One health check result. */
export const snapshotHealthCheckSchema = z.object({
  /** Check name, e.g. `database`. */
  name: z.string(),
  status: healthStatusSchema,
  /** e.g. `datastore`, `component`, `system`. */
  componentType: z.string().optional(),
  observedValue: z.union([z.number(), z.string(), z.boolean()]).optional(),
  observedUnit: z.string().optional(),
  /** Error text or note (safe to show admins). */
  output: z.string().optional(),
  /** When the check last ran (epoch ms). */
  time: z.number().optional(),
  /** How long it took (ms). */
  durationMs: z.number().nonnegative().optional(),
  /** Whether failure makes the service not ready. */
  critical: z.boolean().optional(),
});

/** One interval of the request time series. `t` is the interval start (epoch ms). */
export const requestPointSchema = z.object({
  t: z.number(),
  /** Requests finished in the interval. */
  count: z.number().int().nonnegative(),
  /** Of which answered 5xx (or threw). */
  errors: z.number().int().nonnegative(),
  /** Latency quantiles over the interval (ms); `null` when there was no request. */
  p50Ms: z.number().nonnegative().nullable(),
  p95Ms: z.number().nonnegative().nullable(),
  p99Ms: z.number().nonnegative().nullable(),
});

/** Per-route totals over the window. `route` is the route template, never a raw URL. */
export const routeStatsSchema = z.object({
  method: z.string(),
  route: z.string(),
  count: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  p50Ms: z.number().nonnegative().nullable(),
  p95Ms: z.number().nonnegative().nullable(),
  p99Ms: z.number().nonnegative().nullable(),
});

/** Where an error group was seen (fleet snapshots). */
export const errorGroupSightingSchema = z.object({
  release: z.string(),
  instance: z.string(),
  firstSeen: z.number(),
  lastSeen: z.number(),
  count: z.number().int().nonnegative(),
});

/** The `audit` section (`@armor/audit`). */
export const auditSectionSchema = z.object({
  streams: z.array(
    z.object({
      stream: z.string(),
      ok: z.boolean().nullable(),
      lastSeq: z.number().int().nonnegative(),
      findings: z.number().int().nonnegative(),
      unanchored: z.number().int().nonnegative(),
      verifiedAt: z.number().optional(),
      checkpointAgeSeconds: z.number().nonnegative().optional(),
    }),
  ),
  recent: z.array(
    z.object({
      stream: z.string(),
      seq: z.number().int().positive(),
      time: z.string(),
      action: z.string(),
      actorId: z.string(),
      outcome: z.enum(['success', 'failure', 'denied']),
      targets: z.array(z.string()),
    }),
  ),
});

/** One objective of the SLO scorecard (`@armor/metrics/slo`). */
export const sloObjectiveSchema = z.object({
  kind: z.enum(['serverLatency', 'pageLoad', 'bundleSize', 'cacheHitRate', 'errorRate', 'availability']),
  name: z.string(),
  subject: z.string().optional(),
  direction: z.enum(['below', 'above']),
  target: z.number(),
  unit: z.enum(['ms', 'bytes', 'ratio']),
  actual: z.number().nullable(),
  samples: z.number().nonnegative(),
  minSamples: z.number().nonnegative(),
  status: z.enum(['met', 'missed', 'insufficient_data']),
  previous: z.number().nullable(),
  trend: z.enum(['better', 'worse', 'steady']).nullable(),
  budgetRemaining: z.number().optional(),
  budgetWindowSeconds: z.number().nonnegative().optional(),
  note: z.string().optional(),
});

/** The `slo` section: the scorecard of the production targets. */
export const sloSectionSchema = z.object({
  windowMs: z.number().positive(),
  objectives: z.array(sloObjectiveSchema),
  omitted: z.number().int().nonnegative().optional(),
});

/** The `fleet` section of a fleet snapshot. */
export const fleetSectionSchema = z.object({
  instances: z.array(
    z.object({
      instance: z.string(),
      up: z.boolean(),
      ready: z.boolean().optional(),
      count: z.number().int().nonnegative(),
      errors: z.number().int().nonnegative(),
      p95Ms: z.number().nonnegative().nullable(),
    }),
  ),
  instance: z.string().nullable(),
  range: z.enum(['15m', '1h', '6h', '24h']).nullable(),
});

/** A group of errors sharing a `fingerprint()` from `@armor/errors`. */
export const errorGroupSchema = z.object({
  fingerprint: z.string(),
  code: z.string(),
  status: z.number().int(),
  name: z.string(),
  /** The (normalized or latest) message. Server-side only; admins see it. */
  message: z.string(),
  count: z.number().int().nonnegative(),
  firstSeen: z.number(),
  lastSeen: z.number(),
  /** The latest occurrence, for the expandable sample. */
  sample: z
    .object({
      message: z.string(),
      stack: z.string().optional(),
      context: z.record(z.string(), z.unknown()).optional(),
      traceId: z.string().optional(),
    })
    .optional(),
  seen: z.array(errorGroupSightingSchema).optional(),
});

/** One operation slower than its threshold. */
export const slowOperationSchema = z.object({
  name: z.string(),
  durationMs: z.number().nonnegative(),
  /** When it finished (epoch ms). */
  at: z.number(),
  thresholdMs: z.number().nonnegative(),
  /** Redacted summary of the arguments, e.g. the SQL text without values. */
  summary: z.string().optional(),
  /** Whether it failed. */
  failed: z.boolean().optional(),
  traceId: z.string().optional(),
});

/** Cache statistics (from `@armor/cache` `stats()` via `instrumentCache`). */
export const cacheStatsSchema = z.object({
  name: z.string(),
  hits: z.number().int().nonnegative(),
  misses: z.number().int().nonnegative(),
  /** hits / (hits + misses); 0 when there was no lookup. */
  hitRate: z.number().min(0).max(1),
  size: z.number().int().nonnegative().optional(),
  evictions: z.number().int().nonnegative().optional(),
  loadsInFlight: z.number().int().nonnegative().optional(),
});

/** Rate-limiter statistics (via `instrumentRateLimiter`). */
export const rateLimitStatsSchema = z.object({
  name: z.string(),
  allowed: z.number().int().nonnegative(),
  limited: z.number().int().nonnegative(),
  /** Consumes answered from a fallback because the store failed. */
  storeErrors: z.number().int().nonnegative().optional(),
});

/** Circuit-breaker state (via `instrumentResilience`). */
export const breakerStatsSchema = z.object({
  name: z.string(),
  state: z.enum(['closed', 'open', 'half-open', 'isolated']),
  failures: z.number().int().nonnegative().optional(),
  successes: z.number().int().nonnegative().optional(),
  /** Calls rejected without running because the breaker was open. */
  rejected: z.number().int().nonnegative().optional(),
  /** When the state last changed (epoch ms). */
  since: z.number().optional(),
});

/** The snapshot schema, version 1. */
export const monitoringSnapshotSchema = z.object({
  /** Contract version; the dashboard refuses versions it does not know. */
  version: z.literal(1),
  /** When the snapshot was built (epoch ms). */
  generatedAt: z.number(),
  service: z.object({
    name: z.string(),
    version: z.string().optional(),
    instance: z.string().optional(),
    /** Seconds since the process (or deployment) started. */
    uptimeSeconds: z.number().nonnegative().optional(),
  }),
  /** The time window the series cover. */
  window: z.object({
    windowMs: z.number().positive(),
    resolutionMs: z.number().positive(),
  }),
  health: z.object({
    status: snapshotHealthStatusSchema,
    checks: z.array(snapshotHealthCheckSchema),
  }),
  requests: z.object({
    totals: z.object({
      count: z.number().int().nonnegative(),
      errors: z.number().int().nonnegative(),
      /** errors / count over the window; 0 when there was no request. */
      errorRate: z.number().min(0).max(1),
      /** Requests per second over the window. */
      throughputPerSec: z.number().nonnegative(),
      p50Ms: z.number().nonnegative().nullable(),
      p95Ms: z.number().nonnegative().nullable(),
      p99Ms: z.number().nonnegative().nullable(),
      inFlight: z.number().int().nonnegative(),
    }),
    /** Oldest first, one point per `resolutionMs`. */
    series: z.array(requestPointSchema),
    routes: z.array(routeStatsSchema),
  }),
  errors: z.object({
    /** Groups tracked in total (the list may be truncated to the most recent). */
    totalGroups: z.number().int().nonnegative(),
    groups: z.array(errorGroupSchema),
  }),
  slowOperations: z.array(slowOperationSchema),
  caches: z.array(cacheStatsSchema),
  rateLimits: z.array(rateLimitStatsSchema),
  breakers: z.array(breakerStatsSchema),
  fleet: fleetSectionSchema.optional(),
  audit: auditSectionSchema.optional(),
  slo: sloSectionSchema.optional(),
  /** Sections whose source failed (their figures were not computed). */
  unavailable: z.array(snapshotUnavailableSchema).optional(),
});

/**
 * Compile-time proof that the hand-written types of the root entry (`./snapshot.ts`) and these
 * schemas describe the same data: a field added to one and not the other fails the typecheck.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const proofs: {
  snapshot: Same<z.infer<typeof monitoringSnapshotSchema>, T.MonitoringSnapshot>;
  check: Same<z.infer<typeof snapshotHealthCheckSchema>, T.SnapshotHealthCheck>;
  point: Same<z.infer<typeof requestPointSchema>, T.RequestPoint>;
  route: Same<z.infer<typeof routeStatsSchema>, T.RouteStats>;
  group: Same<z.infer<typeof errorGroupSchema>, T.ErrorGroup>;
  slow: Same<z.infer<typeof slowOperationSchema>, T.SlowOperation>;
  cache: Same<z.infer<typeof cacheStatsSchema>, T.CacheStats>;
  rate: Same<z.infer<typeof rateLimitStatsSchema>, T.RateLimitStats>;
  breaker: Same<z.infer<typeof breakerStatsSchema>, T.BreakerStats>;
  unavailable: Same<z.infer<typeof snapshotUnavailableSchema>, T.SnapshotUnavailable>;
  audit: Same<z.infer<typeof auditSectionSchema>, T.AuditSection>;
  slo: Same<z.infer<typeof sloSectionSchema>, T.SloSection>;
} = { slo: true, audit: true, snapshot: true, check: true, point: true, route: true, group: true, slow: true, cache: true, rate: true, breaker: true, unavailable: true };
void proofs;

export type { MonitoringSnapshot, SnapshotHealthCheck, RequestPoint, RouteStats, ErrorGroup, SlowOperation, CacheStats, RateLimitStats, BreakerStats } from './snapshot.js';
export { SNAPSHOT_VERSION } from './snapshot.js';

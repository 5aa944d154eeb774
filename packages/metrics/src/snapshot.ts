/**
 * The `MonitoringSnapshot` types: the one versioned contract between servers and
 * `@armor/react-monitoring-dashboard`. Servers build it (`createMonitor().snapshot()`), serve it
 * as JSON, and the dashboard reads only it. Times are epoch milliseconds, durations are
 * milliseconds, rates are fractions in [0, 1]. Plain types (no zod): the zod schema that
 * validates a snapshot is in `@armor/metrics/schema`, and its typecheck proves both agree.
 *
 * @module
 */

/** Health status as in the IETF health+json draft. */
export type HealthStatus = 'pass' | 'warn' | 'fail';

/**
 * The snapshot's overall health: a {@link HealthStatus}, or `unknown` when a source the verdict
 * needs could not be read (a fleet snapshot whose Prometheus query failed): the figures marked in
 * `unavailable` were not computed, so neither `pass` nor `fail` would be true.
 */
export type SnapshotHealthStatus = HealthStatus | 'unknown';

/**
 * A part of the snapshot that can be unavailable: `requests` (counts, errors, series, routes,
 * per-instance counts), `latency` (every p50/p95/p99), `inFlight`, `errors` (error groups),
 * `slowOperations`, `caches`, `rateLimits`, `breakers`, `fleet` (the instance list), `audit`,
 * `slo` (the scorecard).
 */
export type SnapshotSection = 'requests' | 'latency' | 'inFlight' | 'errors' | 'slowOperations' | 'caches' | 'rateLimits' | 'breakers' | 'fleet' | 'audit' | 'slo';

/**
 * A section the server could not compute (its source failed). Its figures in the snapshot are
 * placeholders (zeros, empty lists, `null`s), never measurements: readers show it as unavailable.
 */
export interface SnapshotUnavailable {
  section: SnapshotSection;
  /** Why, safe to show admins (e.g. the failed query and Prometheus' answer). */
  reason: string;
}

/** One health check result. */
export interface SnapshotHealthCheck {
  /** Check name, e.g. `database`. */
  name: string;
  status: HealthStatus;
  /** e.g. `datastore`, `component`, `system`. */
  componentType?: string | undefined;
  observedValue?: number | string | boolean | undefined;
  observedUnit?: string | undefined;
  /** Error text or note (safe to show admins). */
  output?: string | undefined;
  /** When the check last ran (epoch ms). */
  time?: number | undefined;
  /** How long it took (ms, >= 0). */
  durationMs?: number | undefined;
  /** Whether failure makes the service not ready. */
  critical?: boolean | undefined;
}

/** One interval of the request time series. `t` is the interval start (epoch ms). */
export interface RequestPoint {
  t: number;
  /** Requests finished in the interval. */
  count: number;
  /** Of which answered 5xx (or threw). */
  errors: number;
  /** Latency quantiles over the interval (ms); `null` when there was no request. */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** Per-route totals over the window. `route` is the route template, never a raw URL. */
export interface RouteStats {
  method: string;
  route: string;
  count: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** Where an error group was seen: one release on one instance (fleet snapshots, `@armor/fleet`). */
export interface ErrorGroupSighting {
  release: string;
  instance: string;
  /** Epoch ms. */
  firstSeen: number;
  /** Epoch ms. */
  lastSeen: number;
  /** Occurrences on that instance and release. */
  count: number;
}

/** The time ranges a fleet snapshot offers. */
export type FleetRange = '15m' | '1h' | '6h' | '24h';

/** One instance of a fleet snapshot's `fleet.instances`. */
export interface FleetInstanceStats {
  /** Its name (the `instance` label Prometheus gives it). */
  instance: string;
  /** Prometheus could scrape it at the last scrape. */
  up: boolean;
  /** Its readiness (`health_ready`; absent when it does not export one). */
  ready?: boolean | undefined;
  /** Requests in the range. */
  count: number;
  /** Failed (5xx) requests in the range. */
  errors: number;
  /** p95 latency in the range (ms), `null` without requests. */
  p95Ms: number | null;
}

/**
 * The `fleet` section of a snapshot built for N instances (`@armor/fleet`). A single-process
 * snapshot has none; the dashboard then shows no instance or range selector.
 */
export interface FleetSection {
  /** Every instance, whichever one is selected. */
  instances: FleetInstanceStats[];
  /** The instance the snapshot is about, `null` for the whole fleet. */
  instance: string | null;
  /** The range shown (servers always send one; `null` where a reader did not recognize it). */
  range: FleetRange | null;
}

/** One audit stream's integrity, from `@armor/audit`'s verifier (`auditSnapshotSection`). */
export interface AuditStreamStatus {
  stream: string;
  /** The latest verification found nothing (`null`: not verified yet). */
  ok: boolean | null;
  /** Last seq of the stream at that verification. */
  lastSeq: number;
  /** Findings of that verification (0 when clean). */
  findings: number;
  /** Entries after the last valid checkpoint. */
  unanchored: number;
  /** When it was verified (epoch ms). */
  verifiedAt?: number | undefined;
  /** Age of the newest checkpoint, in seconds. */
  checkpointAgeSeconds?: number | undefined;
}

/** One recent audit event, as the dashboard lists it (no personal data). */
export interface AuditEventSummary {
  stream: string;
  seq: number;
  /** ISO 8601. */
  time: string;
  action: string;
  actorId: string;
  outcome: 'success' | 'failure' | 'denied';
  /** `type:id` of each target. */
  targets: string[];
}

/** The `audit` section: integrity per stream and the most recent events. */
export interface AuditSection {
  streams: AuditStreamStatus[];
  /** Newest first. */
  recent: AuditEventSummary[];
}

/** The production target an SLO objective measures (`@armor/metrics/slo`). */
export type SloKind = 'serverLatency' | 'pageLoad' | 'bundleSize' | 'cacheHitRate' | 'errorRate' | 'availability';

/**
 * `met` / `missed`, or `insufficient_data` when the objective had fewer samples than its
 * `minSamples` (or no source): never shown as met.
 */
export type SloStatus = 'met' | 'missed' | 'insufficient_data';

/** How `actual` moved against the previous window's value: towards the target's good side or away. */
export type SloTrend = 'better' | 'worse' | 'steady';

/** One objective of the SLO scorecard: one target, or one operation/route of a per-subject target. */
export interface SloObjective {
  kind: SloKind;
  /** Label, e.g. `Server latency p95`. */
  name: string;
  /** The operation (`GET /orders/:id`) or page route (`/orders/:id`) of a per-subject target. */
  subject?: string | undefined;
  /** `below`: met while `actual < target`; `above`: met while `actual > target`. */
  direction: 'below' | 'above';
  /** The target, in `unit`. */
  target: number;
  /** `ms`, `bytes`, or `ratio` (a fraction in [0, 1]). */
  unit: 'ms' | 'bytes' | 'ratio';
  /** The measured value in `unit`; `null` without samples or without a source. */
  actual: number | null;
  /** Requests, page loads or lookups behind `actual` (1 for a bundle size). */
  samples: number;
  /** Samples needed before the status is `met` or `missed`. */
  minSamples: number;
  status: SloStatus;
  /** `actual` one window earlier; `null` when there is none yet. */
  previous: number | null;
  /** `actual` against `previous`; `null` when either is missing. */
  trend: SloTrend | null;
  /** Availability: the share of the error budget left over the budget window (1 = untouched, <= 0 = spent). */
  budgetRemaining?: number | undefined;
  /** Availability: seconds the budget covers (at most 30 days; less while the history is shorter). */
  budgetWindowSeconds?: number | undefined;
  /** Why the status is what it is when that is not obvious (no source, too few samples). */
  note?: string | undefined;
}

/** The `slo` section: the scorecard of the production targets (`@armor/metrics/slo`). */
export interface SloSection {
  /** The window the actual values cover and the trend compares against (ms). */
  windowMs: number;
  /** Worst first within each kind: latency and page-load rows per operation/route. */
  objectives: SloObjective[];
  /** Operations or routes left out beyond the per-kind cap (0 or absent when none). */
  omitted?: number | undefined;
}

/** A group of errors sharing a `fingerprint()` from `@armor/errors`. */
export interface ErrorGroup {
  fingerprint: string;
  code: string;
  status: number;
  name: string;
  /** The (normalized or latest) message. Server-side only; admins see it. */
  message: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
  /** The latest occurrence, for the expandable sample. */
  sample?:
    | {
        message: string;
        stack?: string | undefined;
        context?: Record<string, unknown> | undefined;
        /** Trace id of the span active when it was recorded (see `RegistryOptions.traceId`). */
        traceId?: string | undefined;
      }
    | undefined;
  /** Fleet snapshots: where it was seen, per release and instance, most recent first. */
  seen?: ErrorGroupSighting[] | undefined;
}

/** One operation slower than its threshold. */
export interface SlowOperation {
  name: string;
  /** ms, >= 0. */
  durationMs: number;
  /** When it finished (epoch ms). */
  at: number;
  thresholdMs: number;
  /** Redacted summary of the arguments, e.g. the SQL text without values. */
  summary?: string | undefined;
  /** Whether it failed. */
  failed?: boolean | undefined;
  /** Trace id of the span active when it finished (see `RegistryOptions.traceId`). */
  traceId?: string | undefined;
}

/** Cache statistics (from `@armor/cache` `stats()` via `instrumentCache`). */
export interface CacheStats {
  name: string;
  hits: number;
  misses: number;
  /** hits / (hits + misses); 0 when there was no lookup. */
  hitRate: number;
  size?: number | undefined;
  evictions?: number | undefined;
  loadsInFlight?: number | undefined;
}

/** Rate-limiter statistics (via `instrumentRateLimiter`). */
export interface RateLimitStats {
  name: string;
  allowed: number;
  limited: number;
  /** Consumes answered from a fallback because the store failed. */
  storeErrors?: number | undefined;
}

/** Circuit-breaker state (via `instrumentResilience`). */
export interface BreakerStats {
  name: string;
  state: 'closed' | 'open' | 'half-open' | 'isolated';
  failures?: number | undefined;
  successes?: number | undefined;
  /** Calls rejected without running because the breaker was open. */
  rejected?: number | undefined;
  /** When the state last changed (epoch ms). */
  since?: number | undefined;
}

/** The snapshot, version 1: the contract between servers and the dashboard. */
export interface MonitoringSnapshot {
  /** Contract version; the dashboard refuses versions it does not know. */
  version: 1;
  /** When the snapshot was built (epoch ms). */
  generatedAt: number;
  service: {
    name: string;
    version?: string | undefined;
    instance?: string | undefined;
    /** Seconds since the process (or deployment) started. */
    uptimeSeconds?: number | undefined;
  };
  /** The time window the series cover. */
  window: { windowMs: number; resolutionMs: number };
  health: { status: SnapshotHealthStatus; checks: SnapshotHealthCheck[] };
  requests: {
    totals: {
      count: number;
      errors: number;
      /** errors / count over the window; 0 when there was no request. */
      errorRate: number;
      /** Requests per second over the window. */
      throughputPerSec: number;
      p50Ms: number | null;
      p95Ms: number | null;
      p99Ms: number | null;
      inFlight: number;
    };
    /** Oldest first, one point per `resolutionMs`. */
    series: RequestPoint[];
    routes: RouteStats[];
  };
  errors: {
    /** Groups tracked in total (the list may be truncated to the most recent). */
    totalGroups: number;
    groups: ErrorGroup[];
  };
  slowOperations: SlowOperation[];
  caches: CacheStats[];
  rateLimits: RateLimitStats[];
  breakers: BreakerStats[];
  /** Present on fleet snapshots (`@armor/fleet`): the per-instance breakdown and the selection. */
  fleet?: FleetSection | undefined;
  /** Present when the server has an audit log (`@armor/audit`): integrity and recent events. */
  audit?: AuditSection | undefined;
  /** Present when the server keeps an SLO scorecard (`@armor/metrics/slo`): target, actual, status and trend per target. */
  slo?: SloSection | undefined;
  /**
   * Sections whose source failed, so their figures were not computed (absent on a complete
   * snapshot). The overall health is then `unknown`.
   */
  unavailable?: SnapshotUnavailable[] | undefined;
}

/** The snapshot version this package produces. */
export const SNAPSHOT_VERSION = 1 as const;

/**
 * Types shared by the dashboard. The snapshot types come from `@armor/metrics` as type-only
 * imports, so no runtime code (and no zod) from that package enters the dashboard bundle.
 *
 * @module
 */
import type {
  AuditEventSummary,
  AuditSection,
  AuditStreamStatus,
  BreakerStats,
  CacheStats,
  ErrorGroup,
  ErrorGroupSighting,
  FleetInstanceStats,
  FleetRange,
  FleetSection as ContractFleetSection,
  MonitoringSnapshot,
  RateLimitStats,
  RequestPoint,
  RouteStats,
  SlowOperation,
  SnapshotHealthCheck,
  SnapshotHealthStatus,
  SnapshotSection,
  SnapshotUnavailable,
  SloObjective,
  SloSection,
} from '@armor/metrics';
import type { Clock } from '@armor/core';

export type {
  AuditEventSummary,
  AuditSection,
  AuditStreamStatus,
  BreakerStats,
  CacheStats,
  ErrorGroup,
  ErrorGroupSighting,
  FleetInstanceStats,
  FleetRange,
  MonitoringSnapshot,
  RateLimitStats,
  RequestPoint,
  RouteStats,
  SlowOperation,
  SnapshotHealthCheck,
  SnapshotHealthStatus,
  SnapshotSection,
  SnapshotUnavailable,
  SloObjective,
  SloSection,
};

/**
 * A source of time in epoch milliseconds (the kernel's `Clock` from `@armor/core`; the dashboard
 * only calls `now()`). Pass a fake in tests.
 */
export type { Clock };

/** The default clock: `Date.now()`. */
export const systemClock: Clock = { now: () => Date.now() };

/** Colour scheme of the dashboard. `system` follows the operating system, live. */
export type ThemeMode = 'light' | 'dark' | 'system';

/**
 * Where the dashboard gets snapshots from. {@link httpSource} is the built-in one; write your
 * own for WebSockets, server actions or tests.
 *
 * @example
 * ```ts
 * const source: SnapshotSource = { key: 'static', load: async () => snapshot };
 * ```
 */
export interface SnapshotSource {
  /**
   * Identity of the source. The dashboard restarts polling only when `key` changes, so an
   * inline `httpSource(url)` (a new object every render) does not cause a refetch loop.
   * @default `''` (all sources without a key are treated as the same source)
   */
  readonly key?: string;
  /**
   * Load the current snapshot. Reject with an `Error` (ideally an `ArmorError` with
   * `retryAfterMs`) when it fails; the dashboard keeps the last data and shows a banner.
   */
  load(options: SourceLoadOptions): Promise<MonitoringSnapshot>;
}

/** What the dashboard passes to {@link SnapshotSource.load}. */
export interface SourceLoadOptions {
  /** Aborted when the load is no longer wanted (unmount, new query, new source). */
  signal: AbortSignal;
  /**
   * Query parameters the dashboard wants on the request, e.g. `{ instance: 'web-2', range: '1h' }`
   * after the user picks an instance or a range of a fleet snapshot (`instance: ''` = the whole
   * fleet). `undefined` until the user picks one. {@link httpSource} adds them to its URL; a
   * source that cannot filter may ignore them.
   */
  query?: Readonly<Record<string, string>>;
}

/** The `fleet` section of the snapshot contract (`@armor/metrics`). */
export type FleetSection = ContractFleetSection;

/** A snapshot that may carry a `fleet` section: every `MonitoringSnapshot` (kept as a name for readers). */
export type FleetAwareSnapshot = MonitoringSnapshot;

/** An error group that may say where it was seen (`seen`, fleet snapshots). */
export type SightedErrorGroup = ErrorGroup;

/**
 * `@armor/react-monitoring-dashboard`: a drop-in React dashboard for Armor's `MonitoringSnapshot`
 * — health, latency/throughput/error-rate charts, error groups, slow operations, caches, rate
 * limits and circuit breakers — plus every panel on its own for custom layouts. SSR-safe, themed
 * with CSS variables, hand-rolled accessible SVG charts, no CSS framework. The SLO scorecard
 * and the audit log panel are their own entries, `@armor/react-monitoring-dashboard/slo` and
 * `/audit` (give them to the dashboard as `panels={{ slo: SloScorecard, audit: AuditPanel }}`).
 *
 * @module
 */
export { MonitoringDashboard, retryDelayMs } from './dashboard.js';
export { usePolling } from './use-polling.js';
export type { PollState, UsePollingOptions } from './use-polling.js';
export { normalizeSnapshot } from './normalize.js';
export type { NormalizedSnapshot, PanelId, SnapshotNote } from './normalize.js';
export type { MonitoringDashboardProps } from './dashboard.js';
export type { DashboardPanels } from './optional-panels.js';
export { httpSource, parseSnapshot, SnapshotSourceError, SUPPORTED_SNAPSHOT_VERSION } from './source.js';
export type { HttpSourceOptions } from './source.js';
export { MonitoringTheme, dashboardCss } from './theme.js';
export type { MonitoringThemeProps } from './theme.js';
export { HealthOverview } from './panels/health-overview.js';
export type { HealthOverviewProps } from './panels/health-overview.js';
export { LatencyChart, ThroughputChart, ErrorRateChart } from './panels/charts.js';
export type { ChartPanelProps } from './panels/charts.js';
export { ErrorList } from './panels/error-list.js';
export { FleetSelector, FLEET_RANGES } from './panels/fleet.js';
export type { FleetSelectorProps, FleetSelection } from './panels/fleet.js';
export type { ErrorListProps, ErrorSort } from './panels/error-list.js';
export { RouteTable, StatusBreakdown } from './panels/routes.js';
export type { RouteTableProps, StatusBreakdownProps } from './panels/routes.js';
export { formatBytes } from './format.js';
export { SlowOperations } from './panels/slow-operations.js';
export type { SlowOperationsProps, SlowSortKey } from './panels/slow-operations.js';
export { CacheStats, RateLimitStats, CircuitBreakers } from './panels/stats.js';
export type { StatsPanelProps } from './panels/stats.js';
export { RefreshControl, REFRESH_INTERVALS } from './panels/refresh-control.js';
export type { RefreshControlProps } from './panels/refresh-control.js';
export { downsampleMinMax } from './downsample.js';
export type { SeriesPoint } from './downsample.js';
export { systemClock } from './types.js';
export type {
  AuditEventSummary,
  AuditSection,
  AuditStreamStatus,
  BreakerStats,
  CacheStats as CacheStatsData,
  Clock,
  ErrorGroup,
  ErrorGroupSighting,
  FleetAwareSnapshot,
  FleetInstanceStats,
  FleetRange,
  FleetSection,
  MonitoringSnapshot,
  RateLimitStats as RateLimitStatsData,
  RequestPoint,
  RouteStats,
  SlowOperation,
  SnapshotHealthCheck,
  SightedErrorGroup,
  SloObjective,
  SloSection,
  SnapshotSource,
  SourceLoadOptions,
  ThemeMode,
} from './types.js';

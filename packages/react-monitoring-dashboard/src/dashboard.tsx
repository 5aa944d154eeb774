/**
 * `<MonitoringDashboard />`: every panel, auto-refresh, failure banner and theme in one component.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import { useCallback, useEffect, useMemo, useRef, useState, type CSSProperties } from 'react';
import { formatAgo, formatClock, formatDuration } from './format.js';
import { CircuitBreakers, CacheStats, RateLimitStats } from './panels/stats.js';
import { ErrorRateChart, LatencyChart, ThroughputChart } from './panels/charts.js';
import { ErrorList } from './panels/error-list.js';
import { FleetSelector, type FleetSelection } from './panels/fleet.js';
import { HealthOverview } from './panels/health-overview.js';
import { REFRESH_INTERVALS, RefreshControl } from './panels/refresh-control.js';
import { SlowOperations } from './panels/slow-operations.js';
import { RouteTable, StatusBreakdown } from './panels/routes.js';
import { MAX_TIMER_MS, parseSnapshot } from './source.js';
import { retryDelayMs, usePolling } from './use-polling.js';
import { normalizeSnapshot, type SnapshotNote } from './normalize.js';
import { NotesContext, PanelBoundary, UnavailableContext } from './ui.js';
import { MissingPanel, validatePanels, type DashboardPanels } from './optional-panels.js';

export { retryDelayMs };

const NO_NOTES: readonly SnapshotNote[] = [];
const NONE_UNAVAILABLE: Partial<Record<SnapshotSection, string>> = {};
import { MonitoringTheme } from './theme.js';
import { systemClock, type Clock, type FleetAwareSnapshot, type MonitoringSnapshot, type SnapshotSection, type SnapshotSource, type ThemeMode } from './types.js';
import { useNow } from './use-now.js';

/** Props of {@link MonitoringDashboard}. Pass `source`, or `snapshot` (with `onRefresh`). */
export interface MonitoringDashboardProps {
  /** Where to load snapshots from, e.g. `httpSource('/monitoring/snapshot')`. */
  source?: SnapshotSource;
  /**
   * A snapshot you load yourself (e.g. a Convex `useQuery`). `undefined`/`null` = still loading.
   * Mutually exclusive with `source`.
   */
  snapshot?: MonitoringSnapshot | null | undefined;
  /**
   * With `snapshot`: called on every auto-refresh tick and by "Refresh now". A rejected promise
   * shows the failure banner (the last snapshot stays on screen).
   */
  onRefresh?: () => void | Promise<void>;
  /** With `snapshot`: an error to show in the failure banner (e.g. your query's error). */
  error?: unknown;
  /**
   * Initial auto-refresh interval in milliseconds; `0` = off. The user can change it in the
   * interval picker.
   * @default 10000
   */
  refreshIntervalMs?: number;
  /** Intervals offered in the picker (ms; 0 = off). @default [0, 5000, 10000, 30000, 60000, 300000] */
  refreshIntervals?: readonly number[];
  /** Called when the user picks another interval (ms). */
  onRefreshIntervalChange?: (intervalMs: number) => void;
  /**
   * Longest wait between retries after failures (ms). Retries back off from the refresh interval,
   * doubling per consecutive failure; a server `Retry-After` (`retryAfterMs`) is honoured.
   * @default 60000
   */
  maxRetryDelayMs?: number;
  /** Called with every load failure (for logging). */
  onError?: (error: unknown) => void;
  /** Heading of the dashboard. @default 'Monitoring' */
  title?: string;
  /** Initial colour scheme; the user can switch it in the header. @default 'system' */
  theme?: ThemeMode;
  /** Show the theme picker in the header. @default true */
  showThemePicker?: boolean;
  /** Error groups per page. @default 20 */
  errorPageSize?: number;
  /** Render the stylesheet (see `dashboardCss`). @default true */
  injectCss?: boolean;
  /** CSP nonce for the injected `<style>`. */
  nonce?: string;
  /** Extra class on the root element. */
  className?: string;
  /** Inline style on the root element (override `--ad-*` variables here). */
  style?: CSSProperties;
  /** Time source (epoch ms); pass a fake in tests. @default Date.now */
  clock?: Clock;
  /**
   * Called when the user picks an instance or a range in the fleet selector (shown only for a
   * snapshot with a `fleet` section, e.g. from `@armor/fleet`). With `source` the dashboard
   * also loads again at once with `query: { instance, range }` (`httpSource` sends
   * `?instance=<name>&range=1h`; `instance=` empty = the whole fleet); with `snapshot`, load the
   * new selection yourself.
   */
  onFleetChange?: (selection: FleetSelection) => void;
  /**
   * Optional panels from subpath entries, e.g. `{ slo: SloScorecard, audit: AuditPanel }` with
   * `import { SloScorecard } from '@armor/react-monitoring-dashboard/slo'` and
   * `import { AuditPanel } from '@armor/react-monitoring-dashboard/audit'`.
   * @default none
   */
  panels?: DashboardPanels;
}

function validateInterval(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_TIMER_MS) {
    throw new ConfigurationError(name, 'must be a finite number of milliseconds >= 0 (0 = off) and at most 2147483647 (2^31 − 1, the longest timer a runtime holds)', { received: value });
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

function usePageHidden(): boolean {
  const [hidden, setHidden] = useState(false);
  useEffect(() => {
    if (typeof document === 'undefined') return;
    const update = () => setHidden(document.visibilityState === 'hidden');
    update();
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, []);
  return hidden;
}

/**
 * The drop-in monitoring dashboard: system health, latency/throughput/error-rate charts, error
 * groups, slow operations, caches, rate limits and circuit breakers for one `MonitoringSnapshot`,
 * refreshed on an interval the user controls. Refresh pauses while the tab is hidden; when a load
 * fails the last data stays on screen under a banner with the error and the next retry.
 * SSR-safe: nothing touches `window`/`document` outside effects.
 *
 * @throws ConfigurationError for a negative or non-finite `refreshIntervalMs`/`maxRetryDelayMs`,
 *   when both or neither of `source` and `snapshot` are given, or for a `panels` entry that is
 *   not a known panel or not a component
 * @example
 * ```tsx
 * import { MonitoringDashboard, httpSource } from '@armor/react-monitoring-dashboard';
 *
 * export function AdminMonitoring({ token }: { token: string }) {
 *   return (
 *     <MonitoringDashboard
 *       source={httpSource('/monitoring/snapshot', { headers: { authorization: `Bearer ${token}` } })}
 *       refreshIntervalMs={5000}
 *     />
 *   );
 * }
 * ```
 */
export function MonitoringDashboard(props: MonitoringDashboardProps) {
  const {
    source,
    snapshot: snapshotProp,
    onRefresh,
    error: errorProp,
    refreshIntervalMs = 10_000,
    refreshIntervals = REFRESH_INTERVALS,
    onRefreshIntervalChange,
    maxRetryDelayMs = 60_000,
    onError,
    title = 'Monitoring',
    theme: themeProp = 'system',
    showThemePicker = true,
    errorPageSize,
    injectCss,
    nonce,
    className,
    style,
    clock = systemClock,
    onFleetChange,
    panels,
  } = props;
  validateInterval('refreshIntervalMs', refreshIntervalMs);
  validateInterval('maxRetryDelayMs', maxRetryDelayMs);
  validatePanels(panels);
  const AuditView = panels?.audit;
  const SloView = panels?.slo;
  const controlled = 'snapshot' in props;
  if (controlled && source !== undefined) {
    throw new ConfigurationError('source', 'pass either `source` or `snapshot`, not both');
  }
  if (!controlled && source === undefined) {
    throw new ConfigurationError('source', 'pass `source` (e.g. httpSource(url)) or `snapshot`');
  }
  if (source !== undefined && (typeof source !== 'object' || typeof source.load !== 'function')) {
    throw new ConfigurationError('source', 'must have a load({ signal }) method', { received: source });
  }

  const [intervalMs, setIntervalMs] = useState(refreshIntervalMs);
  useEffect(() => setIntervalMs(refreshIntervalMs), [refreshIntervalMs]);
  const [paused, setPaused] = useState(false);
  const [theme, setTheme] = useState<ThemeMode>(themeProp);
  useEffect(() => setTheme(themeProp), [themeProp]);
  const hidden = usePageHidden();
  const active = intervalMs > 0 && !paused && !hidden;
  // the fleet selector's choice (null until the user picks): the query of every load after it
  const [selection, setSelection] = useState<FleetSelection | null>(null);
  const { state, refreshNow, canLoad } = usePolling({
    source,
    onRefresh,
    intervalMs,
    active,
    maxRetryDelayMs,
    onError,
    clock,
    initialDoneAt: controlled && snapshotProp ? clock.now() : null,
    query: selection && !controlled ? { instance: selection.instance ?? '', range: selection.range } : undefined,
  });
  const onFleetChangeRef = useRef(onFleetChange);
  onFleetChangeRef.current = onFleetChange;
  const changeFleet = useCallback((next: FleetSelection) => {
    setSelection(next);
    onFleetChangeRef.current?.(next);
  }, []);
  const clockRef = useRef(clock);
  clockRef.current = clock;

  // Controlled mode: "updated" is when the snapshot prop last changed.
  const [receivedAt, setReceivedAt] = useState<number | null>(() => (snapshotProp ? clock.now() : null));
  useEffect(() => {
    if (snapshotProp) setReceivedAt(clockRef.current.now());
  }, [snapshotProp]);

  const changeInterval = useCallback(
    (ms: number) => {
      setIntervalMs(ms);
      onRefreshIntervalChange?.(ms);
    },
    [onRefreshIntervalChange],
  );

  const checked = useMemo(() => {
    if (!controlled || snapshotProp === null || snapshotProp === undefined) return { snapshot: null, error: null };
    try {
      return { snapshot: parseSnapshot(snapshotProp), error: null };
    } catch (error) {
      return { snapshot: null, error };
    }
  }, [controlled, snapshotProp]);

  const raw = controlled ? checked.snapshot : state.snapshot;
  // Item-level repair: one malformed item becomes a visible note, never a blank dashboard.
  const { snapshot, notes, unavailable } = useMemo((): { snapshot: MonitoringSnapshot | null; notes: readonly SnapshotNote[]; unavailable: Partial<Record<SnapshotSection, string>> } => {
    if (raw === null) return { snapshot: null, notes: NO_NOTES, unavailable: NONE_UNAVAILABLE };
    try {
      return normalizeSnapshot(raw);
    } catch {
      return { snapshot: raw, notes: NO_NOTES, unavailable: NONE_UNAVAILABLE };
    }
  }, [raw]);
  const updatedAt = controlled ? receivedAt : state.updatedAt;
  const fleet = snapshot ? (snapshot as FleetAwareSnapshot).fleet : undefined;
  // with `snapshot`, picking needs `onFleetChange` (the app loads the selection)
  const canPick = !controlled || onFleetChange !== undefined;
  const fleetPending =
    fleet !== undefined && selection !== null && (controlled || state.loading) && (fleet.instance !== selection.instance || fleet.range !== selection.range);
  const error = state.error ?? checked.error ?? (errorProp === undefined || errorProp === null ? null : errorProp);

  return (
    <MonitoringTheme theme={theme} label={title} {...{ injectCss, nonce, className, style }}>
      <header className="ad-header">
        <div>
          <h2>{title}</h2>
          {snapshot ? (
            <p className="ad-sub" style={{ margin: 0 }} suppressHydrationWarning>
              {snapshot.service.name}
              {snapshot.service.version ? ` ${snapshot.service.version}` : ''} · snapshot {formatClock(snapshot.generatedAt)}
            </p>
          ) : null}
        </div>
        <div className="ad-row">
          {canLoad ? (
            <RefreshControl
              intervalMs={intervalMs}
              intervals={refreshIntervals}
              onIntervalChange={changeInterval}
              paused={paused}
              onPausedChange={setPaused}
              onRefresh={refreshNow}
              refreshing={state.loading}
              updatedAt={updatedAt}
              hidden={hidden}
              clock={clock}
            />
          ) : null}
          {showThemePicker ? <ThemePicker theme={theme} onChange={setTheme} /> : null}
        </div>
      </header>
      {error !== null && error !== undefined ? (
        <FailureBanner
          error={error}
          updatedAt={updatedAt}
          hasData={snapshot !== null}
          nextAt={state.error ? state.nextAt : null}
          reason={intervalMs <= 0 ? 'off' : paused ? 'paused' : hidden ? 'hidden' : null}
          onRetry={canLoad ? refreshNow : undefined}
          clock={clock}
        />
      ) : null}
      {snapshot === null ? (
        <p className="ad-empty" role="status">
          {error ? 'No data yet.' : 'Loading snapshot…'}
        </p>
      ) : (
        <NotesContext.Provider value={notes}>
          <UnavailableContext.Provider value={unavailable}>
          <div className="ad-grid">
            {fleet !== undefined ? (
              <PanelBoundary testId="fleet" title="Fleet" wide resetKey={snapshot}>
                <FleetSelector snapshot={snapshot} selection={selection ?? undefined} onChange={canPick ? changeFleet : undefined} pending={fleetPending} />
              </PanelBoundary>
            ) : null}
            <PanelBoundary testId="health" title="System health" wide resetKey={snapshot}>
              <HealthOverview snapshot={snapshot} />
            </PanelBoundary>
            {snapshot.slo !== undefined || unavailable.slo !== undefined ? (
              <PanelBoundary testId="slo" title="SLO scorecard" wide resetKey={snapshot}>
                {SloView !== undefined ? <SloView snapshot={snapshot} /> : <MissingPanel id="slo" />}
              </PanelBoundary>
            ) : null}
            <PanelBoundary testId="latency" title="Latency" resetKey={snapshot}>
              <LatencyChart snapshot={snapshot} />
            </PanelBoundary>
            <PanelBoundary testId="throughput" title="Throughput" resetKey={snapshot}>
              <ThroughputChart snapshot={snapshot} />
            </PanelBoundary>
            <PanelBoundary testId="error-rate" title="Error rate" resetKey={snapshot}>
              <ErrorRateChart snapshot={snapshot} />
            </PanelBoundary>
            <PanelBoundary testId="breakers" title="Circuit breakers" resetKey={snapshot}>
              <CircuitBreakers snapshot={snapshot} />
            </PanelBoundary>
            <PanelBoundary testId="caches" title="Caches" resetKey={snapshot}>
              <CacheStats snapshot={snapshot} />
            </PanelBoundary>
            <PanelBoundary testId="rate-limits" title="Rate limits" resetKey={snapshot}>
              <RateLimitStats snapshot={snapshot} />
            </PanelBoundary>
            <PanelBoundary testId="routes" title="Routes" wide resetKey={snapshot}>
              <RouteTable snapshot={snapshot} />
            </PanelBoundary>
            <PanelBoundary testId="status-codes" title="Status codes" resetKey={snapshot}>
              <StatusBreakdown snapshot={snapshot} />
            </PanelBoundary>
            <PanelBoundary testId="errors" title="Errors" wide resetKey={snapshot}>
              <ErrorList snapshot={snapshot} {...(errorPageSize === undefined ? {} : { pageSize: errorPageSize })} />
            </PanelBoundary>
            <PanelBoundary testId="slow" title="Slow operations" wide resetKey={snapshot}>
              <SlowOperations snapshot={snapshot} />
            </PanelBoundary>
            {snapshot.audit !== undefined || unavailable.audit !== undefined ? (
              <PanelBoundary testId="audit" title="Audit log" wide resetKey={snapshot}>
                {AuditView !== undefined ? <AuditView snapshot={snapshot} /> : <MissingPanel id="audit" />}
              </PanelBoundary>
            ) : null}
          </div>
          </UnavailableContext.Provider>
        </NotesContext.Provider>
      )}
    </MonitoringTheme>
  );
}

function ThemePicker({ theme, onChange }: { theme: ThemeMode; onChange: (theme: ThemeMode) => void }) {
  return (
    <label className="ad-row" style={{ gap: 4 }}>
      Theme
      <select value={theme} onChange={(e) => onChange(e.target.value as ThemeMode)}>
        <option value="system">System</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}

function FailureBanner({
  error,
  updatedAt,
  hasData,
  nextAt,
  reason,
  onRetry,
  clock,
}: {
  error: unknown;
  updatedAt: number | null;
  hasData: boolean;
  nextAt: number | null;
  reason: 'off' | 'paused' | 'hidden' | null;
  onRetry: (() => void) | undefined;
  clock: Clock;
}) {
  const now = useNow(clock, 1000);
  const retry =
    nextAt !== null
      ? `Next retry in ${formatDuration(Math.max(0, Math.ceil((nextAt - now) / 1000)))}.`
      : reason === 'off'
        ? 'Auto-refresh is off.'
        : reason === 'paused'
          ? 'Auto-refresh is paused.'
          : reason === 'hidden'
            ? 'Retrying when the tab is visible again.'
            : '';
  return (
    <div className="ad-banner" role="alert" data-testid="failure-banner">
      <div>
        <strong>{hasData ? 'Refresh failed — showing the last data.' : 'Could not load the snapshot.'}</strong>{' '}
        <span>{messageOf(error)}</span>
        <div aria-live="off" suppressHydrationWarning>
          {hasData && updatedAt !== null ? `Data from ${formatClock(updatedAt)} (${formatAgo(updatedAt, Math.max(now, updatedAt))}). ` : ''}
          {retry}
        </div>
      </div>
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Retry now
        </button>
      ) : null}
    </div>
  );
}

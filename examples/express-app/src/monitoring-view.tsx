/**
 * The `/monitoring` page's dashboard, on both sides: the server renders it to HTML for the
 * page's first view (`first-view.tsx`), and the browser renders it from `dashboard/monitoring.tsx`
 * (its own chunk, loaded by `dashboard/app.tsx`). Both start from the snapshot the page was served
 * with, so the browser's first render replaces the server's markup with the same content, without
 * a "loading" state in between. It lives in `src/` so that the server (and its release bundle,
 * `scripts/build-release.mjs`) needs nothing outside `src/`.
 */
import { useCallback, useMemo, useState } from 'react';
import { httpSource, MonitoringDashboard, type FleetSelection, type MonitoringSnapshot } from '@armor/react-monitoring-dashboard';
import { AuditPanel } from '@armor/react-monitoring-dashboard/audit';
import { SloScorecard } from '@armor/react-monitoring-dashboard/slo';

/** The snapshot carries the SLO scorecard and the audit log: their panels are the dashboard's optional entries. */
const PANELS = { slo: SloScorecard, audit: AuditPanel };

/** Props of {@link Monitoring}. */
export interface MonitoringProps {
  /** The snapshot endpoint, `/monitoring/snapshot`. */
  snapshotUrl: string;
  /** `fetch` for the snapshot requests. @default globalThis.fetch */
  fetchImpl?: typeof fetch | undefined;
  /** The snapshot the page was served with (its first view); `null` = load one first. */
  initial: MonitoringSnapshot | null;
}

/** Refresh interval of the page (ms). */
export const REFRESH_MS = 5000;

/**
 * The dashboard, fed with `initial` and then with a snapshot from `snapshotUrl` (same origin,
 * the browser's credentials) every 5 s. Loads are the dashboard's own refresh loop (`onRefresh`,
 * with its backoff and `Retry-After` handling); a fleet selection is sent as the query.
 */
export default function Monitoring({ snapshotUrl, fetchImpl, initial }: MonitoringProps) {
  const source = useMemo(() => httpSource(snapshotUrl, { credentials: 'same-origin', ...(fetchImpl ? { fetch: fetchImpl } : {}) }), [snapshotUrl, fetchImpl]);
  const [snapshot, setSnapshot] = useState<MonitoringSnapshot | null>(initial);
  const [error, setError] = useState<unknown>(null);
  const [selection, setSelection] = useState<FleetSelection | null>(null);
  const load = useCallback(
    async (query: FleetSelection | null) => {
      try {
        const next = await source.load({ signal: new AbortController().signal, ...(query ? { query: { instance: query.instance ?? '', range: query.range } } : {}) });
        setSnapshot(next);
        setError(null);
      } catch (e) {
        setError(e);
        throw e;
      }
    },
    [source],
  );
  const refresh = useCallback(() => load(selection), [load, selection]);
  const changeFleet = useCallback(
    (next: FleetSelection) => {
      setSelection(next);
      load(next).catch(() => undefined); // shown by the banner (`error`)
    },
    [load],
  );
  return (
    <MonitoringDashboard
      snapshot={snapshot}
      onRefresh={refresh}
      error={snapshot === null ? error : null}
      onFleetChange={changeFleet}
      refreshIntervalMs={REFRESH_MS}
      title="express-app"
      panels={PANELS}
    />
  );
}

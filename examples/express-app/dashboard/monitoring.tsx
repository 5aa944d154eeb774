/**
 * The dashboard itself, loaded lazily by `app.tsx` (its own chunk: the
 * `@armor/react-monitoring-dashboard` panels and snapshot parsing).
 */
import { useMemo } from 'react';
import { httpSource, MonitoringDashboard } from '@armor/react-monitoring-dashboard';

/** Polls `snapshotUrl` (same origin, the browser's credentials) every 5 s. */
export default function Monitoring({ snapshotUrl, fetchImpl }: { snapshotUrl: string; fetchImpl: typeof fetch }) {
  const source = useMemo(() => httpSource(snapshotUrl, { credentials: 'same-origin', fetch: fetchImpl }), [snapshotUrl, fetchImpl]);
  return <MonitoringDashboard source={source} refreshIntervalMs={5000} title="express-app" />;
}

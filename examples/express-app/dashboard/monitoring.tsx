/**
 * The dashboard itself, loaded lazily by `main.tsx` (its own chunk: the
 * `@armor/react-monitoring-dashboard` panels and snapshot parsing).
 */
import { useMemo } from 'react';
import { httpSource, MonitoringDashboard } from '@armor/react-monitoring-dashboard';

/** Polls `snapshotUrl` (same origin, the browser's credentials) every 5 s. */
export default function Monitoring({ snapshotUrl }: { snapshotUrl: string }) {
  const source = useMemo(() => httpSource(snapshotUrl, { credentials: 'same-origin' }), [snapshotUrl]);
  return <MonitoringDashboard source={source} refreshIntervalMs={5000} title="express-app" />;
}

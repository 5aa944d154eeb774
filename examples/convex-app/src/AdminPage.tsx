/**
 * The admin page: `<MonitoringDashboard>` fed by the `monitoring.snapshot` query. Loaded lazily
 * by `App.tsx` (its own chunk, with the dashboard's panels).
 */
import { MonitoringDashboard } from '@armor/react-monitoring-dashboard';
import { SloScorecard } from '@armor/react-monitoring-dashboard/slo';
import { fromConvexError } from '@armor/errors/client';
import { Component, useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../convex/_generated/api';
import { useTimedQuery } from './useArmor';

export default function AdminPage() {
  const [adminKey, setAdminKey] = useState('');
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setAdminKey(String(new FormData(event.currentTarget).get('adminKey') ?? ''));
  }
  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title">Monitoring</h1>
      {/* Subscribes on submit, not per keystroke: each key is a new subscription (and a timed query). */}
      <form onSubmit={submit}>
        <label>Admin key <input name="adminKey" type="password" /></label>
        <button type="submit">Show</button>
      </form>
      {adminKey && (
        <QueryErrorBoundary key={adminKey}>
          <Dashboard adminKey={adminKey} />
        </QueryErrorBoundary>
      )}
    </section>
  );
}

function Dashboard({ adminKey }: { adminKey: string }) {
  const snapshot = useTimedQuery(api.monitoring.snapshot, { adminKey }, 'monitoring.snapshot');
  // Convex queries are reactive: the snapshot updates by itself, so onRefresh has nothing to do.
  return <MonitoringDashboard snapshot={snapshot ?? null} onRefresh={() => undefined} refreshIntervalMs={0} panels={PANELS} />;
}

/** `useQuery` throws a failing query's error during render; this shows it instead of unmounting the app. */
class QueryErrorBoundary extends Component<{ children: ReactNode }, { error: unknown }> {
  override state: { error: unknown } = { error: null };
  static getDerivedStateFromError(error: unknown) {
    return { error };
  }
  override render() {
    if (this.state.error === null) return this.props.children;
    const error = fromConvexError(this.state.error);
    return <p role="alert">{error.code === 'UNAUTHENTICATED' ? 'Wrong admin key.' : error.message}</p>;
  }
}

/** The snapshot carries the SLO scorecard: its panel is one of the dashboard's optional entries. */
const PANELS = { slo: SloScorecard };

/**
 * The `/monitoring` page: `<MonitoringDashboard />` polling `/monitoring/snapshot` on the same
 * origin. Outside demo mode the browser sends the admin key it was asked for (HTTP Basic,
 * password = admin API key) with every request, including this poll.
 *
 * This entry is tiny: React comes from the `vendor` chunk (cached across dashboard releases),
 * and the dashboard itself is a lazily loaded chunk (`React.lazy`), requested as soon as this
 * script runs, while the page shows a loading line.
 */
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';

const snapshotUrl = new URL('snapshot', window.location.href.replace(/\/?$/, '/')).toString();
const Monitoring = lazy(() => import('./monitoring.js'));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Suspense fallback={<p style={{ font: '14px system-ui, sans-serif', padding: '1rem' }}>Loading the monitoring dashboard…</p>}>
      <Monitoring snapshotUrl={snapshotUrl} />
    </Suspense>
  </StrictMode>,
);

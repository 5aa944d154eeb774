/**
 * The `/monitoring` page: `<MonitoringDashboard />` polling `/monitoring/snapshot` on the same
 * origin. Outside demo mode the browser sends the admin key it was asked for (HTTP Basic,
 * password = admin API key) with every request, including this poll.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { MonitoringDashboard, httpSource } from '@armor/react-monitoring-dashboard';

const source = httpSource(new URL('snapshot', window.location.href.replace(/\/?$/, '/')).toString(), { credentials: 'same-origin' });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MonitoringDashboard source={source} refreshIntervalMs={5000} title="express-app" />
  </StrictMode>,
);

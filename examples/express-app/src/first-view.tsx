/**
 * The `/monitoring` page's first view, rendered on the server (`monitoring-page.ts` imports this
 * module lazily, so React's server renderer is loaded only for the page): the dashboard with the
 * snapshot the page is served with, as HTML. The browser shows it as soon as the document
 * arrives, before any script has loaded, and `dashboard/app.tsx` later renders the same component
 * from the same snapshot in its place.
 */
import { renderToString } from 'react-dom/server';
import type { MonitoringSnapshot } from '@armor/react-monitoring-dashboard';
import Monitoring from './monitoring-view.js';

/** The dashboard's markup for `snapshot` (the `snapshotUrl` is where the browser loads the next ones). */
export function renderFirstView(snapshot: MonitoringSnapshot, snapshotUrl = '/monitoring/snapshot'): string {
  return renderToString(<Monitoring snapshotUrl={snapshotUrl} initial={snapshot} />);
}

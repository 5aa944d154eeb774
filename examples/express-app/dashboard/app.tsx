/**
 * The React shell of the `/monitoring` page: React from the `vendor` chunk, the dashboard
 * (`monitoring.tsx`: the panels and snapshot parsing) split off with `React.lazy`.
 */
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';

const Monitoring = lazy(() => import('./monitoring.js'));

/** Renders the dashboard into `root`, polling `snapshotUrl` with `fetchImpl`. */
export function mount(root: HTMLElement, snapshotUrl: string, fetchImpl: typeof fetch): void {
  createRoot(root).render(
    <StrictMode>
      <Suspense fallback={<p style={{ font: '14px system-ui, sans-serif', padding: '1rem' }}>Loading the monitoring dashboard…</p>}>
        <Monitoring snapshotUrl={snapshotUrl} fetchImpl={fetchImpl} />
      </Suspense>
    </StrictMode>,
  );
}

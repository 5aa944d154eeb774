/**
 * The React shell of the `/monitoring` page: React from the `vendor` chunk, the dashboard
 * (`monitoring.tsx`: the panels and snapshot parsing) from its own chunk, loaded with `import()`
 * (its download starts with the page: the HTML preloads every chunk).
 *
 * It renders only once the dashboard chunk is there, so the server-rendered first view stays on
 * screen until React replaces it, in one commit, with the same dashboard from the same snapshot
 * (no "loading" fallback in between).
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { MonitoringSnapshot } from '@armor/react-monitoring-dashboard';

/** Renders the dashboard into `root`, starting from `initial` and polling `snapshotUrl` with `fetchImpl`. */
export async function mount(root: HTMLElement, snapshotUrl: string, fetchImpl: typeof fetch, initial: MonitoringSnapshot | null): Promise<void> {
  const { default: Monitoring } = await import('./monitoring.js');
  createRoot(root).render(
    <StrictMode>
      <Monitoring snapshotUrl={snapshotUrl} fetchImpl={fetchImpl} initial={initial} />
    </StrictMode>,
  );
}

// The page the real-browser test builds with Vite: the dashboard polling /snapshot, or (with
// ?perf) a harness that times renders of large snapshots.
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { MonitoringDashboard, httpSource, type MonitoringSnapshot } from '../../src/index.js';

const params = new URLSearchParams(location.search);
const root = createRoot(document.getElementById('root')!);

declare global {
  interface Window {
    armorPerf?: (runs: number) => Promise<{ commitMs: number[]; layoutMs: number[] }>;
  }
}

if (params.has('perf')) {
  window.armorPerf = async (runs) => {
    const snapshots: MonitoringSnapshot[] = [];
    for (let i = 0; i <= runs; i++) snapshots.push((await (await fetch(`/big?seed=${i + 1}`)).json()) as MonitoringSnapshot);
    const commitMs: number[] = [];
    const layoutMs: number[] = [];
    for (const snapshot of snapshots) {
      const t0 = performance.now();
      flushSync(() => root.render(<MonitoringDashboard snapshot={snapshot} title="Performance" />));
      const t1 = performance.now();
      void document.body.offsetHeight; // force style + layout
      const t2 = performance.now();
      commitMs.push(t1 - t0);
      layoutMs.push(t2 - t0);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { commitMs, layoutMs };
  };
} else {
  root.render(<MonitoringDashboard source={httpSource(params.get('source') ?? '/snapshot')} refreshIntervalMs={Number(params.get('interval') ?? 1000)} title="orders-api monitoring" />);
}

// The page the real-browser test builds with Vite: the dashboard polling /snapshot, or (with
// ?perf) a harness that times renders of large snapshots, or (with ?fleet) the dashboard on the
// fleet endpoint /fleet, timing each refresh from the new snapshot handed to the dashboard to
// the next paint.
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { AuditPanel } from '../../src/audit.js';
import { MonitoringDashboard, httpSource, type MonitoringSnapshot, type SnapshotSource } from '../../src/index.js';
import { SloScorecard } from '../../src/slo.js';

/** The optional panels (their own entries), given to every dashboard on this page. */
const panels = { slo: SloScorecard, audit: AuditPanel };

const params = new URLSearchParams(location.search);
const root = createRoot(document.getElementById('root')!);

declare global {
  interface Window {
    armorPerf?: (runs: number) => Promise<{ commitMs: number[]; layoutMs: number[] }>;
    /** ?fleet: one entry per snapshot loaded — ms from `load` resolving to the first paint showing it. */
    armorFleet?: { refreshMs: number[] };
  }
}

/**
 * Wraps `source`: when a snapshot is handed to the dashboard (t0), a frame loop waits for the
 * header to show it (the server puts a unique `service.version` in each one); the message posted
 * from that frame's callback runs after the frame is painted (t1). t1 - t0 = refresh time.
 */
function timedSource(source: SnapshotSource, record: number[]): SnapshotSource {
  return {
    key: source.key ?? '',
    async load(options) {
      const snapshot = await source.load(options);
      const t0 = performance.now();
      const marker = `${snapshot.service.name} ${snapshot.service.version ?? ''} ·`;
      const frame = () => {
        if ((document.querySelector('.ad-header .ad-sub')?.textContent ?? '').startsWith(marker)) {
          const channel = new MessageChannel();
          channel.port1.onmessage = () => record.push(performance.now() - t0);
          channel.port2.postMessage(null);
        } else requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
      return snapshot;
    },
  };
}

if (params.has('perf')) {
  window.armorPerf = async (runs) => {
    const snapshots: MonitoringSnapshot[] = [];
    for (let i = 0; i <= runs; i++) snapshots.push((await (await fetch(`/big?seed=${i + 1}`)).json()) as MonitoringSnapshot);
    const commitMs: number[] = [];
    const layoutMs: number[] = [];
    for (const snapshot of snapshots) {
      const t0 = performance.now();
      flushSync(() => root.render(<MonitoringDashboard snapshot={snapshot} title="Performance" panels={panels} />));
      const t1 = performance.now();
      void document.body.offsetHeight; // force style + layout
      const t2 = performance.now();
      commitMs.push(t1 - t0);
      layoutMs.push(t2 - t0);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { commitMs, layoutMs };
  };
} else if (params.has('fleet')) {
  window.armorFleet = { refreshMs: [] };
  const source = timedSource(httpSource('/fleet'), window.armorFleet.refreshMs);
  root.render(<MonitoringDashboard source={source} refreshIntervalMs={Number(params.get('interval') ?? 0)} title="api fleet" theme="light" panels={panels} />);
} else {
  root.render(<MonitoringDashboard source={httpSource(params.get('source') ?? '/snapshot')} refreshIntervalMs={Number(params.get('interval') ?? 1000)} title="orders-api monitoring" panels={panels} />);
}

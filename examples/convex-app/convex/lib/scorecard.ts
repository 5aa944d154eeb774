/**
 * The SLO scorecard of the Convex example (`@armor/metrics/slo`) on its MonitoringSnapshot: the
 * report's six targets with their defaults. Page load is the p75 of LCP per route from the UI's
 * own web vitals (`POST /vitals` → `webVitalBuckets`); the JS bundle size is `UI_BUNDLE_BYTES`
 * (a Convex environment variable, bytes of JavaScript of the UI's build: `scripts/deploy.sh`
 * sets it); server latency, error rate and availability come from the snapshot's samples; there
 * is no cache, so the cache target says so.
 *
 * Convex specifics: the snapshot is a query, and a query keeps no memory between runs, so the
 * scorecard is made afresh each time. Two consequences, shown as such rather than guessed:
 * every `trend` is `null` (it compares with the value one window earlier, which a fresh
 * scorecard has not seen), and availability counts the closed minutes of the snapshot's window
 * (one hour), not 30 days.
 */
import type { MonitoringSnapshot } from '@armor/metrics';
import { createScorecard } from '@armor/metrics/slo';
import type { QueryCtx } from '../_generated/server';
import { pageLoadFigures } from './webVitals';

/** The UI's JavaScript size (bytes) from the `UI_BUNDLE_BYTES` environment variable; `undefined` when unset or not a number. */
export function uiBundleBytes(env: Record<string, string | undefined> = process.env): number | undefined {
  const raw = env.UI_BUNDLE_BYTES;
  if (raw === undefined || !/^\d{1,12}$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
}

/** `snapshot` with its `slo` section. */
export async function withScorecard(ctx: Pick<QueryCtx, 'db'>, snapshot: MonitoringSnapshot): Promise<MonitoringSnapshot> {
  const figures = await pageLoadFigures(ctx, snapshot.generatedAt, snapshot.window.windowMs);
  const bundleBytes = uiBundleBytes();
  const scorecard = createScorecard({ pageLoads: () => figures, ...(bundleBytes === undefined ? {} : { bundleBytes }) });
  return { ...snapshot, slo: await scorecard.evaluate(snapshot) };
}

/**
 * The availability ledger of the SLO scorecard: requests and failed requests per hour over the
 * budget window (30 days by default), counted from the closed points of each snapshot's request
 * series, each point once. At most one bucket per hour of the window (721 for 30 days).
 *
 * @module
 * @internal
 */
import type { MonitoringSnapshot } from './snapshot.js';

const HOUR_MS = 3_600_000;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** @internal */
export interface BudgetLedger {
  /** Counts the series points of `snapshot` that are closed and newer than the last counted one. */
  ingest(snapshot: MonitoringSnapshot, now: number): void;
  /** Requests, failed requests and the span they cover (ms) within the window ending at `now`. */
  totals(now: number): { count: number; errors: number; coveredMs: number };
}

/** @internal */
export function createBudgetLedger(windowMs: number): BudgetLedger {
  const hours = new Map<number, { count: number; errors: number }>();
  let lastT = -Infinity;
  let firstT = Infinity;

  function prune(now: number) {
    for (const start of hours.keys()) if (start + HOUR_MS <= now - windowMs) hours.delete(start);
  }

  return {
    ingest(snapshot, now) {
      const series = snapshot?.requests?.series;
      const resolution = snapshot?.window?.resolutionMs;
      const generatedAt = isNum(snapshot?.generatedAt) ? snapshot.generatedAt : now;
      if (!Array.isArray(series) || !isNum(resolution) || resolution <= 0) return;
      let newest = lastT;
      for (const p of series) {
        if (!p || !isNum(p.t) || p.t <= lastT || p.t + resolution > generatedAt || p.t < now - windowMs) continue;
        const count = isNum(p.count) && p.count > 0 ? p.count : 0;
        const errors = isNum(p.errors) && p.errors > 0 ? Math.min(p.errors, count) : 0;
        const start = Math.floor(p.t / HOUR_MS) * HOUR_MS;
        const bucket = hours.get(start) ?? { count: 0, errors: 0 };
        bucket.count += count;
        bucket.errors += errors;
        hours.set(start, bucket);
        if (p.t > newest) newest = p.t;
        if (p.t < firstT) firstT = p.t;
      }
      lastT = newest;
      prune(now);
    },
    totals(now) {
      prune(now);
      let count = 0;
      let errors = 0;
      for (const b of hours.values()) {
        count += b.count;
        errors += b.errors;
      }
      const coveredMs = firstT === Infinity ? 0 : Math.max(0, Math.min(windowMs, now - firstT));
      return { count, errors, coveredMs };
    },
  };
}

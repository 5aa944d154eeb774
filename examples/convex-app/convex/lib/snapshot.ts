/**
 * Builds the MonitoringSnapshot (the dashboard's only contract, from @armor/metrics) out of
 * the Convex tables: latency samples, error groups, health checks (`./health.ts`) and the
 * rate-limit counters of `rateLimitStats` (`./rateLimit.ts`).
 */
import type { MonitoringSnapshot } from '@armor/metrics';
import type { Doc } from '../_generated/dataModel';

/** Snapshot window and resolution (ms). */
export const WINDOW_MS = 60 * 60 * 1000;
export const RESOLUTION_MS = 60 * 1000;

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}

function summarize(durations: number[]) {
  const sorted = [...durations].sort((a, b) => a - b);
  return { p50Ms: quantile(sorted, 0.5), p95Ms: quantile(sorted, 0.95), p99Ms: quantile(sorted, 0.99) };
}

/** One entry per limiter (the rate-limited function's name), summing its shards and minutes. */
export function summarizeRateLimits(rows: Doc<'rateLimitStats'>[]): MonitoringSnapshot['rateLimits'] {
  const byLimiter = new Map<string, { allowed: number; limited: number }>();
  for (const row of rows) {
    const entry = byLimiter.get(row.limiter) ?? { allowed: 0, limited: 0 };
    entry.allowed += row.allowed;
    entry.limited += row.limited;
    byLimiter.set(row.limiter, entry);
  }
  return [...byLimiter].sort(([a], [b]) => a.localeCompare(b)).map(([name, counts]) => ({ name, ...counts }));
}

/** A latency sample from either namespace (`metricSamples`, `clientSamples`). */
export type SampleRow = Pick<Doc<'metricSamples'>, 'name' | 'kind' | 'durationMs' | 'ok' | 'at'>;
/** An error group from either namespace (`errorGroups`, `clientErrorGroups`). */
export type ErrorGroupRow = Omit<Doc<'errorGroups'>, '_id' | '_creationTime'>;

export function buildSnapshot(input: {
  now: number;
  samples: SampleRow[];
  errorGroups: ErrorGroupRow[];
  totalErrorGroups: number;
  /** From `snapshotHealth` (`./health.ts`). */
  health: MonitoringSnapshot['health'];
  /** `rateLimitStats` rows of the window; summed per limiter. */
  rateLimitStats: Doc<'rateLimitStats'>[];
}): MonitoringSnapshot {
  const { now, samples } = input;
  const start = now - WINDOW_MS;
  const buckets = new Map<number, SampleRow[]>();
  for (let t = Math.floor(start / RESOLUTION_MS) * RESOLUTION_MS; t <= now; t += RESOLUTION_MS) buckets.set(t, []);
  const routes = new Map<string, SampleRow[]>();
  for (const sample of samples) {
    const t = Math.floor(sample.at / RESOLUTION_MS) * RESOLUTION_MS;
    buckets.get(t)?.push(sample);
    const key = `${sample.kind} ${sample.name}`;
    routes.set(key, [...(routes.get(key) ?? []), sample]);
  }
  const errors = samples.filter((s) => !s.ok).length;
  return {
    version: 1,
    generatedAt: now,
    service: { name: 'convex-app' },
    window: { windowMs: WINDOW_MS, resolutionMs: RESOLUTION_MS },
    health: input.health,
    requests: {
      totals: {
        count: samples.length,
        errors,
        errorRate: samples.length ? errors / samples.length : 0,
        throughputPerSec: samples.length / (WINDOW_MS / 1000),
        ...summarize(samples.map((s) => s.durationMs)),
        inFlight: 0,
      },
      series: [...buckets].map(([t, bucket]) => ({
        t,
        count: bucket.length,
        errors: bucket.filter((s) => !s.ok).length,
        ...summarize(bucket.map((s) => s.durationMs)),
      })),
      routes: [...routes].map(([key, list]) => {
        const [method = '', route = ''] = key.split(' ');
        return { method, route, count: list.length, errors: list.filter((s) => !s.ok).length, ...summarize(list.map((s) => s.durationMs)) };
      }),
    },
    errors: {
      totalGroups: input.totalErrorGroups,
      groups: input.errorGroups.map((g) => ({
        fingerprint: g.fingerprint,
        code: g.code,
        status: g.status,
        name: g.name,
        message: g.message,
        count: g.count,
        firstSeen: g.firstSeen,
        lastSeen: g.lastSeen,
        ...(g.sample ? { sample: { message: g.sample.message, ...(g.sample.stack ? { stack: g.sample.stack } : {}), context: { source: g.sample.source ?? 'unknown' } } } : {}),
      })),
    },
    slowOperations: samples
      .filter((s) => s.durationMs >= 1000)
      .slice(-50)
      .map((s) => ({ name: `${s.kind} ${s.name}`, durationMs: s.durationMs, at: s.at, thresholdMs: 1000, failed: !s.ok })),
    caches: [],
    rateLimits: summarizeRateLimits(input.rateLimitStats),
    breakers: [],
  };
}

import { memo, useMemo } from 'react';
import { TimeSeriesChart, type ChartLine } from '../chart.js';
import { formatCount, formatDuration, formatMs, formatPercent } from '../format.js';
import type { MonitoringSnapshot } from '../types.js';

/** Props of the chart panels ({@link LatencyChart}, {@link ThroughputChart}, {@link ErrorRateChart}). */
export interface ChartPanelProps {
  /** The snapshot to chart (`requests.series` over `window`). */
  snapshot: MonitoringSnapshot;
  /**
   * Horizontal resolution: each line is reduced to at most 2 × `buckets` points (min/max per
   * bucket, so spikes survive) before it becomes an SVG path.
   * @default 240
   */
  buckets?: number;
}

function windowText(snapshot: MonitoringSnapshot): string {
  const { windowMs, resolutionMs } = snapshot.window;
  return `Last ${formatDuration(windowMs / 1000)} at ${formatDuration(resolutionMs / 1000)} resolution`;
}

const fmtMs = (v: number | null) => formatMs(v);
const fmtRate = (v: number | null) => (v === null ? '—' : `${formatCount(v)}/s`);
const fmtPct = (v: number | null) => formatPercent(v);

/**
 * Latency p50, p95 and p99 per interval (solid, dashed and dotted lines), with a table view.
 *
 * @example
 * ```tsx
 * <LatencyChart snapshot={snapshot} />
 * ```
 */
export const LatencyChart = memo(function LatencyChart({ snapshot, buckets }: ChartPanelProps) {
  const series = snapshot.requests.series;
  const { times, lines } = useMemo(() => {
    const lines: ChartLine[] = [
      { label: 'p50', values: series.map((p) => p.p50Ms), color: 'var(--ad-s1)' },
      { label: 'p95', values: series.map((p) => p.p95Ms), color: 'var(--ad-s2)', dash: '6 3' },
      { label: 'p99', values: series.map((p) => p.p99Ms), color: 'var(--ad-s3)', dash: '2 3' },
    ];
    return { times: series.map((p) => p.t), lines };
  }, [series]);
  return (
    <TimeSeriesChart
      title="Latency"
      testId="latency"
      subtitle={windowText(snapshot)}
      times={times}
      lines={lines}
      format={fmtMs}
      aggregate="max"
      {...(buckets === undefined ? {} : { buckets })}
    />
  );
});

/**
 * Requests per second and errors per second per interval, with a table view.
 *
 * @example
 * ```tsx
 * <ThroughputChart snapshot={snapshot} />
 * ```
 */
export const ThroughputChart = memo(function ThroughputChart({ snapshot, buckets }: ChartPanelProps) {
  const series = snapshot.requests.series;
  const seconds = snapshot.window.resolutionMs / 1000;
  const { times, lines } = useMemo(() => {
    const lines: ChartLine[] = [
      { label: 'requests', values: series.map((p) => p.count / seconds), color: 'var(--ad-s1)' },
      { label: 'errors', values: series.map((p) => p.errors / seconds), color: 'var(--ad-s3)', dash: '6 3' },
    ];
    return { times: series.map((p) => p.t), lines };
  }, [series, seconds]);
  return (
    <TimeSeriesChart
      title="Throughput"
      testId="throughput"
      subtitle={windowText(snapshot)}
      times={times}
      lines={lines}
      format={fmtRate}
      aggregate="mean"
      {...(buckets === undefined ? {} : { buckets })}
    />
  );
});

/**
 * Share of requests that failed (5xx or thrown) per interval; intervals without requests are
 * gaps, not zeros.
 *
 * @example
 * ```tsx
 * <ErrorRateChart snapshot={snapshot} />
 * ```
 */
export const ErrorRateChart = memo(function ErrorRateChart({ snapshot, buckets }: ChartPanelProps) {
  const series = snapshot.requests.series;
  const { times, lines } = useMemo(() => {
    const lines: ChartLine[] = [
      { label: 'error rate', values: series.map((p) => (p.count > 0 ? p.errors / p.count : null)), color: 'var(--ad-s3)' },
    ];
    return { times: series.map((p) => p.t), lines };
  }, [series]);
  return (
    <TimeSeriesChart
      title="Error rate"
      testId="error-rate"
      subtitle={`${windowText(snapshot)} · overall ${formatPercent(snapshot.requests.totals.errorRate)}`}
      times={times}
      lines={lines}
      format={fmtPct}
      aggregate="mean"
      {...(buckets === undefined ? {} : { buckets })}
    />
  );
});

import { memo } from 'react';
import { formatBytes, formatCount, formatDuration, formatMs, formatPercent } from '../format.js';
import type { MonitoringSnapshot, SloObjective } from '../types.js';
import { Clip, Panel, StatusBadge, useUnavailable, type Tone } from '../ui.js';

/** Props of {@link SloScorecard}. */
export interface SloScorecardProps {
  /** The snapshot whose `slo` section to show (the panel renders nothing without one). */
  snapshot: MonitoringSnapshot;
}

const STATUS: Record<string, { tone: Tone; text: string; rank: number }> = {
  missed: { tone: 'fail', text: 'Missed', rank: 0 },
  insufficient_data: { tone: 'unknown', text: 'Not enough data', rank: 1 },
  met: { tone: 'pass', text: 'Met', rank: 2 },
};
const KIND_ORDER: Record<string, number> = { availability: 0, errorRate: 1, serverLatency: 2, pageLoad: 3, cacheHitRate: 4, bundleSize: 5 };

/**
 * A ratio near 1 with the digits an SLO needs: `0.99973` → `"99.97%"`, truncated (never rounded
 * up onto a target it does not reach); other ratios as `formatPercent`.
 */
function formatRatio(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return '—';
  if (ratio >= 0.99 && ratio < 1) return `${(Math.floor(ratio * 10_000) / 100).toFixed(2)}%`;
  return formatPercent(ratio);
}

function value(o: SloObjective, v: number | null): string {
  return o.unit === 'ms' ? formatMs(v) : o.unit === 'bytes' ? formatBytes(v) : formatRatio(v);
}

const TREND: Record<string, { icon: string; text: string }> = {
  better: { icon: '↗', text: 'better' },
  worse: { icon: '↘', text: 'worse' },
  steady: { icon: '→', text: 'steady' },
};

/**
 * The SLO scorecard (`@armor/metrics/slo`): one row per target — and per operation or page route
 * for the latency and page-load targets — with the target, the actual value, the status (**Met**,
 * **Missed** in red, or **Not enough data**: too few samples is never shown as met), the trend
 * against the previous window, and the samples behind it; availability also shows the share of its
 * error budget left and the span it covers (up to 30 days). Renders nothing for a snapshot without
 * an `slo` section. Fleet snapshots show the same panel when their server adds the section.
 *
 * @example
 * ```tsx
 * <SloScorecard snapshot={snapshot} />
 * ```
 */
export const SloScorecard = memo(function SloScorecard({ snapshot }: SloScorecardProps) {
  const slo = snapshot.slo;
  const unavailable = useUnavailable('slo');
  if (slo === undefined && unavailable === undefined) return null;
  const objectives = [...(slo?.objectives ?? [])].sort(
    (a, b) => (KIND_ORDER[a.kind] ?? 9) - (KIND_ORDER[b.kind] ?? 9) || (STATUS[a.status]?.rank ?? 1) - (STATUS[b.status]?.rank ?? 1),
  );
  const missed = objectives.filter((o) => o.status === 'missed').length;
  const unknown = objectives.filter((o) => o.status !== 'missed' && o.status !== 'met').length;
  const summary: { tone: Tone; text: string } | null =
    objectives.length === 0 ? null : missed > 0 ? { tone: 'fail', text: `${missed} missed` } : unknown > 0 ? { tone: 'unknown', text: `${unknown} without enough data` } : { tone: 'pass', text: 'All met' };
  return (
    <Panel title="SLO scorecard" testId="slo" wide actions={summary ? <StatusBadge tone={summary.tone}>{summary.text}</StatusBadge> : null}>
      {objectives.length === 0 ? (
        <p className="ad-empty">No targets declared.</p>
      ) : (
        <div className="ad-table-wrap" tabIndex={0} role="region" aria-label="SLO scorecard table">
          <table className="ad-table ad-short-cols">
            <caption>
              Actual values over the last {slo ? formatDuration(slo.windowMs / 1000) : '—'}; trend against the window before
              {slo?.omitted ? ` (${formatCount(slo.omitted)} more operations or routes not listed)` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Objective</th>
                <th scope="col" className="ad-num">Target</th>
                <th scope="col" className="ad-num">Actual</th>
                <th scope="col">Status</th>
                <th scope="col">Trend</th>
                <th scope="col" className="ad-num">Samples</th>
              </tr>
            </thead>
            <tbody>
              {objectives.map((o, i) => {
                const s = STATUS[o.status] ?? STATUS.insufficient_data!;
                const trend = o.trend === null ? undefined : TREND[o.trend];
                return (
                  <tr key={`${i}:${o.kind}:${o.subject ?? ''}`} data-slo={o.kind} data-status={o.status}>
                    <th scope="row">
                      <Clip text={o.name} />
                      {o.subject !== undefined ? (
                        <div className="ad-muted ad-code" style={{ fontWeight: 'normal' }}>
                          <Clip text={o.subject} />
                        </div>
                      ) : null}
                    </th>
                    <td className="ad-num">
                      {o.direction === 'below' ? '< ' : '> '}
                      {value(o, o.target)}
                    </td>
                    <td className="ad-num">
                      {value(o, o.actual)}
                      {o.budgetRemaining !== undefined ? (
                        <div className="ad-muted" data-budget="">
                          budget left {o.budgetRemaining <= 0 ? <StatusBadge tone="fail">{formatBudget(o.budgetRemaining)}</StatusBadge> : formatBudget(o.budgetRemaining)}
                          {o.budgetWindowSeconds !== undefined ? ` over ${formatDuration(o.budgetWindowSeconds)}` : ''}
                        </div>
                      ) : null}
                    </td>
                    <td>
                      <StatusBadge tone={s.tone}>{s.text}</StatusBadge>
                      {o.note !== undefined && o.status !== 'met' && o.status !== 'missed' ? (
                        <div className="ad-muted" style={{ fontSize: 12 }}>
                          <Clip text={o.note} />
                        </div>
                      ) : null}
                    </td>
                    <td className="ad-nw" title={o.previous === null ? undefined : `previous window: ${value(o, o.previous)}`}>
                      {trend ? (
                        <span data-trend={o.trend}>
                          <span aria-hidden="true">{trend.icon} </span>
                          {trend.text}
                        </span>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td className="ad-num">
                      {formatCount(o.samples)}
                      {o.samples < o.minSamples ? <span className="ad-muted"> / {formatCount(o.minSamples)}</span> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
});

/** Share of the error budget left: `0.42` → `"42%"`, spent → `"spent (-150%)"`. */
function formatBudget(remaining: number): string {
  if (!Number.isFinite(remaining)) return '—';
  if (remaining <= 0) return `spent (${Math.round(remaining * 100)}%)`;
  return formatPercent(Math.min(1, remaining));
}

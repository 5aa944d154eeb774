/**
 * A hand-rolled, accessible SVG line chart with a table alternative (internal).
 *
 * @module
 */
import { useId, useMemo, useState } from 'react';
import { downsampleMinMax, groupRanges, linePath, niceCeil } from './downsample.js';
import { formatClock, formatDateTime } from './format.js';
import { Panel } from './ui.js';

/** One line of a chart. */
export interface ChartLine {
  /** Legend and table column label, e.g. `p95`. */
  label: string;
  /** One value per series point; `null` = no data. */
  values: readonly (number | null)[];
  /** CSS colour, usually a variable such as `var(--ad-s1)`. */
  color: string;
  /** SVG `stroke-dasharray`, so lines differ by more than colour. */
  dash?: string;
}

/** Props of the internal time-series chart. */
export interface TimeSeriesChartProps {
  /** Panel heading and accessible name, e.g. `Latency`. */
  title: string;
  /** `data-panel` attribute value. */
  testId: string;
  /** Text under the heading, e.g. the window. */
  subtitle?: string;
  /** Interval start times (epoch ms), one per point. */
  times: readonly number[];
  /** The lines. */
  lines: readonly ChartLine[];
  /** Value → text, e.g. `formatMs`. */
  format: (value: number | null) => string;
  /** How a table row aggregates several intervals: `max` (latency) or `mean` (rates). */
  aggregate: 'max' | 'mean';
  /** Horizontal resolution for downsampling (points per line ≈ 2 × buckets). @default 240 */
  buckets?: number;
  /** Maximum rows of the table view. @default 48 */
  tableRows?: number;
}

const W = 420;
const H = 150;
const PAD = { top: 8, right: 6, bottom: 20, left: 52 };

/** Line chart over time; "Table" toggles an accessible table with aggregated rows. */
export function TimeSeriesChart({ title, testId, subtitle, times, lines, format, aggregate, buckets = 240, tableRows = 48 }: TimeSeriesChartProps) {
  const [view, setView] = useState<'chart' | 'table'>('chart');
  const id = useId();
  const n = times.length;

  const model = useMemo(() => {
    let max = 0;
    const sampled = lines.map((line) => {
      const points = downsampleMinMax(line.values, buckets);
      for (const p of points) if (p !== null && p.v > max) max = p.v;
      return points;
    });
    const top = niceCeil(max);
    const innerW = W - PAD.left - PAD.right;
    const innerH = H - PAD.top - PAD.bottom;
    const x = (i: number) => PAD.left + (n <= 1 ? innerW / 2 : (i / (n - 1)) * innerW);
    const y = (v: number) => PAD.top + innerH - (Math.min(v, top) / top) * innerH;
    const paths = sampled.map((points) => linePath(points, x, y));
    const summaries = lines.map((line) => {
      let last: number | null = null;
      let peak: number | null = null;
      for (let i = line.values.length - 1; i >= 0; i--) {
        const v = line.values[i];
        if (v === null || v === undefined || !Number.isFinite(v)) continue;
        if (last === null) last = v;
        if (peak === null || v > peak) peak = v;
      }
      return `${line.label}: latest ${format(last)}, peak ${format(peak)}`;
    });
    return { top, paths, y, summaries };
  }, [lines, n, buckets, format]);

  const table = useMemo(() => {
    if (view !== 'table') return null;
    return groupRanges(n, tableRows).map(([start, end]) => ({
      start: times[start] ?? 0,
      cells: lines.map((line) => aggregateRange(line.values, start, end, aggregate)),
    }));
  }, [view, n, tableRows, times, lines, aggregate]);

  const ticks = [0, 0.5, 1].map((f) => f * model.top);
  const first = times[0];
  const last = times[n - 1];
  const span = first !== undefined && last !== undefined ? last - first : 0;
  const perRow = n > 0 ? Math.ceil(n / Math.min(n, tableRows)) : 1;

  return (
    <Panel
      title={title}
      testId={testId}
      actions={
        <button type="button" aria-pressed={view === 'table'} onClick={() => setView(view === 'chart' ? 'table' : 'chart')}>
          {view === 'chart' ? 'Show table' : 'Show chart'}
          <span className="ad-vh"> for {title}</span>
        </button>
      }
    >
      <div className="ad-chart">
      {subtitle ? <p className="ad-sub" style={{ margin: '0 0 4px', fontSize: 12 }}>{subtitle}</p> : null}
      {n === 0 ? (
        <p className="ad-empty">No data in this window yet.</p>
      ) : view === 'chart' ? (
        <figure style={{ margin: 0 }}>
          <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-t ${id}-d`}>
            <title id={`${id}-t`}>{`${title} chart`}</title>
            <desc id={`${id}-d`}>{`${first !== undefined ? axisTime(first, span) : ''} to ${last !== undefined ? axisTime(last, span) : ''}. ${model.summaries.join('; ')}`}</desc>
            {ticks.map((v) => (
              <g key={v}>
                <line x1={PAD.left} x2={W - PAD.right} y1={model.y(v)} y2={model.y(v)} stroke="var(--ad-grid)" strokeWidth="1" />
                <text x={PAD.left - 6} y={model.y(v) + 4} textAnchor="end">
                  {format(v)}
                </text>
              </g>
            ))}
            {first !== undefined ? (
              <text x={PAD.left} y={H - 6} textAnchor="start">
                {axisTime(first, span)}
              </text>
            ) : null}
            {last !== undefined && n > 1 ? (
              <text x={W - PAD.right} y={H - 6} textAnchor="end">
                {axisTime(last, span)}
              </text>
            ) : null}
            {lines.map((line, k) => (
              <path
                key={line.label}
                d={model.paths[k]}
                fill="none"
                stroke={line.color}
                strokeWidth="1.5"
                strokeLinejoin="round"
                strokeDasharray={line.dash}
                vectorEffect="non-scaling-stroke"
              />
            ))}
          </svg>
          <figcaption>
            <ul className="ad-legend">
              {lines.map((line, k) => (
                <li key={line.label}>
                  <svg width="24" height="8" aria-hidden="true" focusable="false">
                    <line x1="0" x2="24" y1="4" y2="4" stroke={line.color} strokeWidth="2" strokeDasharray={line.dash} />
                  </svg>
                  <span>{model.summaries[k]}</span>
                </li>
              ))}
            </ul>
          </figcaption>
        </figure>
      ) : (
        <div className="ad-table-wrap" tabIndex={0} role="group" aria-label={`${title} table`}>
          <table className="ad-table">
            <caption>
              {title}
              {perRow > 1 ? ` — each row covers ${perRow} intervals (${aggregate === 'max' ? 'highest' : 'average'} value shown)` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">From</th>
                {lines.map((line) => (
                  <th scope="col" className="ad-num" key={line.label}>
                    {line.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table?.map((row, r) => (
                <tr key={r}>
                  <th scope="row">{axisTime(row.start, span)}</th>
                  {row.cells.map((v, k) => (
                    <td className="ad-num" key={k}>
                      {format(v)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      </div>
    </Panel>
  );
}

/** Time label: `HH:MM:SS`, or `YYYY-MM-DD HH:MM:SS` when the chart spans more than 12 hours. */
function axisTime(t: number, span: number): string {
  return span > 12 * 3_600_000 ? formatDateTime(t) : formatClock(t);
}

function aggregateRange(values: readonly (number | null)[], start: number, end: number, how: 'max' | 'mean'): number | null {
  let acc: number | null = null;
  let count = 0;
  for (let i = start; i < end; i++) {
    const v = values[i];
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    count++;
    acc = acc === null ? v : how === 'max' ? Math.max(acc, v) : acc + v;
  }
  if (acc === null) return null;
  return how === 'max' ? acc : acc / count;
}

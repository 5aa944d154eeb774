import { memo, useId } from 'react';
import { formatCount, formatMs, formatPercent } from '../format.js';
import type { FleetAwareSnapshot, FleetInstanceStats, FleetRange, MonitoringSnapshot } from '../types.js';
import { Panel, StatusBadge, type Tone } from '../ui.js';

/** The ranges offered by {@link FleetSelector}, in order, with their labels. */
export const FLEET_RANGES: readonly { range: FleetRange; label: string }[] = [
  { range: '15m', label: '15 min' },
  { range: '1h', label: '1 h' },
  { range: '6h', label: '6 h' },
  { range: '24h', label: '24 h' },
];

/** What the user picked in {@link FleetSelector}: an instance (`null` = the whole fleet) and a range. */
export interface FleetSelection {
  /** The instance's name, or `null` for the whole fleet. */
  instance: string | null;
  /** The time range. */
  range: FleetRange;
}

/** Props of {@link FleetSelector}. */
export interface FleetSelectorProps {
  /** The snapshot; without a `fleet` section nothing is rendered. */
  snapshot: MonitoringSnapshot;
  /**
   * The selection to show (what the user picked, possibly still loading).
   * @default the snapshot's own `fleet.instance` and `fleet.range`
   */
  selection?: FleetSelection | undefined;
  /** Called when the user picks an instance or a range. Without it the selectors are read-only (disabled). */
  onChange?: ((selection: FleetSelection) => void) | undefined;
  /** A snapshot for the new selection is loading (`aria-busy`, a "Loading…" note). @default false */
  pending?: boolean | undefined;
}

function markerOf(i: FleetInstanceStats): { tone: Tone; text: string } {
  if (!i.up) return { tone: 'fail', text: 'Down' };
  if (i.ready === false) return { tone: 'warn', text: 'Not ready' };
  return { tone: 'pass', text: i.ready === true ? 'Ready' : 'Up' };
}

/**
 * The instance and time-range selectors of a fleet snapshot (`@armor/fleet`): "Fleet" (every
 * instance) or one instance — each with an up/ready marker (icon and text) and its requests,
 * errors and p95 over the range — and the range (15 min, 1 h, 6 h, 24 h). Renders nothing for a
 * single-process snapshot (no `fleet` section). Native radio buttons and a select, so it is
 * fully keyboard usable.
 *
 * @example
 * ```tsx
 * <FleetSelector snapshot={snapshot} onChange={({ instance, range }) => setQuery({ instance: instance ?? '', range })} />
 * ```
 */
export const FleetSelector = memo(function FleetSelector({ snapshot, selection, onChange, pending = false }: FleetSelectorProps) {
  const id = useId();
  const fleet = (snapshot as FleetAwareSnapshot).fleet;
  if (!fleet) return null;
  const instances = Array.isArray(fleet.instances) ? fleet.instances : [];
  const selected = selection ? selection.instance : fleet.instance;
  const range = selection ? selection.range : fleet.range;
  const pick = (instance: string | null) => onChange?.({ instance, range: range ?? '15m' });
  const disabled = onChange === undefined;
  let count = 0;
  let errors = 0;
  let up = 0;
  for (const i of instances) {
    count += Number.isFinite(i.count) ? i.count : 0;
    errors += Number.isFinite(i.errors) ? i.errors : 0;
    if (i.up) up++;
  }
  const name = `${id}-instance`;
  const rangeSelect = (
    <>
      <label htmlFor={`${id}-range`}>Range</label>
      <select id={`${id}-range`} value={range ?? ''} disabled={disabled} onChange={(e) => onChange?.({ instance: selected, range: e.target.value as FleetRange })}>
        {range === null ? <option value="">—</option> : null}
        {FLEET_RANGES.map((r) => (
          <option key={r.range} value={r.range}>
            {r.label}
          </option>
        ))}
      </select>
      {pending ? (
        <span className="ad-muted" role="status">
          Loading…
        </span>
      ) : null}
    </>
  );
  const row = (key: string, value: string | null, label: string, marker: { tone: Tone; text: string } | null, c: number, e: number, p95: number | null | undefined) => (
    <tr key={key} data-instance={value ?? ''} data-selected={selected === value ? '' : undefined}>
      <th scope="row">
        <label className="ad-row" style={{ gap: 6, flexWrap: 'nowrap' }}>
          <input type="radio" name={name} checked={selected === value} disabled={disabled} onChange={() => pick(value)} style={{ minHeight: 0 }} />
          <span style={{ wordBreak: 'break-word' }}>{label}</span>
        </label>
      </th>
      <td>{marker ? <StatusBadge tone={marker.tone}>{marker.text}</StatusBadge> : `${formatCount(up)} of ${formatCount(instances.length)} up`}</td>
      <td className="ad-num">{formatCount(c)}</td>
      <td className="ad-num">
        {formatCount(e)} <span className="ad-muted">({c > 0 ? formatPercent(e / c) : '—'})</span>
      </td>
      <td className="ad-num">{p95 === undefined ? '—' : formatMs(p95)}</td>
    </tr>
  );
  return (
    <Panel title="Fleet" testId="fleet" wide actions={rangeSelect}>
      <div className="ad-table-wrap" tabIndex={0} role="region" aria-label="Instances" aria-busy={pending}>
        <table className="ad-table">
          <thead>
            <tr>
              <th scope="col">Show</th>
              <th scope="col">Status</th>
              <th scope="col" className="ad-num">
                Requests
              </th>
              <th scope="col" className="ad-num">
                Errors
              </th>
              <th scope="col" className="ad-num">
                p95
              </th>
            </tr>
          </thead>
          <tbody>
            {row('(fleet)', null, `Fleet (${formatCount(instances.length)} ${instances.length === 1 ? 'instance' : 'instances'})`, null, count, errors, fleet.instance === null ? snapshot.requests.totals.p95Ms : undefined)}
            {instances.map((i, n) => row(`${n}:${i.instance}`, i.instance, i.instance, markerOf(i), i.count, i.errors, i.p95Ms))}
          </tbody>
        </table>
      </div>
    </Panel>
  );
});

import { memo, useId } from 'react';
import { formatAgo, formatClock, formatInterval } from '../format.js';
import { systemClock, type Clock } from '../types.js';
import { useNow } from '../use-now.js';

/** The refresh intervals offered by default (ms): off, 5 s, 10 s, 30 s, 1 min, 5 min. */
export const REFRESH_INTERVALS: readonly number[] = [0, 5_000, 10_000, 30_000, 60_000, 300_000];

/** Props of {@link RefreshControl}. */
export interface RefreshControlProps {
  /** Current auto-refresh interval (ms); 0 = off. */
  intervalMs: number;
  /** Called with the interval the user picked (ms; 0 = off). */
  onIntervalChange: (intervalMs: number) => void;
  /** Intervals offered (ms; 0 = off). @default {@link REFRESH_INTERVALS} */
  intervals?: readonly number[];
  /** Whether auto-refresh is paused by the user. @default false */
  paused?: boolean;
  /** Called when the user presses Pause/Resume. Omit to hide the button. */
  onPausedChange?: (paused: boolean) => void;
  /** Called by "Refresh now". Omit to hide the button. */
  onRefresh?: () => void;
  /** A refresh is in flight (the button is disabled, status says "Refreshing…"). @default false */
  refreshing?: boolean;
  /** When data was last loaded (epoch ms); `null` = never. */
  updatedAt: number | null;
  /** The tab is hidden, so refresh is suspended. @default false */
  hidden?: boolean;
  /** Time source for "updated N s ago". @default Date.now */
  clock?: Clock;
}

/**
 * Interval picker (off, 5 s, 10 s, 30 s, 1 min, 5 min), Pause/Resume, "Refresh now" and an
 * "Updated N s ago" status. All native controls, so it is fully keyboard usable.
 *
 * @example
 * ```tsx
 * <RefreshControl intervalMs={ms} onIntervalChange={setMs} updatedAt={updatedAt} onRefresh={refetch} />
 * ```
 */
export const RefreshControl = memo(function RefreshControl({
  intervalMs,
  onIntervalChange,
  intervals = REFRESH_INTERVALS,
  paused = false,
  onPausedChange,
  onRefresh,
  refreshing = false,
  updatedAt,
  hidden = false,
  clock = systemClock,
}: RefreshControlProps) {
  const id = useId();
  const now = useNow(clock, 1000, updatedAt !== null);
  const options = intervals.includes(intervalMs) ? intervals : [...intervals, intervalMs].sort((a, b) => a - b);
  const state = refreshing
    ? 'Refreshing…'
    : updatedAt === null
      ? 'Not loaded yet'
      : `Updated ${formatAgo(updatedAt, Math.max(now, updatedAt))}`;
  const note = intervalMs <= 0 ? '' : paused ? ' · paused' : hidden ? ' · paused while tab is hidden' : '';
  return (
    <div className="ad-row" role="group" aria-label="Refresh" data-panel="refresh">
      <label htmlFor={`${id}-i`}>Auto-refresh</label>
      <select id={`${id}-i`} value={intervalMs} onChange={(e) => onIntervalChange(Number(e.target.value))}>
        {options.map((ms) => (
          <option key={ms} value={ms}>
            {formatInterval(ms)}
          </option>
        ))}
      </select>
      {onPausedChange ? (
        <button type="button" aria-pressed={paused} disabled={intervalMs <= 0} onClick={() => onPausedChange(!paused)}>
          {paused ? 'Resume' : 'Pause'}
        </button>
      ) : null}
      {onRefresh ? (
        <button type="button" onClick={onRefresh} disabled={refreshing}>
          Refresh now
        </button>
      ) : null}
      <span className="ad-muted" data-testid="updated" title={updatedAt === null ? undefined : formatClock(updatedAt)} suppressHydrationWarning>
        {state}
        {note}
      </span>
    </div>
  );
});

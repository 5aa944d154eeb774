import { memo, useMemo, useState } from 'react';
import { formatCount, formatDateTime, formatMs } from '../format.js';
import type { MonitoringSnapshot, SlowOperation } from '../types.js';
import { Pager, Panel, StatusBadge, clampPage } from '../ui.js';

/** Props of {@link SlowOperations}. */
export interface SlowOperationsProps {
  /** The snapshot whose `slowOperations` to list. */
  snapshot: MonitoringSnapshot;
  /** Rows per page. @default 25 */
  pageSize?: number;
}

/** Sortable columns of {@link SlowOperations}. */
export type SlowSortKey = 'duration' | 'name' | 'time';

const COMPARE: Record<SlowSortKey, (a: SlowOperation, b: SlowOperation) => number> = {
  duration: (a, b) => a.durationMs - b.durationMs,
  name: (a, b) => a.name.localeCompare(b.name),
  time: (a, b) => a.at - b.at,
};

/**
 * Operations slower than their threshold, in a table sortable by duration, name or time (click
 * or press Enter on a column header; `aria-sort` announces the order). Paginated.
 *
 * @example
 * ```tsx
 * <SlowOperations snapshot={snapshot} />
 * ```
 */
export const SlowOperations = memo(function SlowOperations({ snapshot, pageSize = 25 }: SlowOperationsProps) {
  const ops = snapshot.slowOperations;
  const [sort, setSort] = useState<{ key: SlowSortKey; dir: 'asc' | 'desc' }>({ key: 'duration', dir: 'desc' });
  const [page, setPage] = useState(0);
  const size = Math.max(1, Math.floor(pageSize));
  const sorted = useMemo(() => {
    const sign = sort.dir === 'asc' ? 1 : -1;
    return [...ops].sort((a, b) => sign * COMPARE[sort.key](a, b));
  }, [ops, sort]);
  const pageCount = Math.max(1, Math.ceil(sorted.length / size));
  const current = clampPage(page, pageCount);
  const rows = sorted.slice(current * size, current * size + size);

  const header = (key: SlowSortKey, label: string, numeric = false) => {
    const active = sort.key === key;
    return (
      <th scope="col" className={numeric ? 'ad-num' : undefined} aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
        <button
          type="button"
          className="ad-sort"
          onClick={() => {
            setSort(active ? { key, dir: sort.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: key === 'name' ? 'asc' : 'desc' });
            setPage(0);
          }}
        >
          {label}
          <span aria-hidden="true">{active ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ' ↕'}</span>
        </button>
      </th>
    );
  };

  return (
    <Panel title="Slow operations" testId="slow" wide>
      {ops.length === 0 ? (
        <p className="ad-empty">No slow operations recorded.</p>
      ) : (
        <>
          <div className="ad-table-wrap">
            <table className="ad-table">
              <caption>
                {formatCount(ops.length)} operations over their threshold, sorted by {sort.key} ({sort.dir === 'asc' ? 'ascending' : 'descending'})
              </caption>
              <thead>
                <tr>
                  {header('name', 'Operation')}
                  {header('duration', 'Duration', true)}
                  <th scope="col" className="ad-num">
                    Threshold
                  </th>
                  {header('time', 'Finished')}
                  <th scope="col">Result</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((op, k) => (
                  <tr key={`${op.name}-${op.at}-${k}`}>
                    <td>
                      <div className="ad-code">{op.name}</div>
                      {op.summary ? <div className="ad-muted ad-code" style={{ wordBreak: 'break-word' }}>{op.summary}</div> : null}
                    </td>
                    <td className="ad-num">{formatMs(op.durationMs)}</td>
                    <td className="ad-num">{formatMs(op.thresholdMs)}</td>
                    <td>{formatDateTime(op.at)}</td>
                    <td>{op.failed ? <StatusBadge tone="fail">Failed</StatusBadge> : <StatusBadge tone="pass">OK</StatusBadge>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={current} pageCount={pageCount} onPage={setPage} label="Slow operations" />
        </>
      )}
    </Panel>
  );
});

import { memo, useMemo, useState } from 'react';
import { formatCount, formatMs, formatPercent } from '../format.js';
import type { MonitoringSnapshot } from '../types.js';
import { Clip, Pager, Panel, StatusBadge, clampPage } from '../ui.js';

/** Props of {@link RouteTable}. */
export interface RouteTableProps {
  /** The snapshot whose `requests.routes` to list. */
  snapshot: MonitoringSnapshot;
  /** Rows per page. @default 20 */
  pageSize?: number;
}

/**
 * Per-route traffic: method, route pattern, requests, errors (5xx or thrown), error share and
 * p50/p95/p99 latency over the window, busiest routes first. Paginated.
 *
 * @example
 * ```tsx
 * <RouteTable snapshot={snapshot} />
 * ```
 */
export const RouteTable = memo(function RouteTable({ snapshot, pageSize = 20 }: RouteTableProps) {
  const routes = snapshot.requests.routes;
  const [page, setPage] = useState(0);
  const size = Math.max(1, Math.floor(pageSize));
  const sorted = useMemo(() => [...routes].sort((a, b) => (b.count || 0) - (a.count || 0) || (b.errors || 0) - (a.errors || 0)), [routes]);
  const pageCount = Math.max(1, Math.ceil(sorted.length / size));
  const current = clampPage(page, pageCount);
  const rows = sorted.slice(current * size, current * size + size);
  return (
    <Panel title="Routes" testId="routes" wide>
      {routes.length === 0 ? (
        <p className="ad-empty">No routes recorded in this window.</p>
      ) : (
        <>
          <div className="ad-table-wrap" tabIndex={0} role="region" aria-label="Routes table">
            <table className="ad-table">
              <caption className="ad-vh">Requests per route over the window, busiest first</caption>
              <thead>
                <tr>
                  <th scope="col">Route</th>
                  <th scope="col" className="ad-num">Requests</th>
                  <th scope="col" className="ad-num">Errors (5xx)</th>
                  <th scope="col" className="ad-num">Error %</th>
                  <th scope="col" className="ad-num">p50</th>
                  <th scope="col" className="ad-num">p95</th>
                  <th scope="col" className="ad-num">p99</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r, i) => {
                  const rate = r.count > 0 ? r.errors / r.count : null;
                  return (
                    <tr key={`${i}:${r.method} ${r.route}`}>
                      <th scope="row" className="ad-code" style={{ fontWeight: 'normal' }}>
                        <Clip text={`${r.method} ${r.route}`}>
                          <strong>{r.method}</strong> {r.route}
                        </Clip>
                      </th>
                      <td className="ad-num">{formatCount(r.count)}</td>
                      <td className="ad-num">{r.errors > 0 ? <StatusBadge tone="fail">{formatCount(r.errors)}</StatusBadge> : formatCount(r.errors)}</td>
                      <td className="ad-num">{formatPercent(rate)}</td>
                      <td className="ad-num">{formatMs(r.p50Ms)}</td>
                      <td className="ad-num">{formatMs(r.p95Ms)}</td>
                      <td className="ad-num">{formatMs(r.p99Ms)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <Pager page={current} pageCount={pageCount} onPage={setPage} label="Routes" />
        </>
      )}
    </Panel>
  );
});

/** Props of {@link StatusBreakdown}. */
export interface StatusBreakdownProps {
  /** The snapshot whose error groups to break down by HTTP status. */
  snapshot: MonitoringSnapshot;
}

/**
 * Client errors (4xx) versus server errors (5xx), counted from the tracked error groups, with
 * the occurrences of each status code. 4xx are usually the caller's problem; 5xx are ours.
 *
 * @example
 * ```tsx
 * <StatusBreakdown snapshot={snapshot} />
 * ```
 */
export const StatusBreakdown = memo(function StatusBreakdown({ snapshot }: StatusBreakdownProps) {
  const groups = snapshot.errors.groups;
  const { client, server, other, codes } = useMemo(() => {
    let client = 0;
    let server = 0;
    let other = 0;
    const byCode = new Map<number, number>();
    for (const g of groups) {
      const n = Number.isFinite(g.count) ? g.count : 0;
      const status = Number.isFinite(g.status) ? g.status : 0;
      if (status >= 400 && status < 500) client += n;
      else if (status >= 500 && status < 600) server += n;
      else other += n;
      byCode.set(status, (byCode.get(status) ?? 0) + n);
    }
    const codes = [...byCode].sort((a, b) => b[1] - a[1]);
    return { client, server, other, codes };
  }, [groups]);
  const total = client + server + other;
  const share = (n: number) => (total === 0 ? null : n / total);
  return (
    <Panel title="Status codes" testId="status-codes">
      {total === 0 ? (
        <p className="ad-empty">No error status codes in this window.</p>
      ) : (
        <>
          <dl className="ad-tiles">
            <div className="ad-tile" data-status-class="4xx">
              <dt>4xx client</dt>
              <dd>
                {formatCount(client)} <span className="ad-muted" style={{ fontSize: 12 }}>({formatPercent(share(client))})</span>
              </dd>
            </div>
            <div className="ad-tile" data-status-class="5xx">
              <dt>5xx server</dt>
              <dd>
                {formatCount(server)} <span className="ad-muted" style={{ fontSize: 12 }}>({formatPercent(share(server))})</span>
              </dd>
            </div>
            {other > 0 ? (
              <div className="ad-tile">
                <dt>Other</dt>
                <dd>{formatCount(other)}</dd>
              </div>
            ) : null}
          </dl>
          <ul className="ad-list" aria-label="Errors by status code">
            {codes.slice(0, 8).map(([status, n]) => (
              <li key={status} className="ad-row">
                <StatusBadge tone={status >= 500 ? 'fail' : 'warn'}>{status || '?'}</StatusBadge>
                <span>
                  {formatCount(n)} {n === 1 ? 'occurrence' : 'occurrences'}
                </span>
              </li>
            ))}
          </ul>
          <p className="ad-muted" style={{ fontSize: 12, margin: '4px 0 0' }}>
            Counted from the tracked error groups.
          </p>
        </>
      )}
    </Panel>
  );
});

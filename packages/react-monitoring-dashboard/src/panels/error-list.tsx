import { memo, useDeferredValue, useId, useMemo, useState } from 'react';
import { formatCount, formatDateTime } from '../format.js';
import type { ErrorGroup, ErrorGroupSighting, MonitoringSnapshot, SightedErrorGroup } from '../types.js';
import { Pager, Panel, clampPage } from '../ui.js';

/** Props of {@link ErrorList}. */
export interface ErrorListProps {
  /** The snapshot whose `errors.groups` to list. */
  snapshot: MonitoringSnapshot;
  /**
   * Groups per page; long lists are paginated so thousands of groups render in milliseconds.
   * @default 20
   */
  pageSize?: number;
}

/** Orders of {@link ErrorList}. */
export type ErrorSort = 'lastSeen' | 'count' | 'firstSeen';

const SORTS: Record<ErrorSort, { label: string; compare: (a: ErrorGroup, b: ErrorGroup) => number }> = {
  lastSeen: { label: 'Last seen', compare: (a, b) => b.lastSeen - a.lastSeen },
  count: { label: 'Count', compare: (a, b) => b.count - a.count || b.lastSeen - a.lastSeen },
  firstSeen: { label: 'First seen', compare: (a, b) => b.firstSeen - a.firstSeen },
};

/**
 * Error tracking: groups of errors sharing a fingerprint with code, HTTP status, count, first and
 * last seen, and an expandable sample (message, stack, context). Filter by text, sort by last
 * seen / count / first seen; paginated. Groups of a fleet snapshot (with `seen`) also show the
 * first and last release they were seen in, on how many instances, and an expandable table of
 * every release × instance sighting.
 *
 * @example
 * ```tsx
 * <ErrorList snapshot={snapshot} pageSize={50} />
 * ```
 */
export const ErrorList = memo(function ErrorList({ snapshot, pageSize = 20 }: ErrorListProps) {
  const { groups, totalGroups } = snapshot.errors;
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<ErrorSort>('lastSeen');
  const [page, setPage] = useState(0);
  const [open, setOpen] = useState<ReadonlySet<string>>(() => new Set());
  const deferredQuery = useDeferredValue(query);
  const id = useId();
  const size = Math.max(1, Math.floor(pageSize));

  const filtered = useMemo(() => {
    const q = deferredQuery.trim().toLowerCase();
    const list = q
      ? groups.filter((g) => `${g.code} ${g.status} ${g.name} ${g.message} ${releasesOf(g)}`.toLowerCase().includes(q))
      : [...groups];
    return list.sort(SORTS[sort].compare);
  }, [groups, deferredQuery, sort]);

  const pageCount = Math.max(1, Math.ceil(filtered.length / size));
  const current = clampPage(page, pageCount);
  const visible = filtered.slice(current * size, current * size + size);
  const toggle = (fp: string) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(fp)) next.delete(fp);
      else next.add(fp);
      return next;
    });
  const truncated = totalGroups > groups.length ? ` (${formatCount(totalGroups)} tracked, most recent shown)` : '';

  return (
    <Panel title="Errors" testId="errors" wide>
      {groups.length === 0 ? (
        <p className="ad-empty">No errors recorded in this window.</p>
      ) : (
        <>
          <div className="ad-row" style={{ marginBottom: 8 }}>
            <label htmlFor={`${id}-q`}>Filter</label>
            <input
              id={`${id}-q`}
              type="search"
              value={query}
              placeholder="code, status or message"
              onChange={(e) => {
                setQuery(e.target.value);
                setPage(0);
              }}
            />
            <label htmlFor={`${id}-s`}>Sort by</label>
            <select
              id={`${id}-s`}
              value={sort}
              onChange={(e) => {
                setSort(e.target.value as ErrorSort);
                setPage(0);
              }}
            >
              {(Object.keys(SORTS) as ErrorSort[]).map((key) => (
                <option key={key} value={key}>
                  {SORTS[key].label}
                </option>
              ))}
            </select>
            <span className="ad-muted" aria-live="polite">
              {filtered.length === 0
                ? 'No matching groups'
                : `Showing ${formatCount(current * size + 1)}–${formatCount(current * size + visible.length)} of ${formatCount(filtered.length)} groups${truncated}`}
            </span>
          </div>
          <ul className="ad-list" aria-label="Error groups">
            {visible.map((g) => {
              const expanded = open.has(g.fingerprint);
              const detailId = `${id}-${g.fingerprint}`;
              const seen = (g as SightedErrorGroup).seen;
              const where = seen && seen.length > 0 ? summarize(seen) : null;
              const seenKey = `\u0000seen:${g.fingerprint}`;
              const seenOpen = open.has(seenKey);
              return (
                <li key={g.fingerprint} data-fingerprint={g.fingerprint}>
                  <div className="ad-row">
                    <span className="ad-badge ad-fail">
                      <span className="ad-code">{g.code}</span>
                      <span> · {g.status}</span>
                    </span>
                    <strong style={{ wordBreak: 'break-word' }}>
                      {g.name}: {g.message}
                    </strong>
                  </div>
                  <div className="ad-row ad-muted" style={{ fontSize: 12, marginTop: 2 }}>
                    <span>
                      {formatCount(g.count)} {g.count === 1 ? 'occurrence' : 'occurrences'}
                    </span>
                    <span>first seen {formatDateTime(g.firstSeen)}</span>
                    <span>last seen {formatDateTime(g.lastSeen)}</span>
                    {g.sample ? (
                      <button type="button" aria-expanded={expanded} aria-controls={detailId} onClick={() => toggle(g.fingerprint)}>
                        {expanded ? 'Hide sample' : 'Show sample'}
                        <span className="ad-vh">
                          {' '}
                          of {g.code} {g.status} {g.name}: {clipText(g.message, 80)}
                        </span>
                      </button>
                    ) : null}
                  </div>
                  {where ? (
                    <div className="ad-row ad-muted" style={{ fontSize: 12, marginTop: 2 }} data-testid="error-releases">
                      <span>
                        first in <strong>{where.first.release}</strong> ({where.first.instance})
                      </span>
                      <span>
                        last in <strong>{where.last.release}</strong> ({where.last.instance})
                      </span>
                      <span>
                        {formatCount(where.instances)} {where.instances === 1 ? 'instance' : 'instances'}, {formatCount(where.releases)}{' '}
                        {where.releases === 1 ? 'release' : 'releases'}
                      </span>
                      <button type="button" aria-expanded={seenOpen} aria-controls={`${detailId}-seen`} onClick={() => toggle(seenKey)}>
                        {seenOpen ? 'Hide where seen' : 'Where seen'}
                        <span className="ad-vh">
                          {' '}
                          for {g.code} {g.status} {g.name}: {clipText(g.message, 80)}
                        </span>
                      </button>
                    </div>
                  ) : null}
                  {seen && seenOpen ? (
                    <div className="ad-table-wrap" id={`${detailId}-seen`} style={{ marginTop: 6 }} tabIndex={0} role="region" aria-label={`Where ${g.code} ${g.status} was seen`}>
                      <table className="ad-table">
                        <caption>Seen per release and instance, most recent first</caption>
                        <thead>
                          <tr>
                            <th scope="col">Release</th>
                            <th scope="col">Instance</th>
                            <th scope="col" className="ad-num">
                              Count
                            </th>
                            <th scope="col">First seen</th>
                            <th scope="col">Last seen</th>
                          </tr>
                        </thead>
                        <tbody>
                          {[...seen]
                            .sort((a, b) => b.lastSeen - a.lastSeen)
                            .slice(0, 50)
                            .map((s, n) => (
                              <tr key={`${n}:${s.release}:${s.instance}`}>
                                <td>{s.release}</td>
                                <td>{s.instance}</td>
                                <td className="ad-num">{formatCount(s.count)}</td>
                                <td>{formatDateTime(s.firstSeen)}</td>
                                <td>{formatDateTime(s.lastSeen)}</td>
                              </tr>
                            ))}
                        </tbody>
                      </table>
                    </div>
                  ) : null}
                  {g.sample && expanded ? (
                    <div id={detailId}>
                      <pre className="ad-pre">
                        {g.sample.message}
                        {g.sample.stack ? `\n\n${g.sample.stack}` : ''}
                      </pre>
                      {g.sample.context && Object.keys(g.sample.context).length > 0 ? (
                        <pre className="ad-pre" aria-label="Context">
                          {safeJson(g.sample.context)}
                        </pre>
                      ) : null}
                    </div>
                  ) : null}
                </li>
              );
            })}
          </ul>
          <Pager page={current} pageCount={pageCount} onPage={setPage} label="Errors" />
        </>
      )}
    </Panel>
  );
});

/** The releases and instances of a fleet group, for the filter. */
function releasesOf(g: SightedErrorGroup): string {
  return Array.isArray(g.seen) ? g.seen.map((s) => `${s.release} ${s.instance}`).join(' ') : '';
}

/** The first and last sighting (by time), and how many instances and releases saw the group. */
function summarize(seen: readonly ErrorGroupSighting[]) {
  let first = seen[0]!;
  let last = seen[0]!;
  const instances = new Set<string>();
  const releases = new Set<string>();
  for (const s of seen) {
    if (s.firstSeen < first.firstSeen) first = s;
    if (s.lastSeen > last.lastSeen) last = s;
    instances.add(s.instance);
    releases.add(s.release);
  }
  return { first, last, instances: instances.size, releases: releases.size };
}

function clipText(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}

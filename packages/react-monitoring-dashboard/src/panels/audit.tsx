import { memo, useDeferredValue, useId, useMemo, useState } from 'react';
import { formatAgo, formatCount, formatDateTime, formatDuration } from '../format.js';
import type { AuditEventSummary, AuditStreamStatus, MonitoringSnapshot } from '../types.js';
import { Clip, Pager, Panel, StatusBadge, clampPage, useUnavailable, type Tone } from '../ui.js';

/** Props of {@link AuditPanel}. */
export interface AuditPanelProps {
  /** The snapshot whose `audit` section to show (the panel renders nothing without one). */
  snapshot: MonitoringSnapshot;
  /** Recent events per page. @default 25 */
  pageSize?: number;
}

/** Outcome filter of {@link AuditPanel}: one outcome, or `all`. */
export type AuditOutcomeFilter = 'all' | AuditEventSummary['outcome'];

/** A stream's integrity as the panel shows it. */
function integrityOf(s: AuditStreamStatus): { tone: Tone; text: string; rank: number } {
  // findings win over a stale or contradictory `ok`: never show a stream with findings as clean
  if (s.ok === false || (Number.isFinite(s.findings) && s.findings > 0)) {
    return { tone: 'fail', text: `FINDINGS (${formatCount(Number.isFinite(s.findings) ? Math.max(s.findings, 1) : 1)})`, rank: 0 };
  }
  if (s.ok === true) return { tone: 'pass', text: 'Clean', rank: 2 };
  return { tone: 'unknown', text: 'Not verified yet', rank: 1 };
}

const OUTCOME: Record<string, { tone: Tone; text: string }> = {
  success: { tone: 'pass', text: 'Success' },
  failure: { tone: 'fail', text: 'Failure' },
  denied: { tone: 'warn', text: 'Denied' },
};

/** An ISO time as the dashboard shows times; text that is not a date is shown as it is. */
function timeText(time: string): string {
  const t = Date.parse(time);
  return Number.isFinite(t) ? formatDateTime(t) : time;
}

/**
 * The audit log (`@armor/audit`'s `auditSnapshotSection()`): the integrity of each stream from
 * its latest verification — **Clean**, **FINDINGS (n)** in red, or **Not verified yet** — with
 * its last seq, the entries not yet covered by a checkpoint (unanchored) and the checkpoint's
 * age; then the most recent events (newest first) filtered by stream, action text and outcome,
 * paginated. Renders nothing for a snapshot without an `audit` section.
 *
 * @example
 * ```tsx
 * <AuditPanel snapshot={snapshot} pageSize={50} />
 * ```
 */
export const AuditPanel = memo(function AuditPanel({ snapshot, pageSize = 25 }: AuditPanelProps) {
  const audit = snapshot.audit;
  const unavailable = useUnavailable('audit');
  const streams = audit?.streams ?? EMPTY_STREAMS;
  const recent = audit?.recent ?? EMPTY_EVENTS;
  const [stream, setStream] = useState<string>('');
  const [action, setAction] = useState('');
  const [outcome, setOutcome] = useState<AuditOutcomeFilter>('all');
  const [page, setPage] = useState(0);
  const deferredAction = useDeferredValue(action);
  const id = useId();
  const size = Math.max(1, Math.floor(pageSize));

  const rows = useMemo(() => streams.map((s) => ({ s, ...integrityOf(s) })).sort((a, b) => a.rank - b.rank || a.s.stream.localeCompare(b.s.stream)), [streams]);
  const streamNames = useMemo(() => [...new Set([...streams.map((s) => s.stream), ...recent.map((e) => e.stream)])].sort(), [streams, recent]);
  const filtered = useMemo(() => {
    const q = deferredAction.trim().toLowerCase();
    return recent.filter((e) => (stream === '' || e.stream === stream) && (outcome === 'all' || e.outcome === outcome) && (q === '' || e.action.toLowerCase().includes(q)));
  }, [recent, stream, outcome, deferredAction]);

  if (audit === undefined && unavailable === undefined) return null;
  const failing = rows.filter((r) => r.tone === 'fail').length;
  const unverified = rows.filter((r) => r.tone === 'unknown').length;
  const summary: { tone: Tone; text: string } | null =
    rows.length === 0 ? null : failing > 0 ? { tone: 'fail', text: `${failing} with findings` } : unverified > 0 ? { tone: 'unknown', text: `${unverified} not verified yet` } : { tone: 'pass', text: 'All clean' };
  const pageCount = Math.max(1, Math.ceil(filtered.length / size));
  const current = clampPage(page, pageCount);
  const visible = filtered.slice(current * size, current * size + size);
  const now = snapshot.generatedAt;

  return (
    <Panel title="Audit log" testId="audit" wide actions={summary ? <StatusBadge tone={summary.tone}>{summary.text}</StatusBadge> : null}>
      <h4 style={{ margin: '4px 0' }}>Integrity</h4>
      {rows.length === 0 ? (
        <p className="ad-empty">No audit streams.</p>
      ) : (
        <div className="ad-table-wrap" tabIndex={0} role="region" aria-label="Audit integrity table">
          <table className="ad-table ad-short-cols">
            <thead>
              <tr>
                <th scope="col">Stream</th>
                <th scope="col">Integrity</th>
                <th scope="col" className="ad-num">Last seq</th>
                <th scope="col" className="ad-num">Unanchored</th>
                <th scope="col">Checkpoint age</th>
                <th scope="col">Verified</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ s, tone, text }, i) => (
                <tr key={`${i}:${s.stream}`} data-stream-status={tone}>
                  <th scope="row">
                    <Clip text={s.stream} />
                  </th>
                  <td>
                    <StatusBadge tone={tone}>{text}</StatusBadge>
                  </td>
                  <td className="ad-num">{formatCount(s.lastSeq)}</td>
                  <td className="ad-num">{s.unanchored > 0 ? <StatusBadge tone="warn">{formatCount(s.unanchored)}</StatusBadge> : formatCount(s.unanchored)}</td>
                  <td className="ad-nw">{s.checkpointAgeSeconds === undefined ? '—' : formatDuration(s.checkpointAgeSeconds)}</td>
                  <td className="ad-nw" title={s.verifiedAt === undefined ? undefined : formatDateTime(s.verifiedAt)}>{s.verifiedAt === undefined ? '—' : formatAgo(s.verifiedAt, Math.max(now, s.verifiedAt))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h4 style={{ margin: '12px 0 4px' }}>Recent events</h4>
      {recent.length === 0 ? (
        <p className="ad-empty">No audit events yet.</p>
      ) : (
        <>
          <div className="ad-row" style={{ marginBottom: 8 }}>
            <label htmlFor={`${id}-stream`}>Stream</label>
            <select
              id={`${id}-stream`}
              value={stream}
              style={{ maxWidth: '100%' }}
              onChange={(e) => {
                setStream(e.target.value);
                setPage(0);
              }}
            >
              <option value="">All streams</option>
              {streamNames.map((name) => (
                <option key={name} value={name}>
                  {name.length > 80 ? `${name.slice(0, 80)}…` : name}
                </option>
              ))}
            </select>
            <label htmlFor={`${id}-action`}>Action</label>
            <input
              id={`${id}-action`}
              type="search"
              value={action}
              placeholder="e.g. api_key.revoked"
              onChange={(e) => {
                setAction(e.target.value);
                setPage(0);
              }}
            />
            <label htmlFor={`${id}-outcome`}>Outcome</label>
            <select
              id={`${id}-outcome`}
              value={outcome}
              onChange={(e) => {
                setOutcome(e.target.value as AuditOutcomeFilter);
                setPage(0);
              }}
            >
              <option value="all">All</option>
              <option value="success">Success</option>
              <option value="failure">Failure</option>
              <option value="denied">Denied</option>
            </select>
          </div>
          <div className="ad-table-wrap" tabIndex={0} role="region" aria-label="Recent audit events table">
            <table className="ad-table ad-short-cols">
              <caption>
                {filtered.length === recent.length ? `${formatCount(recent.length)} recent events, newest first` : `${formatCount(filtered.length)} of ${formatCount(recent.length)} recent events match, newest first`}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Stream</th>
                  <th scope="col" className="ad-num">Seq</th>
                  <th scope="col">Action</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Targets</th>
                </tr>
              </thead>
              <tbody>
                {visible.map((e, k) => {
                  const o = OUTCOME[e.outcome] ?? { tone: 'unknown' as const, text: String(e.outcome) };
                  return (
                    <tr key={`${e.stream}:${e.seq}:${k}`} data-audit-event="">
                      <td>
                        <Clip text={timeText(e.time)} />
                      </td>
                      <td>
                        <Clip text={e.stream} />
                      </td>
                      <td className="ad-num">{formatCount(e.seq)}</td>
                      <td>
                        <Clip text={e.action}>
                          <span className="ad-code">{e.action}</span>
                        </Clip>
                      </td>
                      <td>
                        <Clip text={e.actorId} />
                      </td>
                      <td>
                        <StatusBadge tone={o.tone}>{o.text}</StatusBadge>
                      </td>
                      <td>{e.targets.length === 0 ? '—' : <Clip text={e.targets.join(', ')} />}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {filtered.length === 0 ? <p className="ad-empty">No event matches these filters.</p> : null}
          <Pager page={current} pageCount={pageCount} onPage={setPage} label="Audit events" />
        </>
      )}
    </Panel>
  );
});

const EMPTY_STREAMS: AuditStreamStatus[] = [];
const EMPTY_EVENTS: AuditEventSummary[] = [];

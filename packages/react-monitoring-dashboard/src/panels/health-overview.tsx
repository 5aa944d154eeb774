import { memo, type ReactNode } from 'react';
import { formatCount, formatDuration, formatMs, formatPercent } from '../format.js';
import type { MonitoringSnapshot, SnapshotHealthCheck } from '../types.js';
import { Panel, StatusBadge, useUnavailable, type Tone } from '../ui.js';

/** Props of {@link HealthOverview}. */
export interface HealthOverviewProps {
  /** The snapshot to show. */
  snapshot: MonitoringSnapshot;
}

const STATUS_TEXT: Record<Tone, string> = { pass: 'Pass', warn: 'Warn', fail: 'Fail', unknown: 'Unknown' };
const OVERALL_TEXT: Record<Tone, string> = { pass: 'Healthy', warn: 'Degraded', fail: 'Unhealthy', unknown: 'Unknown' };

function toTone(status: string): Tone {
  return status === 'pass' || status === 'warn' || status === 'fail' || status === 'unknown' ? status : 'fail';
}

/** A figure, or "unavailable" (with the reason as a tooltip) when its section could not be computed. */
function Figure({ reason, children }: { reason: string | undefined; children: ReactNode }) {
  if (reason === undefined) return <>{children}</>;
  return (
    <span className="ad-muted" title={reason} style={{ fontSize: 14 }}>
      unavailable
    </span>
  );
}

function observed(check: SnapshotHealthCheck): string | null {
  if (check.observedValue === undefined) return null;
  return `${String(check.observedValue)}${check.observedUnit ? ` ${check.observedUnit}` : ''}`;
}

/**
 * System health: the overall status, service identity and uptime, request totals over the
 * window, and every health check — each labelled with an icon and text (Pass/Warn/Fail), never
 * colour alone. Failing checks are listed first.
 *
 * @example
 * ```tsx
 * <HealthOverview snapshot={snapshot} />
 * ```
 */
export const HealthOverview = memo(function HealthOverview({ snapshot }: HealthOverviewProps) {
  const { service, health, requests } = snapshot;
  const totals = requests.totals;
  const overall = toTone(health.status);
  const rank: Record<Tone, number> = { fail: 0, unknown: 1, warn: 2, pass: 3 };
  const requestsOff = useUnavailable('requests');
  const latencyOff = useUnavailable('latency');
  const inFlightOff = useUnavailable('inFlight');
  const checks = [...health.checks].sort((a, b) => rank[toTone(a.status)] - rank[toTone(b.status)] || a.name.localeCompare(b.name));
  return (
    <Panel title="System health" testId="health" wide actions={<StatusBadge tone={overall}>{OVERALL_TEXT[overall]}</StatusBadge>}>
      <p className="ad-sub" style={{ margin: 0 }}>
        {service.name}
        {service.version ? ` ${service.version}` : ''}
        {service.instance ? ` · ${service.instance}` : ''}
        {service.uptimeSeconds !== undefined ? ` · up ${formatDuration(service.uptimeSeconds)}` : ''}
      </p>
      <dl className="ad-tiles">
        <div className="ad-tile" data-tile="requests">
          <dt>Requests</dt>
          <dd>
            <Figure reason={requestsOff}>{formatCount(totals.count)}</Figure>
          </dd>
        </div>
        <div className="ad-tile" data-tile="throughput">
          <dt>Throughput</dt>
          <dd>
            <Figure reason={requestsOff}>{formatCount(totals.throughputPerSec)} req/s</Figure>
          </dd>
        </div>
        <div className="ad-tile" data-tile="error-rate">
          <dt>Error rate</dt>
          <dd>
            <Figure reason={requestsOff}>{formatPercent(totals.errorRate)}</Figure>
          </dd>
        </div>
        <div className="ad-tile" data-tile="latency">
          <dt>p50 / p95 / p99</dt>
          <dd style={{ fontSize: 14 }}>
            <Figure reason={latencyOff}>
              {formatMs(totals.p50Ms)} / {formatMs(totals.p95Ms)} / {formatMs(totals.p99Ms)}
            </Figure>
          </dd>
        </div>
        <div className="ad-tile" data-tile="in-flight">
          <dt>In flight</dt>
          <dd>
            <Figure reason={inFlightOff}>{formatCount(totals.inFlight)}</Figure>
          </dd>
        </div>
      </dl>
      {checks.length === 0 ? (
        <p className="ad-empty">No health checks registered.</p>
      ) : (
        <ul className="ad-list" aria-label="Health checks">
          {checks.map((check) => {
            const tone = toTone(check.status);
            const value = observed(check);
            return (
              <li key={check.name} className="ad-row" data-check={check.name}>
                <StatusBadge tone={tone}>{STATUS_TEXT[tone]}</StatusBadge>
                <strong>{check.name}</strong>
                {check.critical ? <span className="ad-muted">(critical)</span> : null}
                {check.componentType ? <span className="ad-muted">{check.componentType}</span> : null}
                {value !== null ? <span>{value}</span> : null}
                {check.durationMs !== undefined ? <span className="ad-muted">in {formatMs(check.durationMs)}</span> : null}
                {check.output ? <span style={{ flexBasis: '100%' }}>{check.output}</span> : null}
              </li>
            );
          })}
        </ul>
      )}
    </Panel>
  );
});

import { memo } from 'react';
import { formatAgo, formatCount, formatDateTime, formatPercent } from '../format.js';
import type { BreakerStats, CacheStats as CacheStatsData, MonitoringSnapshot } from '../types.js';
import { Clip, Panel, StatusBadge, type Tone } from '../ui.js';

/** Props of {@link CacheStats}, {@link RateLimitStats} and {@link CircuitBreakers}. */
export interface StatsPanelProps {
  /** The snapshot to show. */
  snapshot: MonitoringSnapshot;
}

function Meter({ value, label }: { value: number; label: string }) {
  const pct = Math.max(0, Math.min(1, Number.isFinite(value) ? value : 0)) * 100;
  return (
    <div className="ad-meter" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)} aria-label={label}>
      <span style={{ width: `${pct}%` }} />
    </div>
  );
}

/** hits / (hits + misses); `null` when there was no lookup (shown as "—", never NaN or 0%). */
function hitRateOf(c: CacheStatsData): number | null {
  const lookups = c.hits + c.misses;
  if (!(lookups > 0)) return null;
  return Number.isFinite(c.hitRate) && c.hitRate >= 0 && c.hitRate <= 1 ? c.hitRate : c.hits / lookups;
}

/**
 * Cache hit rate (text and bar), hits, misses, size, evictions and loads in flight per cache. A
 * cache without lookups shows "—" and no bar rather than a misleading 0%.
 *
 * @example
 * ```tsx
 * <CacheStats snapshot={snapshot} />
 * ```
 */
export const CacheStats = memo(function CacheStats({ snapshot }: StatsPanelProps) {
  const caches = snapshot.caches;
  return (
    <Panel title="Caches" testId="caches">
      {caches.length === 0 ? (
        <p className="ad-empty">No caches instrumented.</p>
      ) : (
        <div className="ad-table-wrap" tabIndex={0} role="region" aria-label="Caches table">
          <table className="ad-table">
            <thead>
              <tr>
                <th scope="col">Cache</th>
                <th scope="col">Hit rate</th>
                <th scope="col" className="ad-num">Hits</th>
                <th scope="col" className="ad-num">Misses</th>
                <th scope="col" className="ad-num">Size</th>
                <th scope="col" className="ad-num">Evictions</th>
              </tr>
            </thead>
            <tbody>
              {caches.map((c, i) => {
                const rate = hitRateOf(c);
                return (
                  <tr key={`${i}:${c.name}`}>
                    <th scope="row">
                      <Clip text={c.name} />
                      {c.loadsInFlight ? (
                        <div className="ad-muted" style={{ fontSize: 12, fontWeight: 'normal' }}>
                          {formatCount(c.loadsInFlight)} loading
                        </div>
                      ) : null}
                    </th>
                    <td>
                      {rate === null ? (
                        <span title="No lookups yet">
                          —<span className="ad-vh"> (no lookups)</span>
                        </span>
                      ) : (
                        <div className="ad-row" style={{ flexWrap: 'nowrap' }}>
                          <span style={{ minWidth: 44 }}>{formatPercent(rate)}</span>
                          <Meter value={rate} label={`${c.name} hit rate`} />
                        </div>
                      )}
                    </td>
                    <td className="ad-num">{formatCount(c.hits)}</td>
                    <td className="ad-num">{formatCount(c.misses)}</td>
                    <td className="ad-num">{formatCount(c.size)}</td>
                    <td className="ad-num">{formatCount(c.evictions)}</td>
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

/**
 * Rate limiters: allowed and limited (rejected) requests, rejection share and store errors
 * (consumes answered by a fallback because the store failed).
 *
 * @example
 * ```tsx
 * <RateLimitStats snapshot={snapshot} />
 * ```
 */
export const RateLimitStats = memo(function RateLimitStats({ snapshot }: StatsPanelProps) {
  const limits = snapshot.rateLimits;
  return (
    <Panel title="Rate limits" testId="rate-limits">
      {limits.length === 0 ? (
        <p className="ad-empty">No rate limiters instrumented.</p>
      ) : (
        <div className="ad-table-wrap" tabIndex={0} role="region" aria-label="Rate limits table">
          <table className="ad-table">
            <thead>
              <tr>
                <th scope="col">Limiter</th>
                <th scope="col" className="ad-num">Allowed</th>
                <th scope="col" className="ad-num">Rejected</th>
                <th scope="col" className="ad-num">Rejected %</th>
                <th scope="col" className="ad-num">Store errors</th>
              </tr>
            </thead>
            <tbody>
              {limits.map((l, i) => {
                const total = l.allowed + l.limited;
                return (
                  <tr key={`${i}:${l.name}`}>
                    <th scope="row">
                      <Clip text={l.name} />
                    </th>
                    <td className="ad-num">{formatCount(l.allowed)}</td>
                    <td className="ad-num">{formatCount(l.limited)}</td>
                    <td className="ad-num">{formatPercent(total === 0 ? null : l.limited / total)}</td>
                    <td className="ad-num">
                      {l.storeErrors ? <StatusBadge tone="warn">{formatCount(l.storeErrors)}</StatusBadge> : formatCount(l.storeErrors ?? 0)}
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

const BREAKER: Record<BreakerStats['state'], { tone: Tone; text: string; rank: number }> = {
  open: { tone: 'fail', text: 'Open', rank: 0 },
  isolated: { tone: 'fail', text: 'Isolated', rank: 1 },
  'half-open': { tone: 'warn', text: 'Half-open', rank: 2 },
  closed: { tone: 'pass', text: 'Closed', rank: 3 },
};

/**
 * Resilience state: every circuit breaker with its state (icon + text), failures, successes,
 * calls rejected while open, and how long before the snapshot the state last changed. Open breakers are listed first.
 *
 * @example
 * ```tsx
 * <CircuitBreakers snapshot={snapshot} />
 * ```
 */
export const CircuitBreakers = memo(function CircuitBreakers({ snapshot }: StatsPanelProps) {
  const breakers = [...snapshot.breakers].sort(
    (a, b) => (BREAKER[a.state]?.rank ?? 0) - (BREAKER[b.state]?.rank ?? 0) || a.name.localeCompare(b.name),
  );
  const open = breakers.filter((b) => b.state === 'open' || b.state === 'isolated').length;
  return (
    <Panel
      title="Circuit breakers"
      testId="breakers"
      actions={breakers.length > 0 ? <StatusBadge tone={open > 0 ? 'fail' : 'pass'}>{open > 0 ? `${open} open` : 'All closed'}</StatusBadge> : null}
    >
      {breakers.length === 0 ? (
        <p className="ad-empty">No circuit breakers instrumented.</p>
      ) : (
        <div className="ad-table-wrap" tabIndex={0} role="region" aria-label="Circuit breakers table">
          <table className="ad-table">
            <thead>
              <tr>
                <th scope="col">Breaker</th>
                <th scope="col">State</th>
                <th scope="col" className="ad-num">Failures</th>
                <th scope="col" className="ad-num">Rejected</th>
                <th scope="col">Changed</th>
              </tr>
            </thead>
            <tbody>
              {breakers.map((b, i) => {
                const s = BREAKER[b.state] ?? { tone: 'warn' as const, text: String(b.state), rank: 0 };
                return (
                  <tr key={`${i}:${b.name}`} data-state={b.state}>
                    <th scope="row">
                      <Clip text={b.name} />
                    </th>
                    <td>
                      <StatusBadge tone={s.tone}>{s.text}</StatusBadge>
                    </td>
                    <td className="ad-num">{formatCount(b.failures)}</td>
                    <td className="ad-num">{formatCount(b.rejected)}</td>
                    <td title={b.since === undefined ? undefined : formatDateTime(b.since)}>
                      {b.since === undefined ? '—' : formatAgo(b.since, Math.max(snapshot.generatedAt, b.since))}
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

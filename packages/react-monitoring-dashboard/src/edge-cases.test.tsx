/**
 * Edge-case DOM snapshots for every exported panel and the whole dashboard: empty data, a failing
 * source, thousands of error groups, a 24-hour series at 10 s resolution (8,640 points) and
 * large/odd values. Each case also asserts the property that matters, so a snapshot update can
 * not silently accept a regression.
 *
 * Determinism: time is frozen (fake timers at FIXED_NOW), the process time zone is UTC while this
 * file runs, fixtures are seeded, React ids are renamed in document order and long chart paths
 * are summarized with a hash (see test/dom.ts).
 */
import { ServiceUnavailableError } from '@armor/errors';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import type { ComponentType } from 'react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { expectFinite, pathPoints, stableDom } from '../test/dom.js';
import { emptySnapshot, FIXED_NOW, makeSnapshot } from '../test/fixtures.js';
import { MonitoringDashboard } from './dashboard.js';
import { ErrorRateChart, LatencyChart, ThroughputChart, type ChartPanelProps } from './panels/charts.js';
import { ErrorList } from './panels/error-list.js';
import { HealthOverview } from './panels/health-overview.js';
import { RefreshControl } from './panels/refresh-control.js';
import { SlowOperations } from './panels/slow-operations.js';
import { CacheStats, CircuitBreakers, RateLimitStats } from './panels/stats.js';
import type { MonitoringSnapshot, RequestPoint, SnapshotSource } from './types.js';

const DAY_POINTS = 8_640; // 24 h at 10 s
const MANY_GROUPS = 5_000;

let savedTz: string | undefined;
beforeAll(() => {
  savedTz = process.env.TZ;
  process.env.TZ = 'UTC'; // the panels print local time
});
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});
beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(FIXED_NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

/** The root element of a panel (`data-panel`), checked for non-finite output. */
function panel(container: HTMLElement, id: string): HTMLElement {
  const el = container.querySelector<HTMLElement>(`[data-panel="${id}"]`);
  if (!el) throw new Error(`panel ${id} not rendered`);
  expectFinite(el);
  return el;
}

function snap(element: Element, name: string): void {
  expect(stableDom(element)).toMatchSnapshot(name);
}

/** A snapshot with `series` (10 s resolution) and totals that match it. */
function withSeries(series: RequestPoint[]): MonitoringSnapshot {
  const snapshot = emptySnapshot();
  const count = series.reduce((a, p) => a + p.count, 0);
  const errors = series.reduce((a, p) => a + p.errors, 0);
  snapshot.window = { windowMs: Math.max(1, series.length) * 10_000, resolutionMs: 10_000 };
  snapshot.requests.series = series;
  snapshot.requests.totals = { ...snapshot.requests.totals, count, errors, errorRate: count === 0 ? 0 : errors / count };
  return snapshot;
}

/** Three intervals: no requests (a gap), every request failed with huge latencies, one tiny request. */
function oddSeries(): MonitoringSnapshot {
  const t0 = FIXED_NOW - 30_000;
  return withSeries([
    { t: t0, count: 0, errors: 0, p50Ms: null, p95Ms: null, p99Ms: null },
    { t: t0 + 10_000, count: 2_000_000_000, errors: 2_000_000_000, p50Ms: 0, p95Ms: 3_600_000, p99Ms: 86_400_000 },
    { t: t0 + 20_000, count: 1, errors: 0, p50Ms: 0.004, p95Ms: 0.004, p99Ms: 0.004 },
  ]);
}

describe('HealthOverview', () => {
  it('empty data: no checks, no requests, no percentiles', () => {
    const { container } = render(<HealthOverview snapshot={emptySnapshot()} />);
    const root = panel(container, 'health');
    expect(within(root).getByText('No health checks registered.')).toBeDefined();
    expect(within(root).getByText('p50 / p95 / p99').nextSibling?.textContent).toBe('— / — / —');
    snap(root, 'empty');
  });

  it('failing check: unhealthy, failing checks listed first', () => {
    const { container } = render(<HealthOverview snapshot={makeSnapshot({ health: 'fail' })} />);
    const root = panel(container, 'health');
    expect(within(root).getByText('Unhealthy')).toBeDefined();
    expect([...root.querySelectorAll('[data-check]')].map((li) => li.getAttribute('data-check'))).toEqual(['payments', 'redis', 'database']);
    snap(root, 'failing check');
  });

  it('large and odd values: billions of requests, 100% errors, hour-long p99, falsy observed values', () => {
    const snapshot = emptySnapshot();
    snapshot.service = { name: 'edge', version: '0.0.0-rc.1', instance: 'i-0', uptimeSeconds: 400 * 86_400 };
    snapshot.health = {
      status: 'warn',
      checks: [
        { name: 'queue depth', status: 'warn', observedValue: 0, observedUnit: 'jobs' },
        { name: 'feature flag', status: 'pass', observedValue: false },
        { name: 'disk', status: 'pass', observedValue: '93%', durationMs: 0 },
      ],
    };
    snapshot.requests.totals = {
      count: 12_345_678_901,
      errors: 12_345_678_901,
      errorRate: 1,
      throughputPerSec: 142_889.339,
      p50Ms: 0,
      p95Ms: 59_999,
      p99Ms: 3_600_000,
      inFlight: 1_000_000,
    };
    const { container } = render(<HealthOverview snapshot={snapshot} />);
    const root = panel(container, 'health');
    const tile = (label: string) => within(root).getByText(label).nextSibling?.textContent;
    expect([tile('Requests'), tile('Throughput'), tile('Error rate'), tile('p50 / p95 / p99'), tile('In flight')]).toEqual([
      '12,345,678,901',
      '142,889 req/s',
      '100%',
      '0 ms / 60.00 s / 60.0 min',
      '1,000,000',
    ]);
    expect(root.querySelector('[data-check="queue depth"]')!.textContent).toContain('0 jobs');
    expect(root.querySelector('[data-check="feature flag"]')!.textContent).toContain('false');
    expect(within(root).getByText(/up 400 d 0 h/)).toBeDefined();
    snap(root, 'large values');
  });

  it('non-finite numbers from a hand-built snapshot render as dashes, never NaN', () => {
    const snapshot = emptySnapshot();
    snapshot.service.uptimeSeconds = Number.NaN;
    snapshot.requests.totals = { ...snapshot.requests.totals, throughputPerSec: Number.POSITIVE_INFINITY, errorRate: Number.NaN };
    const { container } = render(<HealthOverview snapshot={snapshot} />);
    const root = panel(container, 'health');
    expect(within(root).getByText('Error rate').nextSibling?.textContent).toBe('—');
    expect(root.querySelector('.ad-sub')!.textContent).toBe('empty · up —');
  });
});

/** `idleIsGap`: an interval without requests is a gap (latency, error rate), not a zero (throughput). */
const CHARTS: { name: string; id: string; Chart: ComponentType<ChartPanelProps>; lines: number; idleIsGap: boolean }[] = [
  { name: 'LatencyChart', id: 'latency', Chart: LatencyChart, lines: 3, idleIsGap: true },
  { name: 'ThroughputChart', id: 'throughput', Chart: ThroughputChart, lines: 2, idleIsGap: false },
  { name: 'ErrorRateChart', id: 'error-rate', Chart: ErrorRateChart, lines: 1, idleIsGap: true },
];

describe.each(CHARTS)('$name', ({ id, Chart, lines, idleIsGap }) => {
  it('empty data: a message instead of an empty chart', () => {
    const { container } = render(<Chart snapshot={emptySnapshot()} />);
    const root = panel(container, id);
    expect(within(root).getByText('No data in this window yet.')).toBeDefined();
    expect(root.querySelector('svg[role="img"]')).toBeNull();
    snap(root, 'empty');
  });

  it('24-hour series (8,640 points at 10 s): downsampled to ≤ 480 points per line, dated axis', () => {
    const { container } = render(<Chart snapshot={makeSnapshot({ points: DAY_POINTS })} />);
    const root = panel(container, id);
    const paths = [...root.querySelectorAll('svg[role="img"] path')];
    expect(paths).toHaveLength(lines);
    for (const path of paths) {
      expect(pathPoints(path.getAttribute('d'))).toBeGreaterThan(100);
      expect(pathPoints(path.getAttribute('d'))).toBeLessThanOrEqual(480);
    }
    expect(within(root).getByText(/^Last 1 d 0 h at 10 s resolution/)).toBeDefined();
    // more than 12 hours: axis labels carry the date
    expect(within(root).getByText('2026-11-24 12:00:00')).toBeDefined();
    snap(root, '24 hours');
  });

  it('24-hour series as a table: 48 aggregated rows', () => {
    const { container } = render(<Chart snapshot={makeSnapshot({ points: DAY_POINTS })} />);
    fireEvent.click(within(panel(container, id)).getByRole('button', { name: /^Show table/ }));
    const root = panel(container, id);
    expect(within(root).getAllByRole('row')).toHaveLength(49);
    expect(root.querySelector('caption')!.textContent).toMatch(/each row covers 180 intervals/);
  });

  it('odd values: an interval without requests, 2 billion failed requests, a 4 µs request', () => {
    const { container } = render(<Chart snapshot={oddSeries()} />);
    const root = panel(container, id);
    const paths = [...root.querySelectorAll('svg[role="img"] path')];
    expect(paths).toHaveLength(lines);
    // the idle first interval: a gap (no line starts at the left edge) or a zero on the baseline
    for (const path of paths) {
      if (idleIsGap) expect(path.getAttribute('d')).not.toMatch(/^M52\.0,/);
      else expect(path.getAttribute('d')).toMatch(/^M52\.0,130\.0L/);
    }
    snap(root, 'odd values');
  });

  it('a single point and NaN values from a hand-built snapshot', () => {
    const snapshot = withSeries([{ t: FIXED_NOW - 10_000, count: 5, errors: 1, p50Ms: Number.NaN, p95Ms: 12, p99Ms: Number.POSITIVE_INFINITY }]);
    const { container } = render(<Chart snapshot={snapshot} />);
    const root = panel(container, id);
    expect(root.querySelector('desc')!.textContent).toMatch(/^11:59:50 to 11:59:50\. /);
    expect(root.querySelectorAll('svg[role="img"] path')).toHaveLength(lines);
  });
});

describe('ErrorList', () => {
  it('empty data', () => {
    const { container } = render(<ErrorList snapshot={emptySnapshot()} />);
    const root = panel(container, 'errors');
    expect(within(root).getByText('No errors recorded in this window.')).toBeDefined();
    expect(within(root).queryByRole('navigation')).toBeNull();
    snap(root, 'empty');
  });

  it('5,000 error groups: one page of 20, 250 pages, last page reachable', () => {
    const snapshot = makeSnapshot({ groups: MANY_GROUPS });
    const { container } = render(<ErrorList snapshot={snapshot} />);
    const root = panel(container, 'errors');
    const list = within(root).getByRole('list', { name: 'Error groups' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(20);
    expect(within(root).getByText('Showing 1–20 of 5,000 groups')).toBeDefined();
    expect(within(root).getByText('Page 1 of 250')).toBeDefined();
    snap(root.querySelector('.ad-row')!, '5000 groups: controls');
    snap(list.firstElementChild!, '5000 groups: first item');
    snap(within(root).getByRole('navigation'), '5000 groups: pager');

    fireEvent.click(within(root).getByRole('button', { name: 'Last page' }));
    expect(within(root).getByText('Showing 4,981–5,000 of 5,000 groups')).toBeDefined();
    expect(within(root).getByText('Page 250 of 250')).toBeDefined();
    expect(list.lastElementChild!.getAttribute('data-fingerprint')).toBe('fp004999');
    expectFinite(root);
  });

  it('truncated list and odd groups: no sample, huge count, one occurrence, a circular-free long message', () => {
    const snapshot = emptySnapshot();
    snapshot.errors = {
      totalGroups: 12_345,
      groups: [
        { fingerprint: 'a', code: 'INTERNAL', status: 500, name: 'Error', message: 'x'.repeat(300), count: 1, firstSeen: FIXED_NOW - 1000, lastSeen: FIXED_NOW },
        {
          fingerprint: 'b',
          code: 'RATE_LIMITED',
          status: 429,
          name: 'RateLimitError',
          message: 'Too many requests',
          count: 9_007_199_254_740_991,
          firstSeen: 0,
          lastSeen: FIXED_NOW - 86_400_000,
          sample: { message: 'Too many requests', context: {} },
        },
      ],
    };
    const { container } = render(<ErrorList snapshot={snapshot} />);
    const root = panel(container, 'errors');
    expect(within(root).getByText('Showing 1–2 of 2 groups (12,345 tracked, most recent shown)')).toBeDefined();
    expect(root.textContent).toContain('1 occurrence');
    expect(root.textContent).toContain('9,007,199,254,740,991 occurrences');
    expect(root.textContent).toContain('first seen 1970-01-01 00:00:00');
    fireEvent.click(within(root).getByRole('button', { name: /Show sample/ }));
    expect(within(root).queryByLabelText('Context')).toBeNull(); // empty context: no block
    snap(root, 'odd groups');
  });
});

describe('SlowOperations', () => {
  it('empty data', () => {
    const { container } = render(<SlowOperations snapshot={emptySnapshot()} />);
    const root = panel(container, 'slow');
    expect(within(root).getByText('No slow operations recorded.')).toBeDefined();
    snap(root, 'empty');
  });

  it('5,000 operations: one page of 25, 200 pages', () => {
    const { container } = render(<SlowOperations snapshot={makeSnapshot({ slow: 5_000 })} />);
    const root = panel(container, 'slow');
    expect(within(root).getAllByRole('row')).toHaveLength(26);
    expect(within(root).getByText('Page 1 of 200')).toBeDefined();
    snap(root.querySelector('caption')!, '5000 operations: caption');
    snap(root.querySelector('tbody > tr')!, '5000 operations: slowest');
    snap(within(root).getByRole('navigation'), '5000 operations: pager');
  });

  it('odd values: 0 ms, an hour, a zero threshold, a long summary', () => {
    const snapshot = emptySnapshot();
    snapshot.slowOperations = [
      { name: 'noop', durationMs: 0, at: FIXED_NOW, thresholdMs: 0 },
      { name: 'report.build', durationMs: 3_600_000, at: FIXED_NOW - 3_600_000, thresholdMs: 30_000, failed: true, summary: 'SELECT '.repeat(40) },
      { name: 'tiny', durationMs: 0.0004, at: FIXED_NOW - 1, thresholdMs: 0.0001 },
    ];
    const { container } = render(<SlowOperations snapshot={snapshot} />);
    const root = panel(container, 'slow');
    const rows = within(root).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.querySelectorAll('td')[1]!.textContent)).toEqual(['60.0 min', '0.00 ms', '0 ms']);
    snap(root, 'odd values');
  });
});

describe('CacheStats', () => {
  it('empty data', () => {
    const { container } = render(<CacheStats snapshot={emptySnapshot()} />);
    const root = panel(container, 'caches');
    expect(within(root).getByText('No caches instrumented.')).toBeDefined();
    snap(root, 'empty');
  });

  it('typical data, a cache without lookups (— and no bar, not NaN or 0%), loads in flight', () => {
    const { container } = render(<CacheStats snapshot={makeSnapshot()} />);
    const root = panel(container, 'caches');
    const [orders, sessions] = within(root).getAllByRole('row').slice(1);
    expect(orders!.querySelector('th')!.textContent).toBe('orders1 loading');
    expect(sessions!.querySelectorAll('td')[0]!.textContent).toBe('— (no lookups)');
    expect(within(sessions!).queryByRole('meter')).toBeNull();
    snap(root, 'typical');
  });

  it('edge values: zero lookups, 100% hits, a NaN hit rate recomputed from the counts, huge counts', () => {
    const snapshot = emptySnapshot();
    snapshot.caches = [
      { name: 'cold', hits: 0, misses: 0, hitRate: Number.NaN },
      { name: 'hot', hits: 1_000_000, misses: 0, hitRate: 1, size: 0, evictions: 0 },
      { name: 'sloppy', hits: 3, misses: 1, hitRate: Number.NaN },
      { name: 'almost', hits: 99_999, misses: 1, hitRate: 0.99999, size: 9_007_199_254_740_991, evictions: 123_456_789, loadsInFlight: 0 },
    ];
    const { container } = render(<CacheStats snapshot={snapshot} />);
    const root = panel(container, 'caches');
    const rates = within(root)
      .getAllByRole('row')
      .slice(1)
      .map((r) => r.querySelectorAll('td')[0]!.textContent);
    expect(rates).toEqual(['— (no lookups)', '100%', '75%', '>99.9%']);
    expect(within(root).getAllByRole('meter').map((m) => m.getAttribute('aria-valuenow'))).toEqual(['100', '75', '100']);
    snap(root, 'edge values');
  });

  it('many caches (300): every row rendered in a scrollable region, duplicate names allowed', () => {
    const snapshot = emptySnapshot();
    snapshot.caches = Array.from({ length: 300 }, (_, i) => ({ name: `cache-${i % 150}`, hits: i * 10, misses: i, hitRate: i === 0 ? 0 : 10 / 11, size: i }));
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { container } = render(<CacheStats snapshot={snapshot} />);
    expect(errors).not.toHaveBeenCalled(); // no duplicate-key warnings
    errors.mockRestore();
    const root = panel(container, 'caches');
    expect(within(root).getAllByRole('row')).toHaveLength(301);
    expect(within(root).getByRole('region', { name: 'Caches table' }).getAttribute('tabindex')).toBe('0');
    snap(root.querySelector('thead')!, 'many: header');
    snap(root.querySelector('tbody > tr:last-child')!, 'many: last row');
  });
});

describe('RateLimitStats', () => {
  const cells = (root: HTMLElement) =>
    within(root)
      .getAllByRole('row')
      .slice(1)
      .map((r) => [r.querySelector('th')!.textContent, ...[...r.querySelectorAll('td')].map((td) => td.textContent)]);

  it('empty data', () => {
    const { container } = render(<RateLimitStats snapshot={emptySnapshot()} />);
    const root = panel(container, 'rate-limits');
    expect(within(root).getByText('No rate limiters instrumented.')).toBeDefined();
    snap(root, 'empty');
  });

  it('typical data with store errors', () => {
    const { container } = render(<RateLimitStats snapshot={makeSnapshot()} />);
    const root = panel(container, 'rate-limits');
    expect(cells(root)).toEqual([
      ['api', '9,500', '500', '5.0%', '0'],
      ['login', '40', '10', '20%', '2'],
    ]);
    snap(root, 'typical');
  });

  it('edge values: no requests, 100% rejected, all but one rejected, huge counts', () => {
    const snapshot = emptySnapshot();
    snapshot.rateLimits = [
      { name: 'idle', allowed: 0, limited: 0 },
      { name: 'blocked', allowed: 0, limited: 5_000, storeErrors: 5_000 },
      { name: 'nearly', allowed: 1, limited: 99_999 },
      { name: 'huge', allowed: 9_007_199_254_740_991, limited: 1 },
    ];
    const { container } = render(<RateLimitStats snapshot={snapshot} />);
    const root = panel(container, 'rate-limits');
    expect(cells(root)).toEqual([
      ['idle', '0', '0', '—', '0'],
      ['blocked', '0', '5,000', '100%', '5,000'],
      ['nearly', '1', '99,999', '>99.9%', '0'],
      ['huge', '9,007,199,254,740,991', '1', '<0.1%', '0'],
    ]);
    snap(root, 'edge values');
  });

  it('many limiters (300)', () => {
    const snapshot = emptySnapshot();
    snapshot.rateLimits = Array.from({ length: 300 }, (_, i) => ({ name: `tenant-${i}`, allowed: i * 3, limited: i }));
    const { container } = render(<RateLimitStats snapshot={snapshot} />);
    const root = panel(container, 'rate-limits');
    expect(within(root).getAllByRole('row')).toHaveLength(301);
    expect(cells(root)[299]).toEqual(['tenant-299', '897', '299', '25%', '0']);
    snap(root.querySelector('tbody > tr:last-child')!, 'many: last row');
  });
});

describe('CircuitBreakers', () => {
  it('empty data', () => {
    const { container } = render(<CircuitBreakers snapshot={emptySnapshot()} />);
    const root = panel(container, 'breakers');
    expect(within(root).getByText('No circuit breakers instrumented.')).toBeDefined();
    snap(root, 'empty');
  });

  it('odd values: isolated, a state change after the snapshot (clock skew), no counters', () => {
    const snapshot = emptySnapshot();
    snapshot.breakers = [
      { name: 'skewed', state: 'closed', since: FIXED_NOW + 60_000 },
      { name: 'manual', state: 'isolated', failures: 0, rejected: 1_000_000, since: FIXED_NOW - 400 * 86_400_000 },
      { name: 'bare', state: 'half-open' },
    ];
    const { container } = render(<CircuitBreakers snapshot={snapshot} />);
    const root = panel(container, 'breakers');
    const rows = within(root).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.querySelectorAll('td')[3]!.textContent)).toEqual(['400 d 0 h ago', '—', 'just now']);
    expect(within(root).getByText('1 open')).toBeDefined();
    snap(root, 'odd values');
  });
});

describe('RefreshControl', () => {
  const control = (container: HTMLElement) => panel(container, 'refresh');

  it('never loaded', () => {
    const { container } = render(<RefreshControl intervalMs={10_000} onIntervalChange={() => {}} onRefresh={() => {}} onPausedChange={() => {}} updatedAt={null} />);
    expect(screen.getByTestId('updated').textContent).toBe('Not loaded yet');
    snap(control(container), 'never loaded');
  });

  it('refreshing, and data from three days ago', () => {
    const { container, rerender } = render(
      <RefreshControl intervalMs={10_000} onIntervalChange={() => {}} onRefresh={() => {}} refreshing updatedAt={FIXED_NOW - 3 * 86_400_000} />,
    );
    expect(screen.getByRole('button', { name: 'Refresh now' })).toHaveProperty('disabled', true);
    expect(screen.getByTestId('updated').textContent).toBe('Refreshing…');
    snap(control(container), 'refreshing');
    rerender(<RefreshControl intervalMs={10_000} onIntervalChange={() => {}} onRefresh={() => {}} updatedAt={FIXED_NOW - 3 * 86_400_000} />);
    expect(screen.getByTestId('updated').textContent).toBe('Updated 3 d 0 h ago');
  });

  it('off: pause disabled; an interval outside the list is inserted in order', () => {
    const { container, rerender } = render(<RefreshControl intervalMs={0} onIntervalChange={() => {}} onPausedChange={() => {}} updatedAt={FIXED_NOW} />);
    expect(screen.getByRole('button', { name: 'Pause' })).toHaveProperty('disabled', true);
    expect(screen.getByTestId('updated').textContent).toBe('Updated just now');
    snap(control(container), 'off');
    rerender(<RefreshControl intervalMs={2_500} intervals={[0, 1_000, 5_000]} onIntervalChange={() => {}} updatedAt={FIXED_NOW} />);
    const select = screen.getByLabelText('Auto-refresh') as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(['Off', '1 s', '2.5 s', '5 s']);
    expect(select.value).toBe('2500');
  });

  it('paused, hidden tab and an update time in the future (clock skew)', () => {
    const { container, rerender } = render(<RefreshControl intervalMs={5_000} onIntervalChange={() => {}} onPausedChange={() => {}} paused updatedAt={FIXED_NOW - 61_000} />);
    expect(screen.getByTestId('updated').textContent).toBe('Updated 1 min ago · paused');
    expect(screen.getByRole('button', { name: 'Resume' }).getAttribute('aria-pressed')).toBe('true');
    snap(control(container), 'paused');
    rerender(<RefreshControl intervalMs={5_000} onIntervalChange={() => {}} hidden updatedAt={FIXED_NOW + 3_600_000} />);
    expect(screen.getByTestId('updated').textContent).toBe('Updated just now · paused while tab is hidden');
  });
});

describe('MonitoringDashboard', () => {
  const flush = () =>
    act(async () => {
      await vi.advanceTimersByTimeAsync(0);
    });
  const advance = (ms: number) =>
    act(async () => {
      await vi.advanceTimersByTimeAsync(ms);
    });
  const root = (container: HTMLElement) => {
    const el = container.querySelector<HTMLElement>('.armor-dash')!;
    expectFinite(el);
    return el;
  };
  const failing = (): SnapshotSource => ({
    key: 'failing',
    load: () => Promise.reject(new ServiceUnavailableError('database is down')),
  });

  it('empty data: every panel says so', () => {
    const { container } = render(<MonitoringDashboard snapshot={emptySnapshot()} injectCss={false} showThemePicker={false} />);
    const el = root(container);
    for (const text of [
      'No health checks registered.',
      'No circuit breakers instrumented.',
      'No caches instrumented.',
      'No rate limiters instrumented.',
      'No errors recorded in this window.',
      'No slow operations recorded.',
    ]) {
      expect(within(el).getByText(text)).toBeDefined();
    }
    expect(within(el).getAllByText('No data in this window yet.')).toHaveLength(3);
    snap(el, 'empty');
  });

  it('failing source before any data: banner with the error and the next retry', async () => {
    const { container } = render(<MonitoringDashboard source={failing()} injectCss={false} showThemePicker={false} />);
    await flush();
    const el = root(container);
    expect(screen.getByRole('alert').textContent).toBe('Could not load the snapshot. database is downNext retry in 10 s.Retry now');
    expect(within(el).getByText('No data yet.')).toBeDefined();
    expect(el.querySelectorAll('[data-panel]')).toHaveLength(1); // only the refresh control
    snap(el, 'failing source');
  });

  it('failing source after data: the last data stays under the banner', async () => {
    let fail = false;
    const source: SnapshotSource = {
      key: 'flaky',
      load: () => (fail ? Promise.reject(new ServiceUnavailableError('database is down')) : Promise.resolve(makeSnapshot({ now: Date.now() }))),
    };
    const { container } = render(<MonitoringDashboard source={source} injectCss={false} showThemePicker={false} />);
    await flush();
    fail = true;
    await advance(10_000);
    const el = root(container);
    const banner = screen.getByRole('alert');
    expect(banner.textContent).toBe('Refresh failed — showing the last data. database is downData from 12:00:00 (10 s ago). Next retry in 10 s.Retry now');
    expect(el.querySelectorAll('[data-panel]')).toHaveLength(12);
    snap(el.querySelector('header')!, 'failing after data: header');
    snap(banner, 'failing after data: banner');
    await advance(3_000);
    expect(banner.textContent).toContain('Data from 12:00:00 (13 s ago). Next retry in 7 s.');
  });

  it('5,000 error groups, a 24-hour series and 500 slow operations: paginated and downsampled', () => {
    const big = makeSnapshot({ groups: MANY_GROUPS, points: DAY_POINTS, slow: 500 });
    const { container } = render(<MonitoringDashboard snapshot={big} injectCss={false} showThemePicker={false} />);
    const el = root(container);
    expect(el.querySelectorAll('[data-fingerprint]')).toHaveLength(20);
    expect(within(panel(container, 'errors')).getByText('Page 1 of 250')).toBeDefined();
    const paths = [...el.querySelectorAll('svg[role="img"] path')].map((p) => pathPoints(p.getAttribute('d')));
    expect(paths).toHaveLength(6);
    for (const n of paths) expect(n).toBeLessThanOrEqual(480);
    // the rendered page, summarized: a DOM snapshot of 9 panels at this size would be mostly noise
    const summary = {
      header: el.querySelector('header')!.textContent,
      panels: [...el.querySelectorAll('[data-panel]')].map((p) => p.getAttribute('data-panel')),
      health: el.querySelector('.ad-tiles')!.textContent,
      charts: [...el.querySelectorAll('svg[role="img"] desc')].map((d) => d.textContent),
      pathPoints: paths,
      errors: [
        panel(container, 'errors').querySelector('[aria-live="polite"]')!.textContent,
        ...[...el.querySelectorAll('[data-fingerprint]')].slice(0, 3).map((li) => li.textContent),
      ],
      slow: [panel(container, 'slow').querySelector('caption')!.textContent, panel(container, 'slow').querySelector('nav')!.textContent],
    };
    expect(summary).toMatchSnapshot('huge: summary');
  });
});

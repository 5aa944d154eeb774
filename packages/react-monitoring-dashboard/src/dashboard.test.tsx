import { ConfigurationError, ServiceUnavailableError } from '@armor/errors';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeSnapshot } from '../test/fixtures.js';
import { MonitoringDashboard, retryDelayMs } from './dashboard.js';
import { httpSource } from './source.js';
import type { MonitoringSnapshot, SnapshotSource } from './types.js';

/** A programmable source: each load takes the next scripted outcome. */
function scriptedSource() {
  const calls: number[] = [];
  let outcome: () => MonitoringSnapshot = () => makeSnapshot({ seed: calls.length, now: Date.now() });
  const source: SnapshotSource & { calls: number[]; set: (fn: () => MonitoringSnapshot) => void } = {
    key: 'scripted',
    calls,
    set: (fn) => {
      outcome = fn;
    },
    async load() {
      calls.push(Date.now());
      return outcome();
    },
  };
  return source;
}

const flush = () => act(async () => {
  await vi.advanceTimersByTimeAsync(0);
});
const advance = (ms: number) => act(async () => {
  await vi.advanceTimersByTimeAsync(ms);
});

function setHidden(hidden: boolean) {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  document.dispatchEvent(new Event('visibilitychange'));
}

describe('MonitoringDashboard', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.UTC(2026, 10, 25, 12));
  });
  afterEach(() => {
    vi.useRealTimers();
    setHidden(false);
  });

  it('loads, renders every panel and refreshes on its interval', async () => {
    const source = scriptedSource();
    const { container } = render(<MonitoringDashboard source={source} refreshIntervalMs={5000} />);
    expect(screen.getByText('Loading snapshot…')).toBeDefined();
    await flush();
    const panels = [...container.querySelectorAll('[data-panel]')].map((el) => el.getAttribute('data-panel'));
    expect(panels).toEqual(['refresh', 'health', 'latency', 'throughput', 'error-rate', 'breakers', 'caches', 'rate-limits', 'routes', 'status-codes', 'errors', 'slow']);
    expect(source.calls).toHaveLength(1);
    await advance(4999);
    expect(source.calls).toHaveLength(1);
    await advance(1);
    expect(source.calls).toHaveLength(2);
    await advance(3000);
    expect(screen.getByTestId('updated').textContent).toBe('Updated 3 s ago');
  });

  it('failing source: keeps the last data, shows the error and the next retry, backs off, recovers', async () => {
    const source = scriptedSource();
    render(<MonitoringDashboard source={source} refreshIntervalMs={5000} />);
    await flush();
    expect(screen.getByText(/orders-api 1\.4\.2 · snapshot/)).toBeDefined();
    source.set(() => {
      throw new ServiceUnavailableError('database is down');
    });
    await advance(5000);
    const banner = screen.getByRole('alert');
    expect(banner.textContent).toContain('Refresh failed — showing the last data.');
    expect(banner.textContent).toContain('database is down');
    expect(banner.textContent).toContain('Next retry in 5 s.');
    expect(banner.textContent).toMatch(/Data from \d\d:\d\d:\d\d \(5 s ago\)/);
    // the panels are still there
    expect(screen.getByRole('heading', { name: 'Latency' })).toBeDefined();
    await advance(5000); // second failure → backoff doubles
    expect(source.calls).toHaveLength(3);
    expect(screen.getByRole('alert').textContent).toContain('Next retry in 10 s.');
    await advance(9999);
    expect(source.calls).toHaveLength(3);
    source.set(() => makeSnapshot({ now: Date.now() }));
    await advance(1);
    expect(source.calls).toHaveLength(4);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByTestId('updated').textContent).toBe('Updated just now');
  });

  it('honours retryAfterMs and offers "Retry now"', async () => {
    const source = scriptedSource();
    source.set(() => {
      throw new ServiceUnavailableError('maintenance', { retryAfterMs: 60_000 });
    });
    render(<MonitoringDashboard source={source} refreshIntervalMs={5000} />);
    await flush();
    expect(screen.getByRole('alert').textContent).toContain('Could not load the snapshot.');
    expect(screen.getByRole('alert').textContent).toContain('Next retry in 1 min.');
    expect(screen.getByText('No data yet.')).toBeDefined();
    source.set(() => makeSnapshot());
    fireEvent.click(screen.getByRole('button', { name: 'Retry now' }));
    await flush();
    expect(source.calls).toHaveLength(2);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByRole('heading', { name: 'System health' })).toBeDefined();
  });

  it('pauses while the tab is hidden and catches up when visible again', async () => {
    const source = scriptedSource();
    render(<MonitoringDashboard source={source} refreshIntervalMs={5000} />);
    await flush();
    setHidden(true);
    await flush();
    await advance(60_000);
    expect(source.calls).toHaveLength(1);
    expect(screen.getByTestId('updated').textContent).toContain('paused while tab is hidden');
    setHidden(false);
    await flush();
    expect(source.calls).toHaveLength(2); // overdue → loads at once
    await advance(5000);
    expect(source.calls).toHaveLength(3);
  });

  it('interval picker: off stops polling, pause/resume, refresh now', async () => {
    const source = scriptedSource();
    render(<MonitoringDashboard source={source} refreshIntervalMs={5000} />);
    await flush();
    fireEvent.change(screen.getByLabelText('Auto-refresh'), { target: { value: '0' } });
    await advance(60_000);
    expect(source.calls).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Refresh now' }));
    await flush();
    expect(source.calls).toHaveLength(2);
    fireEvent.change(screen.getByLabelText('Auto-refresh'), { target: { value: '30000' } });
    await advance(30_000);
    expect(source.calls).toHaveLength(3);
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    await advance(120_000);
    expect(source.calls).toHaveLength(3);
    fireEvent.click(screen.getByRole('button', { name: 'Resume' }));
    await flush();
    expect(source.calls).toHaveLength(4); // overdue → immediately
  });

  it('an inline httpSource (new object every render) does not restart polling', async () => {
    let requests = 0;
    const fakeFetch: typeof fetch = async () => {
      requests++;
      return new Response(JSON.stringify(makeSnapshot()), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const { rerender } = render(<MonitoringDashboard source={httpSource('/snap', { fetch: fakeFetch })} refreshIntervalMs={5000} />);
    await flush();
    for (let i = 0; i < 5; i++) {
      rerender(<MonitoringDashboard source={httpSource('/snap', { fetch: fakeFetch })} refreshIntervalMs={5000} />);
      await flush();
    }
    expect(requests).toBe(1);
  });

  it('controlled mode: snapshot + onRefresh; a rejected onRefresh shows the banner', async () => {
    const onRefresh = vi.fn<() => Promise<void>>().mockResolvedValue(undefined);
    const first = makeSnapshot({ seed: 1 });
    const { rerender } = render(<MonitoringDashboard snapshot={first} onRefresh={onRefresh} refreshIntervalMs={10_000} />);
    await flush();
    expect(onRefresh).not.toHaveBeenCalled(); // already has data
    expect(screen.getByRole('heading', { name: 'Errors' })).toBeDefined();
    await advance(10_000);
    expect(onRefresh).toHaveBeenCalledTimes(1);
    onRefresh.mockRejectedValueOnce(new Error('query failed'));
    await advance(10_000);
    expect(screen.getByRole('alert').textContent).toContain('query failed');
    rerender(<MonitoringDashboard snapshot={makeSnapshot({ seed: 2 })} onRefresh={onRefresh} refreshIntervalMs={10_000} />);
    await advance(10_000);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('controlled mode without data, with an error prop, and with a wrong snapshot version', () => {
    const { rerender } = render(<MonitoringDashboard snapshot={undefined} />);
    expect(screen.getByText('Loading snapshot…')).toBeDefined();
    expect(screen.queryByLabelText('Auto-refresh')).toBeNull();
    rerender(<MonitoringDashboard snapshot={null} error={new Error('not authorized')} />);
    expect(screen.getByRole('alert').textContent).toContain('not authorized');
    rerender(<MonitoringDashboard snapshot={{ ...makeSnapshot(), version: 2 } as unknown as MonitoringSnapshot} />);
    expect(screen.getByRole('alert').textContent).toContain('unsupported version 2');
  });

  it('thousands of error groups and a 24-hour series render (paginated, downsampled)', async () => {
    const big = makeSnapshot({ groups: 3000, points: 8640, slow: 500 });
    const { container } = render(<MonitoringDashboard snapshot={big} />);
    expect(container.querySelectorAll('[data-fingerprint]')).toHaveLength(20);
    for (const path of container.querySelectorAll('svg[role="img"] path')) {
      expect((path.getAttribute('d') ?? '').length).toBeLessThan(10_000);
    }
  });

  it('theme: system by default, switchable, scoped CSS variables with an OS media query', () => {
    const { container } = render(<MonitoringDashboard snapshot={makeSnapshot()} />);
    const root = container.querySelector('.armor-dash')!;
    expect(root.getAttribute('data-theme')).toBe('system');
    expect(container.querySelector('style')!.textContent).toContain('@media (prefers-color-scheme:dark){.armor-dash[data-theme=system]');
    fireEvent.change(screen.getByLabelText('Theme'), { target: { value: 'dark' } });
    expect(root.getAttribute('data-theme')).toBe('dark');
  });

  it('bad options throw ConfigurationError naming the option', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const source = scriptedSource();
    expect(() => render(<MonitoringDashboard source={source} refreshIntervalMs={-1} />)).toThrow(ConfigurationError);
    // longer than a runtime timer holds (it would fire after ~1 ms): refused, naming the limit
    expect(() => render(<MonitoringDashboard source={source} refreshIntervalMs={2 ** 31} />)).toThrow(/at most 2147483647/);
    expect(() => render(<MonitoringDashboard source={source} maxRetryDelayMs={2 ** 31} />)).toThrow(/maxRetryDelayMs/);
    expect(() => render(<MonitoringDashboard source={source} refreshIntervalMs={Number.NaN} />)).toThrow(/refreshIntervalMs/);
    expect(() => render(<MonitoringDashboard source={source} maxRetryDelayMs={-5} />)).toThrow(/maxRetryDelayMs/);
    expect(() => render(<MonitoringDashboard />)).toThrow(/"source"/);
    expect(() => render(<MonitoringDashboard source={source} snapshot={makeSnapshot()} />)).toThrow(/not both/);
    expect(() => render(<MonitoringDashboard source={{} as SnapshotSource} />)).toThrow(/load/);
  });
});

describe('retryDelayMs', () => {
  it('doubles from the interval, caps at max(interval, maxRetryDelayMs), honours retryAfterMs', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(new Error(), n, 5000, 60_000))).toEqual([5000, 10_000, 20_000, 40_000, 60_000, 60_000]);
    expect(retryDelayMs(new Error(), 3, 300_000, 60_000)).toBe(300_000);
    expect(retryDelayMs(new Error(), 1, 0, 60_000)).toBe(5000);
    expect(retryDelayMs({ retryAfterMs: 90_000 }, 1, 5000, 60_000)).toBe(90_000);
    expect(retryDelayMs({ retryAfterMs: -1 }, 1, 5000, 60_000)).toBe(5000);
  });
});

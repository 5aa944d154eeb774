import { render, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeFleetSnapshot, makeSnapshot } from '../test/fixtures.js';
import { MonitoringDashboard } from './dashboard.js';
import { parseSnapshot } from './source.js';
import type { MonitoringSnapshot } from './types.js';

const PANELS = ['health', 'latency', 'throughput', 'error-rate', 'breakers', 'caches', 'rate-limits', 'routes', 'status-codes', 'errors', 'slow'];
const panel = (id: string) => document.querySelector(`[data-panel="${id}"]`) as HTMLElement;
const without = (key: keyof MonitoringSnapshot): MonitoringSnapshot => {
  const s = { ...makeSnapshot() } as Record<string, unknown>;
  delete s[key];
  return s as unknown as MonitoringSnapshot;
};
const unavailable = (id: string) => panel(id).querySelector('[data-testid="unavailable"]');

describe('a snapshot without a section degrades one panel at a time (issue 24)', () => {
  beforeEach(() => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('parseSnapshot accepts a version-1 snapshot that lacks sections (the panels say which)', () => {
    for (const key of ['requests', 'health', 'errors', 'caches', 'service', 'window'] as const) expect(() => parseSnapshot(without(key))).not.toThrow();
    expect(() => parseSnapshot({ version: 2 })).toThrow(/unsupported version/);
    expect(() => parseSnapshot('x')).toThrow(/not an object/);
  });

  it('without requests: the request panels say unavailable; breakers, caches, rate limits, errors, slow operations and health checks render', () => {
    render(<MonitoringDashboard snapshot={without('requests')} />);
    for (const id of PANELS) expect(panel(id)).not.toBeNull();
    expect(document.querySelectorAll('[data-panel-error]')).toHaveLength(0);
    for (const id of ['latency', 'throughput', 'error-rate', 'routes', 'status-codes']) expect(unavailable(id)?.textContent).toMatch(/unavailable.*(requests|latency): missing from the snapshot/i);
    for (const id of ['breakers', 'caches', 'rate-limits', 'errors', 'slow']) expect(unavailable(id)).toBeNull();
    expect(within(panel('breakers')).getAllByRole('row').length).toBeGreaterThan(1);
    expect(within(panel('errors')).getAllByRole('listitem').length).toBeGreaterThan(0);
    // the health panel: its checks, and the request tiles marked unavailable (not 0)
    expect(panel('health').querySelectorAll('[data-check]').length).toBeGreaterThan(0);
    expect(panel('health').querySelector('[data-tile="requests"]')!.textContent).toMatch(/unavailable/i);
  });

  it('without health: the health panel says unknown; every other panel renders its data', () => {
    render(<MonitoringDashboard snapshot={without('health')} />);
    expect(document.querySelectorAll('[data-panel-error]')).toHaveLength(0);
    expect(within(panel('health')).getByText('Unknown')).toBeTruthy();
    expect(panel('health').querySelector('[data-tile="requests"]')!.textContent).not.toMatch(/unavailable/i);
    for (const id of PANELS.filter((p) => p !== 'health')) expect(unavailable(id)).toBeNull();
    expect(within(panel('routes')).getAllByRole('row').length).toBeGreaterThan(1);
  });

  it('without errors: only the errors panel says unavailable', () => {
    render(<MonitoringDashboard snapshot={without('errors')} />);
    expect(document.querySelectorAll('[data-panel-error]')).toHaveLength(0);
    expect(unavailable('errors')?.textContent).toMatch(/unavailable/i);
    for (const id of PANELS.filter((p) => p !== 'errors')) expect(unavailable(id)).toBeNull();
  });

  it('a fleet snapshot with unavailable sections and an unknown health (from @armor/fleet): those panels say unavailable with the reason, the badge says Unknown', () => {
    const snap = {
      ...makeFleetSnapshot(),
      health: { status: 'unknown', checks: [{ name: 'prometheus', status: 'fail', componentType: 'datastore', output: 'request series: Prometheus refused the query' }] },
      unavailable: [
        { section: 'requests', reason: 'request series: Prometheus refused the query' },
        { section: 'latency', reason: 'latency series: Prometheus refused the query' },
        { section: 'caches', reason: 'cache lookups: Prometheus did not answer' },
      ],
    } as MonitoringSnapshot;
    render(<MonitoringDashboard snapshot={snap} />);
    expect(within(panel('health')).getByText('Unknown')).toBeTruthy();
    expect(unavailable('caches')!.textContent).toContain('cache lookups: Prometheus did not answer');
    expect(unavailable('throughput')!.textContent).toContain('Prometheus refused the query');
    expect(unavailable('latency')!.textContent).toContain('latency series');
    expect(unavailable('breakers')).toBeNull();
    expect(panel('health').querySelector('[data-tile="error-rate"]')!.textContent).toMatch(/unavailable/i);
    expect(panel('health').querySelector('[data-tile="latency"]')!.textContent).toMatch(/unavailable/i);
    expect(panel('health').querySelector('[data-tile="in-flight"]')!.textContent).not.toMatch(/unavailable/i);
    // the fleet panel: instance counts come from the requests section
    expect(panel('fleet').textContent).toMatch(/unavailable/i);
  });
});

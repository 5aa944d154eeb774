import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeFleetSnapshot, makeSnapshot } from '../test/fixtures.js';
import { MonitoringDashboard } from './dashboard.js';
import { normalizeSnapshot } from './normalize.js';
import { FleetSelector } from './panels/fleet.js';
import type { FleetAwareSnapshot, FleetRange, MonitoringSnapshot, SnapshotSource, SourceLoadOptions } from './types.js';

const flush = () =>
  act(async () => {
    await vi.advanceTimersByTimeAsync(0);
  });
const advance = (ms: number) =>
  act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
const panel = (id: string) => document.querySelector(`[data-panel="${id}"]`) as HTMLElement | null;

/** A source that answers like `@armor/fleet`'s handler: the query selects the instance and the range. */
function fleetSource() {
  const queries: (Readonly<Record<string, string>> | undefined)[] = [];
  const source: SnapshotSource & { queries: typeof queries } = {
    key: 'fleet',
    queries,
    async load({ query }: SourceLoadOptions) {
      queries.push(query);
      const instance = query?.instance ? query.instance : null;
      return makeFleetSnapshot({ now: Date.now(), seed: queries.length, instance, range: (query?.range ?? '15m') as FleetRange });
    },
  };
  return source;
}

function radio(name: RegExp | string) {
  return within(panel('fleet')!).getByRole('radio', { name });
}

describe('fleet snapshots: instance and range selectors', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.UTC(2026, 10, 25, 12));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a single-process snapshot (no fleet section) shows no selector and loads without a query', async () => {
    const queries: unknown[] = [];
    const source: SnapshotSource = {
      key: 'single',
      async load(options) {
        queries.push(options.query);
        return makeSnapshot({ now: Date.now() });
      },
    };
    render(<MonitoringDashboard source={source} refreshIntervalMs={5000} />);
    await flush();
    expect(panel('health')).not.toBeNull();
    expect(panel('fleet')).toBeNull();
    expect(screen.queryByRole('radio')).toBeNull();
    expect(screen.queryByLabelText('Range')).toBeNull();
    await advance(5000);
    expect(queries).toEqual([undefined, undefined]);
  });

  it('lists "Fleet" and every instance with its up/ready marker, requests, errors and p95', async () => {
    render(<MonitoringDashboard source={fleetSource()} refreshIntervalMs={0} />);
    await flush();
    const fleet = panel('fleet')!;
    const rows = within(fleet).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.getAttribute('data-instance'))).toEqual(['', 'api-1:3000', 'api-2:3000', 'api-3:3000']);
    expect(rows.map((r) => r.querySelector('td')!.textContent)).toEqual(['2 of 3 up', 'Ready', 'Not ready', 'Down']);
    // icon + text, never colour alone
    expect(rows[3]!.querySelector('[data-tone="fail"] svg')).not.toBeNull();
    expect(rows[1]!.textContent).toContain('1,000');
    expect(rows[2]!.textContent).toContain('2,037');
    expect(rows[2]!.textContent).toContain('91.5 ms');
    expect(rows[3]!.textContent).toContain('—');
    // the fleet row sums the instances
    expect(rows[0]!.textContent).toContain('6,111');
    expect(radio(/^Fleet \(3 instances\)/)).toHaveProperty('checked', true);
    expect((within(fleet).getByLabelText('Range') as HTMLSelectElement).value).toBe('15m');
    expect([...(within(fleet).getByLabelText('Range') as HTMLSelectElement).options].map((o) => o.textContent)).toEqual(['15 min', '1 h', '6 h', '24 h']);
    // the fleet panel comes first
    expect(document.querySelector('.ad-grid > [data-panel]')!.getAttribute('data-panel')).toBe('fleet');
  });

  it('picking an instance or a range loads again at once with ?instance=&range=, and later polls keep the query', async () => {
    const source = fleetSource();
    const changes: unknown[] = [];
    render(<MonitoringDashboard source={source} refreshIntervalMs={10_000} onFleetChange={(s) => changes.push(s)} />);
    await flush();
    expect(source.queries).toEqual([undefined]);
    await advance(2000);
    fireEvent.click(radio('api-2:3000'));
    await flush();
    expect(source.queries).toEqual([undefined, { instance: 'api-2:3000', range: '15m' }]);
    expect(screen.getByText(/orders-api 1\.4\.2 · snapshot/)).toBeDefined();
    expect(panel('health')!.textContent).toContain('api-2:3000');
    expect(radio('api-2:3000')).toHaveProperty('checked', true);
    fireEvent.change(within(panel('fleet')!).getByLabelText('Range'), { target: { value: '24h' } });
    await flush();
    expect(source.queries.at(-1)).toEqual({ instance: 'api-2:3000', range: '24h' });
    fireEvent.click(radio(/^Fleet/));
    await flush();
    expect(source.queries.at(-1)).toEqual({ instance: '', range: '24h' });
    expect(source.queries).toHaveLength(4);
    // the interval restarts from the last load and keeps the selection
    await advance(10_000);
    expect(source.queries).toHaveLength(5);
    expect(source.queries.at(-1)).toEqual({ instance: '', range: '24h' });
    expect(changes).toEqual([
      { instance: 'api-2:3000', range: '15m' },
      { instance: 'api-2:3000', range: '24h' },
      { instance: null, range: '24h' },
    ]);
  });

  it('a load in flight for the old selection is aborted, so its answer never replaces the new one', async () => {
    const signals: AbortSignal[] = [];
    const resolvers: ((s: MonitoringSnapshot) => void)[] = [];
    const source: SnapshotSource = {
      key: 'slow-fleet',
      load({ signal, query }) {
        signals.push(signal);
        if (query === undefined) return Promise.resolve(makeFleetSnapshot({ now: Date.now() }));
        return new Promise((resolve) => resolvers.push(resolve));
      },
    };
    render(<MonitoringDashboard source={source} refreshIntervalMs={0} />);
    await flush();
    fireEvent.click(radio('api-1:3000'));
    await flush();
    expect(within(panel('fleet')!).getByRole('status').textContent).toBe('Loading…');
    fireEvent.click(radio('api-3:3000'));
    await flush();
    expect(signals).toHaveLength(3);
    expect(signals[1]!.aborted).toBe(true);
    resolvers[1]!(makeFleetSnapshot({ now: Date.now(), instance: 'api-3:3000' }));
    resolvers[0]!(makeFleetSnapshot({ now: Date.now(), instance: 'api-1:3000' }));
    await flush();
    expect(panel('health')!.textContent).toContain('api-3:3000');
    expect(panel('health')!.textContent).not.toContain('api-1:3000');
    expect(radio('api-3:3000')).toHaveProperty('checked', true);
    expect(within(panel('fleet')!).queryByRole('status')).toBeNull();
  });

  it('with `snapshot`: onFleetChange gets the selection; without it the selectors are read-only', () => {
    const onFleetChange = vi.fn();
    const { rerender } = render(<MonitoringDashboard snapshot={makeFleetSnapshot()} onFleetChange={onFleetChange} />);
    fireEvent.click(radio('api-1:3000'));
    expect(onFleetChange).toHaveBeenCalledWith({ instance: 'api-1:3000', range: '15m' });
    rerender(<MonitoringDashboard snapshot={makeFleetSnapshot({ instance: 'api-1:3000' })} onFleetChange={onFleetChange} />);
    expect(within(panel('fleet')!).queryByRole('status')).toBeNull();
    rerender(<MonitoringDashboard snapshot={makeFleetSnapshot()} />);
    expect(radio('api-1:3000')).toHaveProperty('disabled', true);
    expect(within(panel('fleet')!).getByLabelText('Range')).toHaveProperty('disabled', true);
  });

  it('FleetSelector on its own renders nothing for a single-process snapshot', () => {
    const { container } = render(<FleetSelector snapshot={makeSnapshot()} onChange={() => undefined} />);
    expect(container.innerHTML).toBe('');
  });
});

describe('error groups of a fleet snapshot: where they were seen', () => {
  it('shows the first and last release and instance, and a table of every sighting', () => {
    render(<MonitoringDashboard snapshot={makeFleetSnapshot({ groups: 3 })} refreshIntervalMs={0} />);
    const group = document.querySelector('[data-fingerprint="fp000000"]') as HTMLElement;
    const releases = within(group).getByTestId('error-releases');
    expect(releases.textContent).toContain('first in v1.4.1 (api-1:3000)');
    expect(releases.textContent).toContain('last in v1.4.2');
    expect(releases.textContent).toContain('3 instances, 2 releases');
    const button = within(group).getByRole('button', { name: /^Where seen for INTERNAL 500/ });
    expect(button.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(button);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    const table = within(group).getByRole('table');
    const rows = within(table).getAllByRole('row').slice(1);
    const seen = (makeFleetSnapshot({ groups: 3 }) as FleetAwareSnapshot & { errors: { groups: { seen: unknown[] }[] } }).errors.groups[0]!.seen;
    expect(rows).toHaveLength(seen.length);
    expect(rows[0]!.textContent).toContain('v1.4.2');
  });

  it('groups without `seen` (single process) show no release line', () => {
    render(<MonitoringDashboard snapshot={makeSnapshot({ groups: 3 })} refreshIntervalMs={0} />);
    expect(screen.queryByTestId('error-releases')).toBeNull();
    expect(screen.queryByRole('button', { name: /Where seen/ })).toBeNull();
  });

  it('the filter also matches a release or an instance', () => {
    const snapshot = makeFleetSnapshot({ groups: 6, releases: ['v1.4.1'] });
    (snapshot.errors.groups[4] as unknown as { seen: { release: string }[] }).seen[0]!.release = 'v9-canary';
    render(<MonitoringDashboard snapshot={snapshot} refreshIntervalMs={0} />);
    fireEvent.change(screen.getByLabelText('Filter'), { target: { value: 'v9-canary' } });
    expect([...document.querySelectorAll('[data-fingerprint]')].map((el) => el.getAttribute('data-fingerprint'))).toEqual(['fp000004']);
  });
});

describe('a malformed fleet section is a visible note, never a blank dashboard', () => {
  const withFleet = (fleet: unknown) => ({ ...makeSnapshot(), fleet }) as unknown as MonitoringSnapshot;

  it('not an object: an empty fleet panel with a note, every other panel renders', () => {
    for (const bad of ['all', null, 42, [1, 2]]) {
      const { unmount } = render(<MonitoringDashboard snapshot={withFleet(bad)} />);
      const fleet = panel('fleet')!;
      expect(within(fleet).getByTestId('field-notes').textContent).toMatch(/1 field/);
      expect(fleet.textContent).toMatch(/fleet: expected an object, got (a string|null|42|an array)/);
      expect(fleet.textContent).toContain('Fleet (0 instances)');
      for (const id of ['health', 'latency', 'errors', 'breakers']) expect(panel(id)).not.toBeNull();
      expect(document.querySelectorAll('[data-panel-error]')).toHaveLength(0);
      unmount();
    }
  });

  it('wrong items, a wrong selected instance and an unknown range are repaired with notes', () => {
    const snapshot = withFleet({
      instances: [
        { instance: 'ok:1', up: true, ready: true, count: 10, errors: 1, p95Ms: 12 },
        { up: 'yes', count: '7', errors: null, p95Ms: 'fast' },
        'not an instance',
      ],
      instance: 3,
      range: 'week',
    });
    const { snapshot: fixed, notes } = normalizeSnapshot(snapshot);
    expect(notes.map((n) => `${n.panel} ${n.path}`)).toEqual([
      'fleet fleet.instances[1].instance',
      'fleet fleet.instances[1].up',
      'fleet fleet.instances[1].count',
      'fleet fleet.instances[1].errors',
      'fleet fleet.instances[1].p95Ms',
      'fleet fleet.instances[2]',
      'fleet fleet.instance',
      'fleet fleet.range',
    ]);
    const fleet = (fixed as FleetAwareSnapshot).fleet!;
    expect(fleet.instances).toHaveLength(2);
    expect(fleet.instances[1]).toMatchObject({ instance: '(unnamed instance)', up: true, p95Ms: null });
    expect(fleet.instance).toBeNull();
    expect(fleet.range).toBeNull();
    render(<MonitoringDashboard snapshot={snapshot} />);
    const el = panel('fleet')!;
    expect(within(el).getByTestId('field-notes').textContent).toMatch(/8 fields/);
    expect(el.textContent).toContain('fleet.range');
    expect(within(el).getAllByRole('radio')).toHaveLength(3);
    expect((within(el).getByLabelText('Range') as HTMLSelectElement).value).toBe('');
  });

  it('malformed sightings on an error group: repaired or dropped, with a note on the errors panel', () => {
    const snapshot = makeFleetSnapshot({ groups: 2 }) as unknown as { errors: { groups: Record<string, unknown>[] } };
    snapshot.errors.groups[0]!.seen = [{ release: 5, instance: 'a', firstSeen: 1, lastSeen: 'later', count: 2 }, null];
    snapshot.errors.groups[1]!.seen = 'everywhere';
    const { snapshot: fixed, notes } = normalizeSnapshot(snapshot as unknown as MonitoringSnapshot);
    expect(notes.map((n) => `${n.panel} ${n.path}`)).toEqual([
      'errors errors.groups[0].seen[0].release',
      'errors errors.groups[0].seen[0].lastSeen',
      'errors errors.groups[0].seen[1]',
      'errors errors.groups[1].seen',
    ]);
    const groups = fixed.errors.groups as unknown as { seen?: { release: string }[] }[];
    expect(groups[0]!.seen).toHaveLength(1);
    expect(groups[0]!.seen![0]!.release).toBe('5');
    expect(groups[1]!.seen).toBeUndefined();
    render(<MonitoringDashboard snapshot={snapshot as unknown as MonitoringSnapshot} />);
    expect(within(panel('errors')!).getByTestId('field-notes').textContent).toMatch(/4 fields/);
  });

  it('a valid fleet snapshot comes back as the same object with no notes', () => {
    const snapshot = makeFleetSnapshot({ groups: 5 });
    const result = normalizeSnapshot(snapshot);
    expect(result.notes).toEqual([]);
    expect(result.snapshot).toBe(snapshot);
  });
});

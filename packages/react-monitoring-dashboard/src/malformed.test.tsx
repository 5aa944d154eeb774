import { act, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeSnapshot, malformedSnapshot } from '../test/fixtures.js';
import { MonitoringDashboard } from './dashboard.js';
import { normalizeSnapshot } from './normalize.js';
import type { SnapshotSource } from './types.js';
import { PanelBoundary } from './ui.js';

const PANELS = ['health', 'latency', 'throughput', 'error-rate', 'breakers', 'caches', 'rate-limits', 'routes', 'status-codes', 'errors', 'slow'];
const panel = (id: string) => document.querySelector(`[data-panel="${id}"]`) as HTMLElement;

describe('a malformed snapshot never blanks the dashboard (issue 17 #6)', () => {
  beforeEach(() => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('two nameless breakers, a null series point and an object message: every panel renders, with a visible note where a field was wrong', () => {
    render(<MonitoringDashboard snapshot={malformedSnapshot()} />);
    for (const id of PANELS) expect(panel(id)).not.toBeNull();
    expect(document.querySelectorAll('[data-panel-error]')).toHaveLength(0);
    // breakers: both nameless ones listed under distinct names, with a note
    const breakers = panel('breakers');
    expect(within(breakers).getAllByRole('row')).toHaveLength(1 + 5);
    expect(within(breakers).getByTestId('field-notes').textContent).toMatch(/2 fields.*wrong type/);
    expect(breakers.textContent).toContain('breakers[0].name');
    // the series: the null point is left out with a note on the charts
    expect(within(panel('latency')).getByTestId('field-notes').textContent).toMatch(/1 field/);
    expect(panel('latency').textContent).toContain('requests.series[5]');
    expect(document.querySelectorAll('svg[role="img"] path').length).toBeGreaterThan(0);
    // the error group: the object shown as text, with a note
    const errors = panel('errors');
    expect(errors.textContent).toContain('{"detail":"upstream said no","code":42}');
    expect(within(errors).getByTestId('field-notes').textContent).toMatch(/1 field/);
    // panels with nothing wrong have no note
    expect(within(panel('caches')).queryByTestId('field-notes')).toBeNull();
  });

  it('normalizeSnapshot returns a valid snapshot untouched (same object, no notes)', () => {
    const good = makeSnapshot();
    const result = normalizeSnapshot(good);
    expect(result.snapshot).toBe(good);
    expect(result.notes).toEqual([]);
  });

  it('a panel that still throws shows its own error; the others render, and the next snapshot tries again', () => {
    let broken = true;
    function Exploding({ n }: { n: number }) {
      if (broken) throw new Error(`render exploded ${n}`);
      return <p>fine {n}</p>;
    }
    const { rerender } = render(
      <div>
        <PanelBoundary testId="a" title="Panel A" resetKey={1}>
          <Exploding n={1} />
        </PanelBoundary>
        <p>sibling</p>
      </div>,
    );
    expect(screen.getByRole('alert').textContent).toContain('render exploded 1');
    expect(screen.getByText('sibling')).toBeTruthy();
    broken = false;
    rerender(
      <div>
        <PanelBoundary testId="a" title="Panel A" resetKey={2}>
          <Exploding n={2} />
        </PanelBoundary>
        <p>sibling</p>
      </div>,
    );
    expect(screen.getByText('fine 2')).toBeTruthy();
  });

  it('with a polling source, a malformed snapshot does not stop the refresh loop', async () => {
    vi.useFakeTimers();
    try {
      let loads = 0;
      const source: SnapshotSource = {
        key: 'malformed',
        load: async () => {
          loads++;
          const s = loads % 2 === 1 ? malformedSnapshot({ seed: loads }) : makeSnapshot({ seed: loads });
          s.service.instance = `load-${loads}`;
          return s;
        },
      };
      render(<MonitoringDashboard source={source} refreshIntervalMs={1000} />);
      for (let i = 0; i < 4; i++) {
        await act(async () => {
          await vi.advanceTimersByTimeAsync(1000);
        });
      }
      expect(loads).toBeGreaterThanOrEqual(4);
      expect(panel('health').textContent).toContain(`load-${loads}`);
      for (const id of PANELS) expect(panel(id)).not.toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});

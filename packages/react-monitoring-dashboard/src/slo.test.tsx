import { render, within } from '@testing-library/react';
import { createScorecard } from '@armor/metrics/slo';
import { manualClock } from '@armor/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { expectFinite } from '../test/dom.js';
import { FIXED_NOW, makeFleetSnapshot, makeSloSection, makeSnapshot } from '../test/fixtures.js';
import { MonitoringDashboard } from './dashboard.js';
import { normalizeSnapshot } from './normalize.js';
import { SloScorecard } from './panels/slo.js';
import { formatBytes } from './format.js';
import type { MonitoringSnapshot } from './types.js';

const withSlo = (slo: unknown = makeSloSection(), base: MonitoringSnapshot = makeSnapshot()): MonitoringSnapshot => ({ ...base, slo }) as MonitoringSnapshot;
const panel = (id: string) => document.querySelector(`[data-panel="${id}"]`) as HTMLElement;
const row = (kind: string, subject?: string) =>
  [...document.querySelectorAll(`[data-slo="${kind}"]`)].find((r) => subject === undefined || r.textContent!.includes(subject)) as HTMLElement;

describe('SloScorecard (issue 28)', () => {
  it('one row per target (and per operation/route): target, actual, status, trend, samples; missed in red', () => {
    render(<SloScorecard snapshot={withSlo()} />);
    const p = panel('slo');
    expect(p.querySelector('.ad-panel-head')!.textContent).toContain('1 missed');
    expect([...p.querySelectorAll('[data-slo]')].map((r) => r.getAttribute('data-slo'))).toEqual([
      'availability',
      'errorRate',
      'serverLatency',
      'serverLatency',
      'serverLatency',
      'pageLoad',
      'cacheHitRate',
      'bundleSize',
    ]);
    const slow = row('serverLatency', 'POST /orders');
    expect(slow.getAttribute('data-status')).toBe('missed');
    expect(within(slow).getByText('Missed').closest('.ad-badge')!.className).toContain('ad-fail');
    expect(slow.textContent).toContain('< 100 ms');
    expect(slow.textContent).toContain('180 ms');
    expect(slow.querySelector('[data-trend]')!.textContent).toContain('worse');
    expect(slow.querySelector('td[title]')!.getAttribute('title')).toBe('previous window: 120 ms');
    // too few samples: says so, with the note, never "Met"
    const rare = row('serverLatency', 'DELETE');
    expect(within(rare).getByText('Not enough data').closest('.ad-badge')!.className).toContain('ad-unknown');
    expect(rare.textContent).toContain('12 of the 20 samples needed');
    expect(rare.textContent).toContain('12 / 20');
    // units
    expect(row('bundleSize').textContent).toContain('< 500 KB');
    expect(row('bundleSize').textContent).toContain('312 KB');
    expect(row('cacheHitRate').textContent).toContain('> 80%');
    expect(row('cacheHitRate').textContent).toContain('92%');
    expect(row('pageLoad').textContent).toContain('< 2.00 s');
    expect(row('pageLoad').querySelector('[data-trend]')!.textContent).toContain('steady');
    // availability: enough digits to compare with 99.9 %, truncated, and the budget left over 30 days
    const a = row('availability');
    expect(a.textContent).toContain('> 99.90%');
    expect(a.textContent).toContain('99.97%');
    expect(a.querySelector('[data-budget]')!.textContent).toBe('budget left 73% over 30 d 0 h');
    expect(p.textContent).toContain('4 more operations or routes not listed');
    expectFinite(p);
  });

  it('all met, and a spent budget shown in red', () => {
    const slo = makeSloSection();
    slo.objectives = slo.objectives.filter((o) => o.status === 'met');
    slo.objectives.find((o) => o.kind === 'availability')!.budgetRemaining = -1.5;
    render(<SloScorecard snapshot={withSlo(slo)} />);
    expect(panel('slo').querySelector('.ad-panel-head')!.textContent).toContain('All met');
    expect(within(row('availability')).getByText('spent (-150%)').closest('.ad-badge')!.className).toContain('ad-fail');
  });

  it('renders nothing without an slo section; the dashboard shows the panel only with one', () => {
    const { container, unmount } = render(<SloScorecard snapshot={makeSnapshot()} />);
    expect(container.innerHTML).toBe('');
    unmount();
    render(<MonitoringDashboard snapshot={makeSnapshot()} panels={{ slo: SloScorecard }} />);
    expect(panel('slo')).toBeNull();
  });

  it('an slo section but no SloScorecard given (it is its own entry): a note says how to add it', () => {
    render(<MonitoringDashboard snapshot={withSlo()} />);
    const note = panel('slo').querySelector('[data-panel-missing]')!;
    expect(note.textContent).toContain('panels={{ slo: SloScorecard }}');
    expect(note.textContent).toContain("import { SloScorecard } from '@armor/react-monitoring-dashboard/slo'");
    expect(panel('slo').querySelectorAll('[data-slo]')).toHaveLength(0);
  });

  it('the fleet form: a fleet snapshot with an slo section shows the scorecard beside the fleet selector', () => {
    render(<MonitoringDashboard snapshot={withSlo(makeSloSection(), makeFleetSnapshot())} panels={{ slo: SloScorecard }} />);
    expect(panel('fleet')).not.toBeNull();
    expect(within(panel('slo')).getAllByRole('row').length).toBe(1 + 8);
  });

  it('formatBytes', () => {
    expect([formatBytes(0), formatBytes(999), formatBytes(1500), formatBytes(312_400), formatBytes(2_345_678), formatBytes(Number.NaN)]).toEqual(['0 B', '999 B', '1.5 KB', '312 KB', '2.35 MB', '—']);
  });

  it('shows what @armor/metrics/slo produces (real scorecard, manual clock)', async () => {
    const card = createScorecard({ clock: manualClock(FIXED_NOW), bundleBytes: 640_000 });
    const snapshot = makeSnapshot();
    const slo = await card.evaluate(snapshot);
    render(<MonitoringDashboard snapshot={withSlo(slo, snapshot)} panels={{ slo: SloScorecard }} />);
    expect(row('bundleSize').getAttribute('data-status')).toBe('missed');
    expect(row('pageLoad').textContent).toMatch(/no page-load source/);
    expect(document.querySelectorAll('[data-panel-error]')).toHaveLength(0);
    expectFinite(panel('slo'));
  });
});

describe('a malformed slo section degrades the scorecard alone', () => {
  beforeEach(() => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('not an object: only the scorecard says unavailable', () => {
    render(<MonitoringDashboard snapshot={withSlo(42)} panels={{ slo: SloScorecard }} />);
    expect(panel('slo').querySelector('[data-testid="unavailable"]')!.textContent).toMatch(/slo: malformed: expected an object, got 42/);
    expect(document.querySelectorAll('[data-testid="unavailable"]')).toHaveLength(1);
    expect(document.querySelectorAll('[data-panel-error]')).toHaveLength(0);
  });

  it('objectives not a list: unavailable with the reason', () => {
    render(<MonitoringDashboard snapshot={withSlo({ windowMs: 1, objectives: 'x' })} panels={{ slo: SloScorecard }} />);
    expect(panel('slo').querySelector('[data-testid="unavailable"]')!.textContent).toContain('slo.objectives is a string, not a list');
  });

  it('an unknown status is shown as not enough data (never met), with a note; wrong numbers become "—"', () => {
    const slo = makeSloSection() as unknown as { objectives: Record<string, unknown>[] };
    slo.objectives[0] = { ...slo.objectives[0], status: 'green', actual: 'fast', trend: 'up', target: null };
    const { notes } = normalizeSnapshot(withSlo(slo));
    expect(notes.map((n) => n.path)).toEqual(expect.arrayContaining(['slo.objectives[0].status', 'slo.objectives[0].actual', 'slo.objectives[0].trend', 'slo.objectives[0].target']));
    render(<MonitoringDashboard snapshot={withSlo(slo)} panels={{ slo: SloScorecard }} />);
    const r = row('serverLatency', 'POST /orders');
    expect(r.getAttribute('data-status')).toBe('insufficient_data');
    expect(within(r).getByText('Not enough data')).toBeTruthy();
    expect(within(panel('slo')).getByTestId('field-notes')).toBeTruthy();
    expectFinite(panel('slo'));
  });

  it('a server that lists slo as unavailable: the panel says so', () => {
    render(<MonitoringDashboard snapshot={{ ...makeSnapshot(), unavailable: [{ section: 'slo', reason: 'scorecard failed' }] } as MonitoringSnapshot} panels={{ slo: SloScorecard }} />);
    expect(panel('slo').querySelector('[data-testid="unavailable"]')!.textContent).toContain('scorecard failed');
  });
});

import { fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { expectFinite } from '../test/dom.js';
import { FIXED_NOW, makeAuditSection, makeSnapshot } from '../test/fixtures.js';
import { MonitoringDashboard } from './dashboard.js';
import { normalizeSnapshot } from './normalize.js';
import { AuditPanel } from './panels/audit.js';
import type { MonitoringSnapshot } from './types.js';

const withAudit = (audit: unknown = makeAuditSection()): MonitoringSnapshot => ({ ...makeSnapshot(), audit }) as MonitoringSnapshot;
const panel = (id: string) => document.querySelector(`[data-panel="${id}"]`) as HTMLElement;
const events = () => [...document.querySelectorAll('[data-audit-event]')] as HTMLElement[];
const streamRow = (name: string) => within(screen.getByRole('region', { name: 'Audit integrity table' })).getByRole('rowheader', { name: name }).closest('tr')!;

describe('AuditPanel (issue 25, operations)', () => {
  it('integrity per stream: Clean, FINDINGS in red (listed first), Not verified yet; unanchored count and checkpoint age', () => {
    render(<AuditPanel snapshot={withAudit()} />);
    const rows = within(screen.getByRole('region', { name: 'Audit integrity table' })).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.querySelector('th')!.textContent)).toEqual(['tenant-b', 'tenant-c', 'tenant-a']);
    const b = streamRow('tenant-b');
    expect(b.getAttribute('data-stream-status')).toBe('fail');
    expect(within(b).getByText('FINDINGS (2)').closest('.ad-badge')!.className).toContain('ad-fail');
    expect(b.textContent).toContain('2 h 1 min'); // checkpoint age 7,300 s
    expect(b.textContent).toContain('30 s ago');
    const a = streamRow('tenant-a');
    expect(within(a).getByText('Clean').closest('.ad-badge')!.className).toContain('ad-pass');
    expect(a.textContent).toContain('7 min');
    expect(within(a).getByText('3').closest('.ad-badge')!.className).toContain('ad-warn'); // unanchored
    const c = streamRow('tenant-c');
    expect(within(c).getByText('Not verified yet').closest('.ad-badge')!.className).toContain('ad-unknown');
    expect(c.textContent).toContain('—');
    // the panel's summary badge
    expect(panel('audit').querySelector('.ad-panel-head')!.textContent).toContain('1 with findings');
    expectFinite(panel('audit'));
  });

  it('a stream with findings but ok: true is never shown as clean', () => {
    const audit = makeAuditSection();
    audit.streams = [{ stream: 'x', ok: true, lastSeq: 5, findings: 1, unanchored: 0 }];
    render(<AuditPanel snapshot={withAudit(audit)} />);
    expect(screen.queryByText('Clean')).toBeNull();
    expect(screen.getByText('FINDINGS (1)')).toBeTruthy();
  });

  it('all streams verified clean: the summary says so', () => {
    const audit = makeAuditSection();
    audit.streams = audit.streams.filter((s) => s.ok === true);
    render(<AuditPanel snapshot={withAudit(audit)} />);
    expect(panel('audit').querySelector('.ad-panel-head')!.textContent).toContain('All clean');
  });

  it('recent events newest first, filtered by stream, action text and outcome, paginated', () => {
    render(<AuditPanel snapshot={withAudit()} pageSize={10} />);
    expect(events()).toHaveLength(10);
    expect(screen.getByText('Page 1 of 3')).toBeTruthy();
    expect(events()[0]!.querySelectorAll('td')[2]!.textContent).toBe('100');
    expect(events()[0]!.textContent).toContain('api_key:key_0, tenant:acme');

    fireEvent.change(screen.getByLabelText('Stream'), { target: { value: 'tenant-b' } });
    expect(screen.getByText('10 of 30 recent events match, newest first')).toBeTruthy();
    expect(events().every((e) => e.querySelectorAll('td')[1]!.textContent === 'tenant-b')).toBe(true);

    fireEvent.change(screen.getByLabelText('Stream'), { target: { value: '' } });
    fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'API_KEY' } });
    expect(screen.getByText('12 of 30 recent events match, newest first')).toBeTruthy();
    expect(events().every((e) => /api_key\./.test(e.querySelectorAll('td')[3]!.textContent ?? ''))).toBe(true);

    fireEvent.change(screen.getByLabelText('Outcome'), { target: { value: 'success' } });
    expect(screen.getByText('12 of 30 recent events match, newest first')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'revoked' } });
    expect(screen.getByText('6 of 30 recent events match, newest first')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Outcome'), { target: { value: 'denied' } });
    expect(events()).toHaveLength(0);
    expect(screen.getByText('No event matches these filters.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Action'), { target: { value: '' } });
    expect(events().every((e) => e.textContent!.includes('Denied'))).toBe(true);
    expect(events()).toHaveLength(10);
  });

  it('empty section: says there is nothing yet', () => {
    render(<AuditPanel snapshot={withAudit({ streams: [], recent: [] })} />);
    expect(screen.getByText('No audit streams.')).toBeTruthy();
    expect(screen.getByText('No audit events yet.')).toBeTruthy();
  });

  it('renders nothing for a snapshot without an audit section', () => {
    const { container } = render(<AuditPanel snapshot={makeSnapshot()} />);
    expect(container.innerHTML).toBe('');
  });
});

describe('the dashboard shows the audit panel only with an audit section, and it degrades alone', () => {
  beforeEach(() => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('absent section: no audit panel', () => {
    render(<MonitoringDashboard snapshot={makeSnapshot()} />);
    expect(panel('slow')).not.toBeNull();
    expect(panel('audit')).toBeNull();
  });

  it('present: the panel is shown', () => {
    render(<MonitoringDashboard snapshot={withAudit()} panels={{ audit: AuditPanel }} />);
    expect(within(panel('audit')).getByText('FINDINGS (2)')).toBeTruthy();
    expect(document.querySelectorAll('[data-panel-error]')).toHaveLength(0);
  });

  it('present but no AuditPanel given (it is its own entry): a note says how to add it, nothing else changes', () => {
    render(<MonitoringDashboard snapshot={withAudit()} />);
    const note = panel('audit').querySelector('[data-panel-missing]')!;
    expect(note.textContent).toContain('panels={{ audit: AuditPanel }}');
    expect(note.textContent).toContain("import { AuditPanel } from '@armor/react-monitoring-dashboard/audit'");
    expect(panel('audit').querySelectorAll('[data-audit-event]')).toHaveLength(0);
    expect(document.querySelectorAll('[data-panel-error]')).toHaveLength(0);
  });

  it('panels: an unknown name or a value that is not a component is a ConfigurationError naming it', () => {
    expect(() => render(<MonitoringDashboard snapshot={withAudit()} panels={{ audits: AuditPanel } as never} />)).toThrow(/panels\.audits.*known: slo, audit/);
    expect(() => render(<MonitoringDashboard snapshot={withAudit()} panels={{ audit: 'AuditPanel' } as never} />)).toThrow(/panels\.audit.*React component/);
    expect(() => render(<MonitoringDashboard snapshot={withAudit()} panels={[AuditPanel] as never} />)).toThrow(/panels/);
  });

  it('a section that is not an object: only the audit panel says unavailable', () => {
    render(<MonitoringDashboard snapshot={withAudit('broken')} panels={{ audit: AuditPanel }} />);
    expect(panel('audit').querySelector('[data-testid="unavailable"]')!.textContent).toMatch(/audit: malformed: expected an object, got a string/);
    expect(document.querySelectorAll('[data-panel-error]')).toHaveLength(0);
    expect(document.querySelectorAll('[data-testid="unavailable"]')).toHaveLength(1);
  });

  it('streams that is not a list: unavailable with the reason', () => {
    render(<MonitoringDashboard snapshot={withAudit({ streams: 7, recent: [] })} />);
    expect(panel('audit').querySelector('[data-testid="unavailable"]')!.textContent).toContain('audit.streams is 7, not a list');
  });

  it('wrong item fields are repaired with a visible note; a wrong ok is shown as not verified, never clean', () => {
    const audit = makeAuditSection() as unknown as { streams: Record<string, unknown>[]; recent: Record<string, unknown>[] };
    audit.streams = [{ stream: 'weird', ok: 'yes', lastSeq: '5', findings: 0, unanchored: 0 }, null as unknown as Record<string, unknown>];
    audit.recent[0] = { ...audit.recent[0], action: { nested: true }, outcome: 'exploded', targets: 'api_key:1' };
    audit.recent[1] = { ...audit.recent[1], targets: [{ type: 'x' }, 'ok:1'], seq: null };
    const { snapshot, notes } = normalizeSnapshot(withAudit(audit));
    expect(notes.every((n) => n.panel === 'audit')).toBe(true);
    expect(notes.map((n) => n.path)).toEqual(
      expect.arrayContaining(['audit.streams[0].ok', 'audit.streams[0].lastSeq', 'audit.streams[1]', 'audit.recent[0].action', 'audit.recent[0].outcome', 'audit.recent[0].targets', 'audit.recent[1].targets', 'audit.recent[1].seq']),
    );
    expect(snapshot.audit!.streams).toHaveLength(1);
    render(<MonitoringDashboard snapshot={withAudit(audit)} panels={{ audit: AuditPanel }} />);
    const p = panel('audit');
    expect(document.querySelectorAll('[data-panel-error]')).toHaveLength(0);
    expect(within(p).getByTestId('field-notes').textContent).toMatch(/fields in this snapshot had the wrong type/);
    expect(within(p).getByText('Not verified yet')).toBeTruthy();
    expect(within(p).queryByText('Clean')).toBeNull();
    expect(p.textContent).toContain('{"nested":true}');
    expect(p.textContent).toContain('{"type":"x"}, ok:1');
    expect(within(p).getByText('exploded').closest('.ad-badge')!.className).toContain('ad-unknown');
    expectFinite(p);
    // the other panels have no note
    expect(within(panel('caches')).queryByTestId('field-notes')).toBeNull();
  });

  it('a server that says the audit section is unavailable: the panel says so with its reason', () => {
    const s = { ...makeSnapshot(), unavailable: [{ section: 'audit', reason: 'the audit store did not answer' }] } as MonitoringSnapshot;
    render(<MonitoringDashboard snapshot={s} panels={{ audit: AuditPanel }} />);
    expect(panel('audit').querySelector('[data-testid="unavailable"]')!.textContent).toContain('the audit store did not answer');
  });

  it('uses the snapshot time for "verified … ago" (deterministic)', () => {
    render(<AuditPanel snapshot={{ ...withAudit(), generatedAt: FIXED_NOW + 60_000 }} />);
    expect(streamRow('tenant-b').textContent).toContain('1 min ago');
  });
});

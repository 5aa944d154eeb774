import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { emptySnapshot, makeSnapshot } from '../test/fixtures.js';
import { HealthOverview } from './panels/health-overview.js';
import { MonitoringTheme } from './theme.js';

describe('HealthOverview', () => {
  it('labels every check with text and an icon, failing checks first', () => {
    render(<HealthOverview snapshot={makeSnapshot({ health: 'fail' })} />);
    const list = screen.getByRole('list', { name: 'Health checks' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((li) => li.getAttribute('data-check'))).toEqual(['payments', 'redis', 'database']);
    expect(items[0]).toHaveProperty('textContent', expect.stringContaining('Fail') as string);
    expect(items[0]!.textContent).toContain('connection refused');
    expect(items[1]!.textContent).toContain('Warn');
    expect(items[2]!.textContent).toContain('Pass');
    expect(items[2]!.textContent).toContain('3 ms');
    expect(items[2]!.textContent).toContain('(critical)');
    // not colour alone: each badge has an icon and a word
    for (const li of items) {
      const badge = li.querySelector('.ad-badge')!;
      expect(badge.querySelector('svg[aria-hidden="true"]')).not.toBeNull();
      expect(badge.textContent).toMatch(/Pass|Warn|Fail/);
    }
    expect(screen.getByText('Unhealthy')).toBeDefined();
  });

  it('shows service identity, uptime and request totals', () => {
    render(<HealthOverview snapshot={makeSnapshot({ health: 'pass' })} />);
    expect(screen.getByText(/orders-api 1\.4\.2 · web-1 · up 1 d 2 h/)).toBeDefined();
    expect(screen.getByText('Healthy')).toBeDefined();
    expect(screen.getByText('Requests').nextSibling?.textContent).toMatch(/^\d[\d,]*$/);
    expect(screen.getByText('p50 / p95 / p99').nextSibling?.textContent).toBe('21.5 ms / 88.0 ms / 240 ms');
  });

  it('empty data: no checks, zero requests, null quantiles', () => {
    render(
      <MonitoringTheme>
        <HealthOverview snapshot={emptySnapshot()} />
      </MonitoringTheme>,
    );
    expect(screen.getByText('No health checks registered.')).toBeDefined();
    expect(screen.getByText('p50 / p95 / p99').nextSibling?.textContent).toBe('— / — / —');
    expect(screen.getByText('Error rate').nextSibling?.textContent).toBe('0%');
  });
});

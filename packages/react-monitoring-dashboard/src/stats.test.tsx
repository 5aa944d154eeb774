import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { emptySnapshot, makeSnapshot } from '../test/fixtures.js';
import { CacheStats, CircuitBreakers, RateLimitStats } from './panels/stats.js';

describe('CacheStats', () => {
  it('hit rate as text and meter; a cache without lookups shows a dash, not 0%', () => {
    render(<CacheStats snapshot={makeSnapshot()} />);
    const [orders, sessions] = within(screen.getByRole('table')).getAllByRole('row').slice(1);
    expect(orders!.textContent).toContain('90%');
    expect(within(orders!).getByRole('meter', { name: 'orders hit rate' }).getAttribute('aria-valuenow')).toBe('90');
    expect(orders!.textContent).toContain('512');
    expect(sessions!.querySelectorAll('td')[0]!.textContent).toBe('— (no lookups)');
    expect(within(sessions!).queryByRole('meter')).toBeNull();
  });
  it('empty data', () => {
    render(<CacheStats snapshot={emptySnapshot()} />);
    expect(screen.getByText('No caches instrumented.')).toBeDefined();
  });
});

describe('RateLimitStats', () => {
  it('rejections and store errors', () => {
    render(<RateLimitStats snapshot={makeSnapshot()} />);
    const [api, login] = within(screen.getByRole('table')).getAllByRole('row').slice(1);
    expect([...api!.querySelectorAll('td')].map((td) => td.textContent)).toEqual(['9,500', '500', '5.0%', '0']);
    expect([...login!.querySelectorAll('td')].map((td) => td.textContent)).toEqual(['40', '10', '20%', '2']);
    expect(login!.querySelector('.ad-badge')).not.toBeNull();
  });
  it('empty data', () => {
    render(<RateLimitStats snapshot={emptySnapshot()} />);
    expect(screen.getByText('No rate limiters instrumented.')).toBeDefined();
  });
});

describe('CircuitBreakers', () => {
  it('open breakers first, state as text + icon, open count in the header', () => {
    render(<CircuitBreakers snapshot={makeSnapshot()} />);
    const rows = within(screen.getByRole('table')).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.getAttribute('data-state'))).toEqual(['open', 'half-open', 'closed']);
    expect(rows.map((r) => r.querySelector('.ad-badge')!.textContent)).toEqual(['Open', 'Half-open', 'Closed']);
    expect(screen.getByText('1 open')).toBeDefined();
    expect(rows[0]!.textContent).toContain('57');
    expect(rows[0]!.textContent).toContain('30 s ago');
  });
  it('all closed', () => {
    const snapshot = makeSnapshot();
    snapshot.breakers = [{ name: 'db', state: 'closed' }];
    render(<CircuitBreakers snapshot={snapshot} />);
    expect(screen.getByText('All closed')).toBeDefined();
    expect(screen.getAllByRole('row')[1]!.textContent).toContain('—');
  });
  it('empty data', () => {
    render(<CircuitBreakers snapshot={emptySnapshot()} />);
    expect(screen.getByText('No circuit breakers instrumented.')).toBeDefined();
  });
});

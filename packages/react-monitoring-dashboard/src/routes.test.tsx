import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { emptySnapshot, makeSnapshot } from '../test/fixtures.js';
import { RouteTable, StatusBreakdown } from './panels/routes.js';

describe('RouteTable', () => {
  it('lists requests.routes busiest first with errors, error share and latency quantiles', () => {
    const snapshot = makeSnapshot();
    snapshot.requests.routes = [
      { method: 'GET', route: '/health', count: 10, errors: 0, p50Ms: 1, p95Ms: 2, p99Ms: 3 },
      { method: 'POST', route: '/orders', count: 200, errors: 10, p50Ms: 40, p95Ms: 120, p99Ms: 480 },
    ];
    render(<RouteTable snapshot={snapshot} />);
    const rows = within(screen.getByRole('region', { name: 'Routes table' })).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.textContent)).toEqual(['POST /orders200105.0%40.0 ms120 ms480 ms', 'GET /health1000%1.00 ms2.00 ms3.00 ms']);
  });
  it('says so when there are no routes', () => {
    render(<RouteTable snapshot={emptySnapshot()} />);
    expect(screen.getByText('No routes recorded in this window.')).toBeDefined();
  });
});

describe('StatusBreakdown', () => {
  it('splits error occurrences into 4xx (client) and 5xx (server), per status code', () => {
    const snapshot = makeSnapshot({ groups: 5 }); // statuses 500, 500, 504, 502, 400
    const byStatus = new Map<number, number>();
    for (const g of snapshot.errors.groups) byStatus.set(g.status, (byStatus.get(g.status) ?? 0) + g.count);
    const client = byStatus.get(400) ?? 0;
    const server = [...byStatus].filter(([s]) => s >= 500).reduce((a, [, n]) => a + n, 0);
    const { container } = render(<StatusBreakdown snapshot={snapshot} />);
    expect(container.querySelector('[data-status-class="4xx"] dd')!.textContent).toMatch(new RegExp(`^${client} `));
    expect(container.querySelector('[data-status-class="5xx"] dd')!.textContent).toMatch(new RegExp(`^${server.toLocaleString('en-US')} `));
    const codes = within(screen.getByRole('list', { name: 'Errors by status code' })).getAllByRole('listitem');
    expect(codes.map((li) => li.textContent?.slice(0, 3)).sort()).toEqual(['400', '500', '502', '504']);
  });
});

import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { emptySnapshot, makeSnapshot } from '../test/fixtures.js';
import { SlowOperations } from './panels/slow-operations.js';

function column(index: number): string[] {
  const rows = within(screen.getByRole('table')).getAllByRole('row').slice(1);
  return rows.map((r) => r.querySelectorAll('td')[index]!.textContent ?? '');
}

describe('SlowOperations', () => {
  it('sorts by duration (default, descending), name and time, announcing aria-sort', () => {
    render(<SlowOperations snapshot={makeSnapshot({ slow: 12 })} />);
    const durationHeader = screen.getByRole('columnheader', { name: /Duration/ });
    expect(durationHeader.getAttribute('aria-sort')).toBe('descending');
    const ms = column(1).map((t) => Number.parseFloat(t) * (t.endsWith(' s') ? 1000 : 1));
    expect(ms).toEqual([...ms].sort((a, b) => b - a));

    fireEvent.click(within(durationHeader).getByRole('button'));
    expect(durationHeader.getAttribute('aria-sort')).toBe('ascending');

    const nameHeader = screen.getByRole('columnheader', { name: /Operation/ });
    fireEvent.click(within(nameHeader).getByRole('button'));
    expect(nameHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(durationHeader.getAttribute('aria-sort')).toBe('none');
    const names = column(0).map((t) => t.split(/SELECT/)[0]!);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));

    const timeHeader = screen.getByRole('columnheader', { name: /Finished/ });
    fireEvent.click(within(timeHeader).getByRole('button'));
    const times = column(3);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('shows threshold, summary and failure as text', () => {
    render(<SlowOperations snapshot={makeSnapshot({ slow: 3 })} />);
    expect(screen.getByText('SELECT * FROM orders WHERE id = $1')).toBeDefined();
    expect(screen.getAllByText('Failed')).toHaveLength(1);
    expect(screen.getAllByText('OK')).toHaveLength(2);
    expect(screen.getAllByText('200 ms')).toHaveLength(3);
  });

  it('paginates thousands of operations', () => {
    render(<SlowOperations snapshot={makeSnapshot({ slow: 3000 })} />);
    expect(within(screen.getByRole('table')).getAllByRole('row')).toHaveLength(26);
    expect(screen.getByText('Page 1 of 120')).toBeDefined();
  });

  it('empty data', () => {
    render(<SlowOperations snapshot={emptySnapshot()} />);
    expect(screen.getByText('No slow operations recorded.')).toBeDefined();
  });
});

import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { emptySnapshot, makeSnapshot } from '../test/fixtures.js';
import { ErrorList } from './panels/error-list.js';

const items = () => within(screen.getByRole('list', { name: 'Error groups' })).getAllByRole('listitem');

describe('ErrorList', () => {
  it('every "Show sample" button has its own accessible name (code, status, name and message)', () => {
    render(<ErrorList snapshot={makeSnapshot({ groups: 20 })} />);
    const names = screen.getAllByRole('button', { name: /^Show sample/ }).map((b) => b.textContent);
    expect(names).toHaveLength(20);
    expect(new Set(names).size).toBe(20);
    expect(names[0]).toBe('Show sample of INTERNAL 500 Error: Failure number 0 in handler 0');
  });

  it('thousands of error groups: renders one page, paginates with the keyboard-usable pager', () => {
    const snapshot = makeSnapshot({ groups: 5000 });
    snapshot.errors.totalGroups = 6000;
    render(<ErrorList snapshot={snapshot} />);
    expect(items()).toHaveLength(20);
    expect(screen.getByText(/Showing 1–20 of 5,000 groups \(6,000 tracked, most recent shown\)/)).toBeDefined();
    expect(screen.getByText('Page 1 of 250')).toBeDefined();
    // default order: most recently seen first
    expect(items()[0]!.getAttribute('data-fingerprint')).toBe('fp000000');
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(screen.getByText('Page 2 of 250')).toBeDefined();
    expect(items()[0]!.getAttribute('data-fingerprint')).toBe('fp000020');
    fireEvent.click(screen.getByRole('button', { name: 'Last page' }));
    expect(screen.getByText('Page 250 of 250')).toBeDefined();
    expect((screen.getByRole('button', { name: 'Next' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows code, status, count, first/last seen and an expandable sample', () => {
    render(<ErrorList snapshot={makeSnapshot({ groups: 3 })} />);
    const first = items()[0]!;
    expect(first.textContent).toContain('INTERNAL · 500');
    expect(first.textContent).toContain('Error: Failure number 0 in handler 0');
    expect(first.textContent).toMatch(/1 occurrence/);
    expect(first.textContent).toMatch(/first seen \d{4}-\d\d-\d\d/);
    const button = within(first).getByRole('button', { name: /Show sample/ });
    expect(button.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(button);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    const details = document.getElementById(button.getAttribute('aria-controls')!)!;
    expect(details.textContent).toContain('at handler (src/orders.ts:10:5)');
    expect(details.textContent).toContain('"route": "/orders/:id"');
    fireEvent.click(button);
    expect(document.getElementById(button.getAttribute('aria-controls')!)).toBeNull();
  });

  it('sorts by count and filters by text', async () => {
    render(<ErrorList snapshot={makeSnapshot({ groups: 200 })} />);
    fireEvent.change(screen.getByLabelText('Sort by'), { target: { value: 'count' } });
    const counts = items().map((li) => {
      const span = [...li.querySelectorAll('span')].find((el) => /^[\d,]+ occurrences?$/.test(el.textContent ?? ''))!;
      return Number(span.textContent!.split(' ')[0]!.replace(/,/g, ''));
    });
    expect(counts).toHaveLength(20);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    await act(async () => {
      fireEvent.change(screen.getByLabelText('Filter'), { target: { value: 'TIMEOUT' } });
    });
    expect(screen.getByText(/of 40 groups/)).toBeDefined();
    for (const li of items()) expect(li.textContent).toContain('TIMEOUT · 504');
    await act(async () => {
      fireEvent.change(screen.getByLabelText('Filter'), { target: { value: 'no such thing' } });
    });
    expect(screen.getByText('No matching groups')).toBeDefined();
  });

  it('empty data', () => {
    render(<ErrorList snapshot={emptySnapshot()} />);
    expect(screen.getByText('No errors recorded in this window.')).toBeDefined();
    expect(screen.queryByRole('navigation')).toBeNull();
  });

  it('keeps the page in range when a refresh shrinks the list', () => {
    const { rerender } = render(<ErrorList snapshot={makeSnapshot({ groups: 100 })} />);
    fireEvent.click(screen.getByRole('button', { name: 'Last page' }));
    expect(screen.getByText('Page 5 of 5')).toBeDefined();
    rerender(<ErrorList snapshot={makeSnapshot({ groups: 30 })} />);
    expect(screen.getByText('Page 2 of 2')).toBeDefined();
    expect(items()).toHaveLength(10);
  });
});

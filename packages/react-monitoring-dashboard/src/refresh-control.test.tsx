import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REFRESH_INTERVALS, RefreshControl } from './panels/refresh-control.js';

describe('RefreshControl', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('offers off, 5 s, 10 s, 30 s, 1 min, 5 min and reports the pick', () => {
    const onIntervalChange = vi.fn();
    render(<RefreshControl intervalMs={10_000} onIntervalChange={onIntervalChange} updatedAt={null} />);
    const select = screen.getByLabelText('Auto-refresh') as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(['Off', '5 s', '10 s', '30 s', '1 min', '5 min']);
    expect(REFRESH_INTERVALS).toEqual([0, 5000, 10000, 30000, 60000, 300000]);
    expect(select.value).toBe('10000');
    fireEvent.change(select, { target: { value: '60000' } });
    expect(onIntervalChange).toHaveBeenCalledWith(60_000);
    expect(screen.getByText('Not loaded yet')).toBeDefined();
  });

  it('a custom interval appears in the list', () => {
    render(<RefreshControl intervalMs={2_000} onIntervalChange={() => {}} updatedAt={null} />);
    expect([...(screen.getByLabelText('Auto-refresh') as HTMLSelectElement).options].map((o) => o.textContent)).toContain('2 s');
  });

  it('"updated N s ago" ticks with the clock', () => {
    render(<RefreshControl intervalMs={5_000} onIntervalChange={() => {}} updatedAt={1_000_000} />);
    expect(screen.getByTestId('updated').textContent).toBe('Updated just now');
    act(() => {
      vi.advanceTimersByTime(7_000);
    });
    expect(screen.getByTestId('updated').textContent).toBe('Updated 7 s ago');
    act(() => {
      vi.advanceTimersByTime(120_000);
    });
    expect(screen.getByTestId('updated').textContent).toBe('Updated 2 min ago');
  });

  it('pause/resume is a toggle button; refresh-now is disabled while refreshing', () => {
    const onPausedChange = vi.fn();
    const onRefresh = vi.fn();
    const { rerender } = render(
      <RefreshControl intervalMs={5_000} onIntervalChange={() => {}} updatedAt={1_000_000} paused={false} onPausedChange={onPausedChange} onRefresh={onRefresh} />,
    );
    const group = screen.getByRole('group', { name: 'Refresh' });
    const pause = within(group).getByRole('button', { name: 'Pause' });
    expect(pause.getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(pause);
    expect(onPausedChange).toHaveBeenCalledWith(true);
    fireEvent.click(within(group).getByRole('button', { name: 'Refresh now' }));
    expect(onRefresh).toHaveBeenCalledTimes(1);
    rerender(
      <RefreshControl intervalMs={5_000} onIntervalChange={() => {}} updatedAt={1_000_000} paused onPausedChange={onPausedChange} onRefresh={onRefresh} refreshing />,
    );
    expect(within(group).getByRole('button', { name: 'Resume' }).getAttribute('aria-pressed')).toBe('true');
    expect((within(group).getByRole('button', { name: 'Refresh now' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('updated').textContent).toBe('Refreshing… · paused');
  });

  it('says when refresh is suspended because the tab is hidden', () => {
    render(<RefreshControl intervalMs={5_000} onIntervalChange={() => {}} updatedAt={1_000_000} hidden />);
    expect(screen.getByTestId('updated').textContent).toContain('paused while tab is hidden');
  });
});

import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { emptySnapshot, makeSnapshot } from '../test/fixtures.js';
import { ErrorRateChart, LatencyChart, ThroughputChart } from './panels/charts.js';

function pathPointCount(d: string | null): number {
  return (d ?? '').split(/[ML]/).filter(Boolean).length;
}

describe('chart panels', () => {
  it('24-hour series (8,640 points): paths are downsampled, summary and legend stay exact', () => {
    const snapshot = makeSnapshot({ points: 8640 });
    const { container } = render(<LatencyChart snapshot={snapshot} />);
    const svg = screen.getByRole('img', { name: /Latency chart/ });
    const paths = svg.querySelectorAll('path');
    expect(paths).toHaveLength(3);
    for (const path of paths) {
      const n = pathPointCount(path.getAttribute('d'));
      expect(n).toBeGreaterThan(100);
      expect(n).toBeLessThanOrEqual(480);
    }
    // lines differ by dash pattern, not colour alone
    expect([...paths].map((p) => p.getAttribute('stroke-dasharray'))).toEqual([null, '6 3', '2 3']);
    // the spike at index 350 (p95 + 900 ms) survives downsampling: peak mentioned in the description
    const peak = Math.max(...snapshot.requests.series.map((p) => p.p95Ms ?? 0));
    expect(container.querySelector('desc')!.textContent).toContain(`p95: latest`);
    expect(peak).toBeGreaterThan(900);
    expect(screen.getByText(/Last 1 d 0 h at 10 s resolution/)).toBeDefined();
  });

  it('table alternative: aggregated rows with a caption, toggled by a pressed button', () => {
    render(<LatencyChart snapshot={makeSnapshot({ points: 8640 })} />);
    const toggle = screen.getByRole('button', { name: /Show table for Latency/ });
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(toggle);
    const table = screen.getByRole('table');
    expect(within(table).getAllByRole('row')).toHaveLength(49); // header + 48 rows
    expect(table.querySelector('caption')!.textContent).toContain('each row covers 180 intervals (highest value shown)');
    expect(within(table).getAllByRole('columnheader').map((th) => th.textContent)).toEqual(['From', 'p50', 'p95', 'p99']);
    const back = screen.getByRole('button', { name: /Show chart for Latency/ });
    expect(back.getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(back);
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('short series: the table lists every interval', () => {
    render(<ThroughputChart snapshot={makeSnapshot({ points: 12 })} />);
    fireEvent.click(screen.getByRole('button', { name: /Show table/ }));
    expect(screen.getAllByRole('row')).toHaveLength(13);
    expect(screen.getByRole('table').querySelector('caption')!.textContent).toBe('Throughput');
    expect(screen.getAllByRole('cell')[0]!.textContent).toMatch(/\/s$/);
  });

  it('error rate: intervals without requests are gaps (separate sub-paths), not zeros', () => {
    const snapshot = makeSnapshot({ points: 120 }); // index 50 has count 0
    render(<ErrorRateChart snapshot={snapshot} />);
    const d = screen.getByRole('img').querySelector('path')!.getAttribute('d')!;
    expect(d.match(/M/g)).toHaveLength(2);
    expect(screen.getByText(/overall/)).toBeDefined();
  });

  it('empty data: no series → a text message instead of an empty chart', () => {
    render(
      <>
        <LatencyChart snapshot={emptySnapshot()} />
        <ThroughputChart snapshot={emptySnapshot()} />
        <ErrorRateChart snapshot={emptySnapshot()} />
      </>,
    );
    expect(screen.getAllByText('No data in this window yet.')).toHaveLength(3);
    expect(screen.queryByRole('img')).toBeNull();
  });

  it('a single point renders without NaN coordinates', () => {
    const { container } = render(<LatencyChart snapshot={makeSnapshot({ points: 1 })} />);
    expect(container.innerHTML).not.toContain('NaN');
  });
});

// @vitest-environment node
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { downsampleMinMax, groupRanges, linePath, niceCeil } from './downsample.js';

describe('downsampleMinMax', () => {
  it('keeps at most 2 points per bucket, in index order, and never loses the global min and max', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { nil: null }), { maxLength: 3000 }), fc.integer({ min: 1, max: 400 }), (values, buckets) => {
        const out = downsampleMinMax(values, buckets);
        const points = out.filter((p) => p !== null);
        expect(points.length).toBeLessThanOrEqual(Math.max(values.length, 2 * buckets));
        for (let k = 1; k < points.length; k++) expect(points[k]!.i).toBeGreaterThan(points[k - 1]!.i);
        for (const p of points) expect(values[p.i]).toBe(p.v);
        const present = values.filter((v): v is number => v !== null);
        if (present.length > 0) {
          expect(points.some((p) => p.v === Math.max(...present))).toBe(true);
          expect(points.some((p) => p.v === Math.min(...present))).toBe(true);
        } else expect(points).toHaveLength(0);
      }),
    );
  });

  it('8,640 points → 480 at 240 buckets; gaps break the path', () => {
    const values = Array.from({ length: 8640 }, (_, i) => (i >= 4000 && i < 4400 ? null : Math.sin(i / 100)));
    const out = downsampleMinMax(values, 240);
    expect(out.filter((p) => p !== null).length).toBeLessThanOrEqual(480);
    const d = linePath(out, (i) => i, (v) => v);
    expect(d.match(/M/g)).toHaveLength(2);
  });

  it('groupRanges and niceCeil', () => {
    expect(groupRanges(10, 3)).toEqual([[0, 3], [3, 6], [6, 10]]);
    expect(groupRanges(2, 48)).toEqual([[0, 1], [1, 2]]);
    expect(groupRanges(0, 48)).toEqual([]);
    expect([0, -1, Number.NaN, 0.7, 3, 240, 1001].map(niceCeil)).toEqual([1, 1, 1, 1, 5, 250, 2000]);
  });
});

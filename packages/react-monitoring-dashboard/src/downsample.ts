/**
 * Series reduction for SVG charts and their table views: a 24-hour series at 10-second
 * resolution has 8,640 points, far more than a chart has pixels.
 *
 * @module
 */

/** A kept point: index into the original series and its value. */
export interface SeriesPoint {
  i: number;
  v: number;
}

/**
 * Min/max downsampling: splits `values` into `buckets` equal index ranges and keeps, per range,
 * the minimum and the maximum (in index order), so spikes survive. `null` means "no data"; a
 * range with no data becomes a gap (`null` in the output) so lines break instead of lying.
 * Returns the input's points unchanged when it is already small.
 *
 * @param values - the series, oldest first
 * @param buckets - number of ranges (about the chart width in pixels / 2); at least 1
 * @returns at most `2 × buckets` points plus gaps
 * @example
 * ```ts
 * downsampleMinMax([1, 5, 2, null, null, 3], 3) // → [{i:0,v:1},{i:1,v:5},{i:2,v:2},null,{i:5,v:3}]
 * ```
 */
export function downsampleMinMax(values: readonly (number | null)[], buckets: number): (SeriesPoint | null)[] {
  const n = values.length;
  const out: (SeriesPoint | null)[] = [];
  const b = Math.max(1, Math.floor(buckets));
  if (n <= b * 2) {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      out.push(v === null || v === undefined || !Number.isFinite(v) ? null : { i, v });
    }
    return out;
  }
  for (let k = 0; k < b; k++) {
    const start = Math.floor((k * n) / b);
    const end = Math.floor(((k + 1) * n) / b);
    let minI = -1;
    let maxI = -1;
    let min = Infinity;
    let max = -Infinity;
    for (let i = start; i < end; i++) {
      const v = values[i];
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      if (v < min) {
        min = v;
        minI = i;
      }
      if (v > max) {
        max = v;
        maxI = i;
      }
    }
    if (minI < 0) {
      if (out.length > 0 && out[out.length - 1] !== null) out.push(null);
      continue;
    }
    if (minI === maxI) out.push({ i: minI, v: min });
    else if (minI < maxI) out.push({ i: minI, v: min }, { i: maxI, v: max });
    else out.push({ i: maxI, v: max }, { i: minI, v: min });
  }
  return out;
}

/**
 * Builds an SVG path (`M`/`L` commands) from downsampled points; gaps start a new sub-path.
 *
 * @param points - output of {@link downsampleMinMax}
 * @param x - index → x coordinate
 * @param y - value → y coordinate
 */
export function linePath(points: readonly (SeriesPoint | null)[], x: (i: number) => number, y: (v: number) => number): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p === null) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${x(p.i).toFixed(1)},${y(p.v).toFixed(1)}`;
    pen = true;
  }
  return d;
}

/** Index ranges `[start, end)` that split `n` items into at most `maxGroups` consecutive groups. */
export function groupRanges(n: number, maxGroups: number): [number, number][] {
  const groups = Math.max(1, Math.min(n, Math.floor(maxGroups)));
  const ranges: [number, number][] = [];
  if (n === 0) return ranges;
  for (let k = 0; k < groups; k++) {
    ranges.push([Math.floor((k * n) / groups), Math.floor(((k + 1) * n) / groups)]);
  }
  return ranges;
}

/** A "nice" upper bound ≥ `max` for an axis (1, 2, 2.5 or 5 × 10ⁿ). */
export function niceCeil(max: number): number {
  if (!Number.isFinite(max) || max <= 0) return 1;
  const exp = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (m * exp >= max) return m * exp;
  }
  return 10 * exp;
}

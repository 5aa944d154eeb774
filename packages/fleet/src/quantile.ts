/**
 * Latency quantiles from cumulative histogram bucket counts, like PromQL's `histogram_quantile`.
 *
 * @module
 */

/** Cumulative count per bucket upper bound (`le`, seconds; `Infinity` for `+Inf`). */
export type Buckets = Map<number, number>;

/** The `le` label as a number (`+Inf` → `Infinity`), `NaN` when it is not one. */
export const parseLe = (le: string | undefined): number => (le === '+Inf' ? Infinity : Number(le ?? Number.NaN));

/** Adds `d` to bucket `le` of the buckets under `key`. */
export const addBucket = <K>(map: Map<K, Buckets>, key: K, le: number, d: number): void => {
  let b = map.get(key);
  if (!b) map.set(key, (b = new Map<number, number>()));
  b.set(le, (b.get(le) ?? 0) + d);
};

/** Quantile `q` of the buckets, in ms (3 decimals); `null` without observations. */
export function quantileMs(buckets: Buckets, q: number): number | null {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Infinity) ?? (bounds.length ? buckets.get(bounds[bounds.length - 1]!)! : 0);
  if (!(total > 0)) return null;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (const bound of bounds) {
    const count = buckets.get(bound)!;
    if (count >= rank) {
      if (bound === Infinity) return prevBound * 1000;
      const inBucket = count - prevCount;
      const seconds = inBucket > 0 ? prevBound + ((bound - prevBound) * (rank - prevCount)) / inBucket : bound;
      return Math.round(seconds * 1000 * 1000) / 1000;
    }
    prevBound = bound;
    prevCount = count;
  }
  return prevBound * 1000;
}

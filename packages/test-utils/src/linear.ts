/**
 * Growth checks for "linear time on hostile input" (issue 24): how much more a function costs
 * when its input grows by a factor, measured as a RATIO of the function's own timings, never
 * against an absolute number of milliseconds.
 *
 * Regular expressions expose no step counter, so the cost is timed, made robust to a loaded
 * machine: the small input is repeated until one sample takes a few milliseconds (so a sample
 * is never below the timer's resolution), the sizes are measured interleaved (small, big,
 * small, big, …), and each size's cost is the MINIMUM over its samples — the scheduler, the GC
 * and other processes can only add time, so the minimum is the closest to the real work. A
 * linear function grows by about `factor`, a quadratic one by `factor²`; callers assert the
 * ratio stays below `factor × slack` with a generous slack (3 is the default used here: a
 * quadratic at factor 8 grows 64×, well above 24×).
 *
 * @module
 */

/** Options of {@link growthRatio}. */
export interface GrowthOptions {
  /** Size of the small input (the unit's meaning is the caller's: characters, items, …). */
  n: number;
  /** The big input is `factor × n`. @default 8 */
  factor?: number;
  /** Interleaved samples per size; the minimum of each is kept. @default 5 */
  samples?: number;
  /** A sample of the small input is repeated until it lasts at least this long (ms). @default 4 */
  minSampleMs?: number;
}

/** Result of {@link growthRatio}. */
export interface Growth {
  /** Cost of one call on the big input divided by the cost on the small input. */
  ratio: number;
  /** Minimum time of one call on the small input (ms). */
  smallMs: number;
  /** Minimum time of one call on the big input (ms). */
  bigMs: number;
}

function timeCalls(run: () => unknown, calls: number): number {
  const start = performance.now();
  for (let i = 0; i < calls; i++) run();
  return (performance.now() - start) / calls;
}

/**
 * How the cost of `run(make(size))` grows from `n` to `factor × n` (see the module comment).
 * Inputs are built once, outside the timed region.
 *
 * @example
 * ```ts
 * const { ratio } = growthRatio((s) => detectInjection(s), (n) => '<'.repeat(n), { n: 4_000 });
 * expect(ratio).toBeLessThan(8 * 3);
 * ```
 */
export function growthRatio<T>(run: (input: T) => unknown, make: (size: number) => T, options: GrowthOptions): Growth {
  const { n, factor = 8, samples = 5, minSampleMs = 4 } = options;
  const small = make(n);
  const big = make(n * factor);
  const runSmall = () => run(small);
  const runBig = () => run(big);
  // Warm up (JIT, regexp compilation) and calibrate the number of calls per small sample.
  runSmall();
  runBig();
  let calls = 1;
  while (calls < 1 << 16 && timeCalls(runSmall, calls) * calls < minSampleMs) calls *= 2;
  let smallMs = Infinity;
  let bigMs = Infinity;
  for (let i = 0; i < samples; i++) {
    smallMs = Math.min(smallMs, timeCalls(runSmall, calls));
    bigMs = Math.min(bigMs, timeCalls(runBig, 1));
  }
  return { ratio: bigMs / Math.max(smallMs, 1e-6), smallMs, bigMs };
}

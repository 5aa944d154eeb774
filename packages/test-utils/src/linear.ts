/**
 * Growth checks for "linear time on hostile input" (issue 24): how much more a function costs
 * when its input grows by a factor, measured as a RATIO of the function's own timings, never
 * against an absolute number of milliseconds.
 *
 * Regular expressions expose no step counter, so the cost is timed — in CPU time of the
 * process (`process.cpuUsage`, where it exists), not wall time — and made robust to a loaded
 * machine: the small input is repeated until one sample takes a few milliseconds (so a sample
 * is never below the timer's resolution; the big input too when it is fast), the sizes are measured interleaved (small, big,
 * small, big, …), and each size's cost is the MINIMUM over its samples — the scheduler, the GC
 * and other processes can only add time, so the minimum is the closest to the real work. A
 * linear function grows by about `factor`, a quadratic one by `factor²`; callers assert the
 * ratio stays below `factor × slack` with a generous slack (the package tests use factor 16
 * and slack 4: a quadratic grows 256×, four times the bound of 64×; on a loaded 2-core
 * machine a linear function's ratio was seen to reach twice `factor` now and then).
 *
 * @module
 */

/** Options of {@link growthRatio}. */
export interface GrowthOptions {
  /** Size of the small input (the unit's meaning is the caller's: characters, items, …). */
  n: number;
  /** The big input is `factor × n`. @default 16 */
  factor?: number;
  /** Interleaved samples per size; the minimum of each is kept. @default 5 */
  samples?: number;
  /** A sample is repeated until it lasts at least this long (ms). @default 4 */
  minSampleMs?: number;
  /**
   * The ratio the caller will accept. When a measurement is at or above it, the whole
   * measurement is repeated (up to `attempts` in all) and the lowest ratio is returned: noise
   * (another process, a GC) makes a linear function look slower now and then, while a
   * quadratic one is slow on every attempt. @default Infinity (one measurement)
   */
  below?: number;
  /** Measurements at most when `below` is given. @default 3 */
  attempts?: number;
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

/**
 * Milliseconds of CPU time this process has used (user + system), or of wall time where
 * `process.cpuUsage` does not exist. CPU time does not count the time the process waits for a
 * core, so a loaded machine (load average 25 on 2 cores was seen here) does not inflate it.
 */
const now: () => number =
  typeof process !== 'undefined' && typeof process.cpuUsage === 'function'
    ? () => {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1000;
      }
    : () => performance.now();

function timeCalls(run: () => unknown, calls: number): number {
  const start = now();
  for (let i = 0; i < calls; i++) run();
  return (now() - start) / calls;
}

/**
 * How the cost of `run(make(size))` grows from `n` to `factor × n` (see the module comment).
 * Inputs are built once, outside the timed region.
 *
 * @example
 * ```ts
 * const { ratio } = growthRatio((s) => detectInjection(s), (n) => '<'.repeat(n), { n: 4_000, below: 16 * 4 });
 * expect(ratio).toBeLessThan(16 * 4);
 * ```
 */
export function growthRatio<T>(run: (input: T) => unknown, make: (size: number) => T, options: GrowthOptions): Growth {
  const { below = Infinity, attempts = 3 } = options;
  let best = measureGrowth(run, make, options);
  for (let i = 1; i < attempts && best.ratio >= below; i++) {
    const next = measureGrowth(run, make, options);
    if (next.ratio < best.ratio) best = next;
  }
  return best;
}

function measureGrowth<T>(run: (input: T) => unknown, make: (size: number) => T, options: GrowthOptions): Growth {
  const { n, factor = 16, samples = 5, minSampleMs = 4 } = options;
  const small = make(n);
  const big = make(n * factor);
  const runSmall = () => run(small);
  const runBig = () => run(big);
  // Warm up (JIT, regexp compilation) and calibrate the number of calls per small sample.
  runSmall();
  runBig();
  const calibrate = (runOnce: () => unknown) => {
    let calls = 1;
    while (calls < 1 << 16 && timeCalls(runOnce, calls) * calls < minSampleMs) calls *= 2;
    return calls;
  };
  const smallCalls = calibrate(runSmall);
  const bigCalls = calibrate(runBig);
  let smallMs = Infinity;
  let bigMs = Infinity;
  for (let i = 0; i < samples; i++) {
    smallMs = Math.min(smallMs, timeCalls(runSmall, smallCalls));
    bigMs = Math.min(bigMs, timeCalls(runBig, bigCalls));
  }
  return { ratio: bigMs / Math.max(smallMs, 1e-6), smallMs, bigMs };
}

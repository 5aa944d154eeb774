/**
 * Shared benchmark harness: runs Armor and an anchor library in the same process, interleaved
 * (A B A B …) over several rounds, and prints one machine-readable line per comparison:
 *
 *   BENCH <case> armor=<ops/s> <anchor>=<ops/s> ratio=<armor/anchor>
 *
 * The reported ops/s is the median of the per-round throughputs, which damps the ±4 % noise
 * of these 2-core machines.
 */
import { Bench } from 'tinybench';

export type Fn = () => unknown;

export interface CompareOptions {
  /** Rounds per side. @default 5 */
  rounds?: number;
  /** Milliseconds per round. @default 400 */
  timeMs?: number;
  /** Warm-up milliseconds per side before the first round. @default 200 */
  warmupMs?: number;
}

async function measure(fn: Fn, timeMs: number, warmupMs: number): Promise<number> {
  const bench = new Bench({ time: timeMs, warmupTime: warmupMs, warmupIterations: 10, iterations: 10 });
  bench.add('x', fn as () => void);
  await bench.run();
  const result = bench.tasks[0]!.result as { throughput?: { mean: number }; hz?: number; error?: unknown } | undefined;
  if (result?.error) throw result.error;
  return result?.throughput?.mean ?? result?.hz ?? 0;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/** Measures `armor` and `anchor` interleaved and prints the BENCH line. Returns both rates. */
export async function compare(name: string, armor: Fn, anchorName: string, anchor: Fn, options: CompareOptions = {}) {
  const { rounds = 5, timeMs = 400, warmupMs = 200 } = options;
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < rounds; i++) {
    a.push(await measure(armor, timeMs, i === 0 ? warmupMs : 0));
    b.push(await measure(anchor, timeMs, i === 0 ? warmupMs : 0));
  }
  return report(name, median(a), anchorName, median(b));
}

/** Prints a BENCH line for rates measured elsewhere (e.g. autocannon req/s). */
export function report(name: string, armorRate: number, anchorName: string, anchorRate: number) {
  const ratio = anchorRate > 0 ? armorRate / anchorRate : Number.POSITIVE_INFINITY;
  console.log(`BENCH ${name} armor=${Math.round(armorRate)} ${anchorName}=${Math.round(anchorRate)} ratio=${ratio.toFixed(2)}`);
  return { armor: armorRate, anchor: anchorRate, ratio };
}

/** Options of {@link compareHttp}. */
export interface CompareHttpOptions {
  /** Interleaved rounds (the order alternates each round). @default 10 */
  rounds?: number;
  /** Seconds per autocannon run. @default 2 */
  seconds?: number;
  /** Concurrent connections. @default 20 */
  connections?: number;
  /** Fail the run when a side answers non-2xx (a benchmark of errors is no benchmark). @default true */
  require2xx?: boolean;
}

/**
 * Requests/s of two HTTP endpoints with autocannon in this process: a 1 s warm-up each, then
 * interleaved A B / B A rounds; prints the BENCH line with the medians.
 */
export async function compareHttp(name: string, armorUrl: string, anchorName: string, anchorUrl: string, options: CompareHttpOptions = {}) {
  const { default: autocannon } = await import('autocannon');
  const { rounds = 10, seconds = 2, connections = 20, require2xx = true } = options;
  const rps = async (url: string, duration: number) => {
    const result = await autocannon({ url, connections, pipelining: 1, duration });
    if (require2xx && result.non2xx > 0) throw new Error(`${url}: ${result.non2xx} non-2xx responses`);
    return result.requests.average;
  };
  await rps(armorUrl, 1);
  await rps(anchorUrl, 1);
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      a.push(await rps(armorUrl, seconds));
      b.push(await rps(anchorUrl, seconds));
    } else {
      b.push(await rps(anchorUrl, seconds));
      a.push(await rps(armorUrl, seconds));
    }
  }
  return report(name, median(a), anchorName, median(b));
}

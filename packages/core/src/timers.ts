/**
 * Timers longer than a runtime timer can hold. Node, browsers and edge runtimes store a
 * timer's delay in a signed 32-bit integer: any delay above 2^31 − 1 ms (about 24.8 days) runs
 * after about 1 ms instead (Node prints a `TimeoutOverflowWarning`). The kernel's clocks chain
 * such a timer into segments of at most {@link MAX_TIMER_MS}, so a month-long quota wait or a
 * `timeout(fn, 2 ** 31)` waits as long as it says. One implementation for every component:
 * {@link systemClock}, every scheduler from {@link toScheduler} (the manual clock and user
 * clocks included), `sleep`, `backgroundTimeout` and `backgroundInterval` all chain.
 *
 * @module
 */

/** The largest delay, in milliseconds, a runtime timer takes without overflowing: 2^31 − 1 (about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;

/** Brand (shared across duplicate installs) and cancel method of a chained timer handle. */
const CANCEL = Symbol.for('armor.timer');

/** The two timer functions of a clock. */
interface TimerPair {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The handle of a chained timer (see {@link chainTimers}). */
interface ChainedTimer {
  [CANCEL](): void;
  unref(): ChainedTimer;
  hasRef(): boolean;
}

type Refable = { unref?: () => void } | null | undefined;

/** @internal Cancels `handle` when it is a chained timer; `false` for any other handle. */
export function cancelChained(handle: unknown): boolean {
  const cancel = typeof handle === 'object' && handle !== null ? (handle as Partial<ChainedTimer>)[CANCEL] : undefined;
  if (typeof cancel !== 'function') return false;
  cancel();
  return true;
}

/**
 * Wraps a clock's `setTimeout`/`clearTimeout` so delays above {@link MAX_TIMER_MS} are chained
 * (never run early), and clearing cancels a chained timer at any point. Delays up to the limit
 * go to `base` unchanged (same handle, no extra cost). The kernel's clocks already chain; use
 * this for a timer pair you call directly.
 *
 * The handle of a chained timer runs one segment at a time on `base`. Like a Node `Timeout` it
 * has `unref()` and `hasRef()`, and `unref` holds for every later segment.
 *
 * @param base - The timer functions to chain (a runtime's globals, a fake clock's, ...).
 * @example
 * ```ts
 * const timers = chainTimers({ setTimeout: (cb, ms) => setTimeout(cb, ms), clearTimeout: (h) => clearTimeout(h as never) });
 * const handle = timers.setTimeout(() => console.log('in 30 days'), 30 * 24 * 3_600_000);
 * timers.clearTimeout(handle);
 * ```
 */
export function chainTimers(base: TimerPair): {
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
} {
  return {
    setTimeout(callback, ms) {
      if (!(ms > MAX_TIMER_MS)) return base.setTimeout(callback, ms);
      let left = ms;
      let current: unknown;
      let refed = true;
      let done = false;
      const arm = () => {
        const step = Math.min(left, MAX_TIMER_MS);
        left -= step; // Infinity stays Infinity: such a timer never fires
        current = base.setTimeout(fire, step);
        if (!refed) (current as Refable)?.unref?.();
      };
      const fire = () => {
        if (done) return;
        if (left > 0) return arm();
        done = true;
        callback();
      };
      const handle: ChainedTimer = {
        [CANCEL]() {
          if (done) return;
          done = true;
          base.clearTimeout(current);
        },
        unref() {
          refed = false;
          (current as Refable)?.unref?.();
          return handle;
        },
        hasRef: () => refed,
      };
      arm();
      return handle;
    },
    clearTimeout(handle) {
      if (!cancelChained(handle)) base.clearTimeout(handle);
    },
  };
}

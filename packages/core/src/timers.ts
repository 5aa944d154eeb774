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
const CANCEL = Symbol.for('armor.core.chainedTimer.cancel');

/** The two timer functions of a clock. */
interface TimerPair {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The handle of a timer longer than {@link MAX_TIMER_MS}: it runs one segment at a time on its
 * base clock. Like a Node `Timeout` it has `unref()`/`ref()`/`hasRef()`, and the choice holds
 * for every later segment; clearing it through any kernel clock works at any point of the chain.
 */
class ChainedTimer {
  readonly #base: TimerPair;
  readonly #callback: () => void;
  #remaining: number;
  #current: unknown;
  #refed = true;
  #done = false;
  constructor(base: TimerPair, callback: () => void, ms: number) {
    this.#base = base;
    this.#callback = callback;
    this.#remaining = ms;
    this.#arm();
  }
  #arm(): void {
    const step = Math.min(this.#remaining, MAX_TIMER_MS);
    this.#remaining -= step; // Infinity stays Infinity: such a timer never fires
    this.#current = this.#base.setTimeout(this.#fire, step);
    if (!this.#refed) (this.#current as { unref?: () => void } | null)?.unref?.();
  }
  readonly #fire = (): void => {
    if (this.#done) return;
    if (this.#remaining > 0) {
      this.#arm();
      return;
    }
    this.#done = true;
    this.#callback();
  };
  [CANCEL](): void {
    if (this.#done) return;
    this.#done = true;
    this.#base.clearTimeout(this.#current);
  }
  /** Lets the process exit while this timer is pending (every later segment too). */
  unref(): this {
    this.#refed = false;
    (this.#current as { unref?: () => void } | null)?.unref?.();
    return this;
  }
  /** Keeps the process alive while this timer is pending (the default). */
  ref(): this {
    this.#refed = true;
    (this.#current as { ref?: () => void } | null)?.ref?.();
    return this;
  }
  /** Whether this timer keeps the process alive. */
  hasRef(): boolean {
    return this.#refed;
  }
}

function isChained(handle: unknown): handle is ChainedTimer {
  return typeof handle === 'object' && handle !== null && typeof (handle as { [CANCEL]?: unknown })[CANCEL] === 'function';
}

/** @internal Cancels `handle` when it is a chained timer; `false` for any other handle. */
export function cancelChained(handle: unknown): boolean {
  if (!isChained(handle)) return false;
  handle[CANCEL]();
  return true;
}

/**
 * Wraps a clock's `setTimeout`/`clearTimeout` so delays above {@link MAX_TIMER_MS} are chained
 * (never run early), and clearing cancels a chained timer at any point. Delays up to the limit
 * go to `base` unchanged (same handle, no extra cost). Idempotent in effect: chaining a chained
 * pair only adds a wrapper. The kernel's clocks already chain; use this for a timer pair you
 * call directly.
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
    setTimeout: (callback, ms) => (ms > MAX_TIMER_MS ? new ChainedTimer(base, callback, ms) : base.setTimeout(callback, ms)),
    clearTimeout: (handle) => {
      if (isChained(handle)) handle[CANCEL]();
      else base.clearTimeout(handle);
    },
  };
}

/**
 * The injectable clock and scheduler every policy uses, so tests can be deterministic.
 *
 * @module
 */

/** Opaque timer handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * Time source and scheduler. Every policy accepts `clock?: Clock`.
 *
 * Only `now` is required; `setTimeout`/`clearTimeout` default to the global timers, looked up
 * at call time (so `vi.useFakeTimers()` works) and unref'd where the runtime supports it, so
 * a pending backoff or half-open timer never keeps a process alive.
 *
 * @example
 * ```ts
 * const clock = manualClock();
 * const policy = retryPolicy({ clock, backoff: constantBackoff(100) });
 * ```
 */
export interface Clock {
  /** Current time in epoch milliseconds. */
  now(): number;
  /** Schedules `callback` after `ms` milliseconds. @default globalThis.setTimeout (unref'd) */
  setTimeout?(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer created by `setTimeout`. @default globalThis.clearTimeout */
  clearTimeout?(handle: TimerHandle): void;
}

/** A clock with every member present (what policies use internally). */
export interface Scheduler {
  now: () => number;
  setTimeout: (callback: () => void, ms: number) => TimerHandle;
  clearTimeout: (handle: TimerHandle) => void;
}

/** The default clock: `Date.now` and the global timers (unref'd), each looked up at call time. */
export const systemClock: Scheduler = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const t = globalThis.setTimeout(() => callback(), ms);
    (t as { unref?: () => void }).unref?.();
    return t;
  },
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};

/** @internal Fills in the missing members of a user clock. */
export function toScheduler(clock: Clock | undefined): Scheduler {
  if (clock === undefined) return systemClock;
  return {
    now: () => clock.now(),
    setTimeout: clock.setTimeout ? (callback, ms) => clock.setTimeout!(callback, ms) : systemClock.setTimeout,
    clearTimeout: clock.clearTimeout ? (handle) => clock.clearTimeout!(handle) : systemClock.clearTimeout,
  };
}

/** A deterministic clock for tests: time moves only when you call `advance`. */
export interface ManualClock extends Scheduler {
  /** Moves time forward by `ms` milliseconds, firing due timers in order. */
  advance(ms: number): void;
  /** Moves time forward and lets promise callbacks run between due timers. */
  advanceAsync(ms: number): Promise<void>;
  /** Number of timers not yet fired or cleared. */
  readonly pending: number;
}

/**
 * Creates a {@link ManualClock}: `now()` starts at `start` and only moves when advanced.
 *
 * @param start - Initial epoch milliseconds. @default 0
 * @example
 * ```ts
 * const clock = manualClock();
 * const breaker = circuitBreaker({ clock, halfOpenAfterMs: 1000 });
 * clock.advance(1000);
 * ```
 */
export function manualClock(start = 0): ManualClock {
  let time = start;
  let seq = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const nextDue = (until: number) => {
    let best: [number, { at: number; callback: () => void }] | undefined;
    for (const entry of timers) if (entry[1].at <= until && (!best || entry[1].at < best[1].at)) best = entry;
    return best;
  };
  return {
    now: () => time,
    setTimeout: (callback, ms) => {
      const id = ++seq;
      timers.set(id, { at: time + Math.max(0, ms), callback });
      return id;
    },
    clearTimeout: (handle) => {
      timers.delete(handle as number);
    },
    advance(ms) {
      const until = time + ms;
      for (let due = nextDue(until); due; due = nextDue(until)) {
        timers.delete(due[0]);
        time = Math.max(time, due[1].at);
        due[1].callback();
      }
      time = until;
    },
    async advanceAsync(ms) {
      const until = time + ms;
      for (let due = nextDue(until); due; due = nextDue(until)) {
        timers.delete(due[0]);
        time = Math.max(time, due[1].at);
        due[1].callback();
        for (let i = 0; i < 10; i++) await Promise.resolve();
      }
      time = until;
      for (let i = 0; i < 10; i++) await Promise.resolve();
    },
    get pending() {
      return timers.size;
    },
  };
}

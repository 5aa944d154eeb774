/**
 * Time: the one `Clock`/`Scheduler` type every Armor component takes, the timer rule, and the
 * abort helpers built on it.
 *
 * The timer rule: a timer that an awaited promise depends on (a backoff wait, a timeout, a
 * hedge delay, a lock wait, a health-check timeout) keeps the process alive like a plain
 * `setTimeout`, so `await retry(...)` at the top level of a script finishes. Only background
 * timers (TTL sweeps, sync intervals, refresh-ahead, collection loops) are unref'd, through
 * {@link backgroundTimeout} / {@link backgroundInterval}.
 *
 * Long timers: every clock here chains a delay above {@link MAX_TIMER_MS} (2^31 − 1 ms, about
 * 24.8 days) into segments, so it never runs after ~1 ms the way a runtime timer does.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import { checkMs } from './options.js';
import { cancelChained, chainTimers, MAX_TIMER_MS } from './timers.js';

/** Opaque timer handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * Time source and scheduler. Every Armor component accepts `clock?: Clock`.
 *
 * Only `now` is required; `setTimeout`/`clearTimeout` default to the global timers, looked up
 * at call time (so `vi.useFakeTimers()` works).
 *
 * @example
 * ```ts
 * const clock = manualClock();
 * clock.setTimeout(() => console.log('fired'), 100);
 * clock.advance(100); // prints "fired"
 * ```
 */
export interface Clock {
  /** Current time in epoch milliseconds. */
  now(): number;
  /**
   * Schedules `callback` after `ms` milliseconds. Armor never passes it a delay above
   * {@link MAX_TIMER_MS}: longer timers reach it chained, in segments. @default globalThis.setTimeout
   */
  setTimeout?(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer created by `setTimeout`. @default globalThis.clearTimeout */
  clearTimeout?(handle: TimerHandle): void;
}

/** A clock with every member present (what components use internally). */
export interface Scheduler {
  now: () => number;
  setTimeout: (callback: () => void, ms: number) => TimerHandle;
  clearTimeout: (handle: TimerHandle) => void;
}

/** Unrefs a timer handle where the runtime supports it (Node, Bun); a no-op elsewhere. */
export function unrefTimer<H>(handle: H): H {
  (handle as { unref?: () => void } | null)?.unref?.();
  return handle;
}

/** The runtime's timers, looked up at call time (so `vi.useFakeTimers()` works). */
const globalTimers = {
  setTimeout: (callback: () => void, ms: number): TimerHandle => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle: TimerHandle): void => globalThis.clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};

/**
 * The default clock: `Date.now` and the global timers, each looked up at call time. Its
 * timers keep the process alive (see the module's timer rule). A delay above
 * {@link MAX_TIMER_MS} is chained (it waits the full delay; the handle has `unref` and
 * `hasRef`, and `clearTimeout` cancels it at any point).
 */
// Built inside pure-annotated functions so bundlers drop them from bundles that never use a
// clock (a top-level property read counts as a side effect to esbuild and Rollup).
export const systemClock: Scheduler = /* @__PURE__ */ (() => {
  const chained = chainTimers(globalTimers);
  return { now: () => Date.now(), setTimeout: chained.setTimeout, clearTimeout: chained.clearTimeout };
})();

/** Like {@link systemClock}, but every timer is unref'd (for background work only). */
const unrefSystemClock: Scheduler = /* @__PURE__ */ (() => ({
  now: systemClock.now,
  setTimeout: (callback: () => void, ms: number) => unrefTimer(systemClock.setTimeout(callback, ms)),
  clearTimeout: systemClock.clearTimeout,
}))();

/** Options of {@link toScheduler}. */
export interface ToSchedulerOptions {
  /**
   * Unref the default timers (a user clock's own timers are used as they are). Only for
   * background timers, or for a policy whose user opted in with `unref: true`.
   * @default false
   */
  unref?: boolean;
}

/**
 * Fills in the missing members of a user clock. The result chains every delay above
 * {@link MAX_TIMER_MS} (the user clock's timers get segments of at most that length), and its
 * `clearTimeout` cancels such a timer at any point of the chain.
 *
 * @param clock - The user's clock, or `undefined` for the system clock.
 * @example
 * ```ts
 * const scheduler = toScheduler({ now: () => 0 });
 * scheduler.now(); // 0
 * ```
 */
export function toScheduler(clock: Clock | undefined, options: ToSchedulerOptions = {}): Scheduler {
  const base = options.unref === true ? unrefSystemClock : systemClock;
  if (clock === undefined) return base;
  if (clock === systemClock || clock === unrefSystemClock) return clock as Scheduler;
  if (!clock.setTimeout && !clock.clearTimeout) return { now: () => clock.now(), setTimeout: base.setTimeout, clearTimeout: base.clearTimeout };
  const timers = chainTimers({
    setTimeout: clock.setTimeout ? (callback, ms) => clock.setTimeout!(callback, ms) : base.setTimeout,
    clearTimeout: clock.clearTimeout ? (handle) => clock.clearTimeout!(handle) : base.clearTimeout,
  });
  return { now: () => clock.now(), setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout };
}

/**
 * Schedules a background timer (a sweep, a sync, a refresh-ahead) of `ms` milliseconds:
 * unref'd when it runs on the system timers, so it never keeps a process alive. Cancel it with
 * `scheduler.clearTimeout`. A scheduler from {@link toScheduler} chains delays above
 * {@link MAX_TIMER_MS}.
 */
export function backgroundTimeout(scheduler: Scheduler, callback: () => void, ms: number): TimerHandle {
  return unrefTimer(scheduler.setTimeout(callback, ms));
}

/**
 * Runs `callback` every `ms` milliseconds in the background (unref'd). Returns a function that
 * stops it. A period above {@link MAX_TIMER_MS} is chained (never every ~1 ms); `Infinity`
 * never runs.
 *
 * @param ms - Period in milliseconds (a number >= 0, or `Infinity`).
 * @throws ConfigurationError when `ms` is not such a number.
 */
export function backgroundInterval(callback: () => void, ms: number): () => void {
  checkMs('ms', ms, { allowInfinity: true });
  if (ms <= MAX_TIMER_MS) {
    const handle = unrefTimer(globalThis.setInterval(callback, ms));
    return () => globalThis.clearInterval(handle);
  }
  const tick = () => {
    handle = backgroundTimeout(systemClock, tick, ms);
    callback();
  };
  let handle = backgroundTimeout(systemClock, tick, ms);
  return () => systemClock.clearTimeout(handle);
}

/**
 * Throws a `ConfigurationError` naming `name` unless `value` is `undefined` or a {@link Clock}
 * (an object with `now()`, and functions where `setTimeout`/`clearTimeout` are given).
 */
export function checkClock(value: unknown, name = 'clock'): asserts value is Clock | undefined {
  if (value === undefined) return;
  const c = value as Partial<Record<'now' | 'setTimeout' | 'clearTimeout', unknown>> | null;
  if (
    typeof c !== 'object' ||
    c === null ||
    typeof c.now !== 'function' ||
    (c.setTimeout !== undefined && typeof c.setTimeout !== 'function') ||
    (c.clearTimeout !== undefined && typeof c.clearTimeout !== 'function')
  ) {
    throw new ConfigurationError(name, 'must be a clock: an object with now() (and optional setTimeout/clearTimeout functions)', { received: value });
  }
}

let coarseCached = 0;
const coarseReset = () => {
  coarseCached = 0;
};
/**
 * `Date.now()` read at most once per millisecond (like lru-cache's `ttlResolution`), for hot
 * paths that read the time on every call. The cached reading is dropped by an unref'd 1 ms
 * timer, so it is never more than ~1 ms old.
 */
export const coarseClock: Clock = {
  now(): number {
    if (coarseCached === 0) {
      coarseCached = Date.now();
      unrefTimer(globalThis.setTimeout(coarseReset, 1));
    }
    return coarseCached;
  },
};

/**
 * A deterministic clock for tests: time moves only when you call `advance`. It holds timers of
 * any length exactly (no 2^31 − 1 ms limit); through {@link toScheduler} a component's long
 * timers reach it chained, in segments of at most {@link MAX_TIMER_MS}.
 */
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
 * let fired = false;
 * clock.setTimeout(() => (fired = true), 1000);
 * clock.advance(1000);
 * console.log(fired); // true
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
      if (!cancelChained(handle)) timers.delete(handle as number);
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

// ---------------------------------------------------------------------------------------
// abort helpers

/** The rejection value for an aborted signal: its `reason`, or a DOMException `AbortError`. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

interface Hub {
  callbacks: Set<() => void>;
  handler: () => void;
}
const hubs = new WeakMap<AbortSignal, Hub>();

/**
 * Runs `callback` once when `signal` aborts. However many waiters share one signal, the
 * signal carries at most one listener from Armor (a fan-out hub), so composed policies never
 * trigger MaxListeners warnings. The returned function removes the callback.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let hub = hubs.get(signal);
  if (hub === undefined) {
    const callbacks = new Set<() => void>();
    const handler = () => {
      hubs.delete(signal);
      for (const cb of callbacks) cb();
      callbacks.clear();
    };
    hub = { callbacks, handler };
    hubs.set(signal, hub);
    signal.addEventListener('abort', handler, { once: true });
  }
  const current = hub;
  current.callbacks.add(callback);
  return () => {
    if (!current.callbacks.delete(callback) || current.callbacks.size > 0) return;
    if (hubs.get(signal) === current) {
      hubs.delete(signal);
      signal.removeEventListener('abort', current.handler);
    }
  };
}

const noop = (): void => {};

/**
 * Waits `ms` milliseconds on `scheduler` (a keep-alive timer unless the scheduler unrefs).
 * Rejects at once with the abort reason when `signal` aborts; the timer and the listener are
 * always removed. A wait above {@link MAX_TIMER_MS} is chained, whatever the scheduler.
 *
 * @param ms - Milliseconds to wait (`<= 0` resolves at once; `Infinity` waits until aborted).
 */
export function sleep(ms: number, signal: AbortSignal | undefined, scheduler: Scheduler = systemClock): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  if (ms <= 0 && signal === undefined) return Promise.resolve();
  const timers = ms > MAX_TIMER_MS ? chainTimers(scheduler) : scheduler;
  return new Promise<void>((resolve, reject) => {
    const handle = timers.setTimeout(() => {
      off();
      resolve();
    }, ms);
    const off =
      signal === undefined
        ? noop
        : onAbort(signal, () => {
            timers.clearTimeout(handle);
            reject(abortReason(signal));
          });
  });
}

/**
 * Settles like `promise`, but rejects at once with the abort reason when `signal` aborts first,
 * even if whatever produced `promise` ignores its signal. A later rejection of `promise` is
 * handled (never an unhandled rejection).
 */
export function raceAbort<T>(promise: PromiseLike<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return Promise.resolve(promise);
  if (signal.aborted) {
    Promise.resolve(promise).then(noop, noop);
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const off = onAbort(signal, () => reject(abortReason(signal)));
    Promise.resolve(promise).then(
      (value) => {
        off();
        resolve(value);
      },
      (error: unknown) => {
        off();
        reject(error);
      },
    );
  });
}

/**
 * Hedged requests: start a backup call when the first is slow; first success wins.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import { toScheduler, type Clock, type Scheduler, type TimerHandle } from './clock.js';
import { Context, abortReason, noop, onAbort, checkClock, checkFunction, checkInt, checkMs, checkOptions, checkSignal, type Policy, type PolicyFn } from './policy.js';

/** Options of {@link hedge}. */
export interface HedgeOptions {
  /** Wait this long (ms) for a pending attempt before starting the next one. */
  delayMs: number;
  /** Extra attempts allowed beyond the first. @default 1 */
  maxHedges?: number;
  /** Cancels every attempt; rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Scheduler. @default system clock (unref'd timers) */
  clock?: Clock;
}

function validate(options: Omit<HedgeOptions, 'signal'>): void {
  checkOptions('options', options);
  if (options === undefined || options === null) throw new ConfigurationError('options', 'must be an object', { received: options });
  if (options.delayMs === undefined) throw new ConfigurationError('delayMs', 'is required (a number >= 0)');
  checkMs('delayMs', options.delayMs);
  checkInt('maxHedges', options.maxHedges, 0);
  checkClock(options.clock);
}

function run<T>(fn: PolicyFn<T>, delayMs: number, maxHedges: number, signal: AbortSignal | undefined, time: Scheduler): Promise<T> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const controllers: AbortController[] = [];
    let running = 0;
    let started = 0;
    let settled = false;
    let timer: TimerHandle | undefined;
    let lastError: unknown;

    const finish = () => {
      settled = true;
      if (timer !== undefined) time.clearTimeout(timer);
      off();
    };
    const abortAll = (reason: unknown, except?: AbortController) => {
      for (const c of controllers) if (c !== except && !c.signal.aborted) c.abort(reason);
    };
    const abortFromCaller = () => {
      if (settled) return;
      finish();
      const reason = abortReason(signal!);
      abortAll(reason);
      reject(reason);
    };
    const schedule = () => {
      if (timer !== undefined) time.clearTimeout(timer);
      timer = started <= maxHedges ? time.setTimeout(() => { timer = undefined; launch(); }, delayMs) : undefined;
    };
    const launch = () => {
      if (settled || started > maxHedges) return;
      const controller = new AbortController();
      controllers.push(controller);
      started++;
      running++;
      schedule();
      let result: T | PromiseLike<T>;
      try {
        result = fn(new Context(started, controller.signal));
      } catch (error) {
        result = Promise.reject(error);
      }
      Promise.resolve(result).then(
        (value) => {
          running--;
          if (settled) return;
          finish();
          abortAll(new DOMException('Another hedged attempt won', 'AbortError'), controller);
          resolve(value);
        },
        (error: unknown) => {
          running--;
          if (settled) return;
          lastError = error;
          if (started <= maxHedges) launch(); // fail fast into the next hedge
          else if (running === 0) {
            finish();
            reject(lastError);
          }
        },
      );
    };
    const off = signal === undefined ? noop : onAbort(signal, abortFromCaller);
    launch();
  });
}

/**
 * Runs `fn`; if it has not settled after `delayMs`, starts another attempt (up to
 * `maxHedges` extra), and so on. The first success wins and the others are aborted through
 * their signals. A failed attempt starts the next hedge at once. Rejects with the last error
 * when every attempt failed. `context.attempt` is the 1-based attempt number.
 *
 * @example
 * ```ts
 * const res = await hedge(({ signal }) => fetch(url, { signal }), { delayMs: 50, maxHedges: 2 });
 * ```
 */
export function hedge<T>(fn: PolicyFn<T>, options: HedgeOptions): Promise<T> {
  checkFunction('fn', fn);
  validate(options);
  checkSignal('signal', options.signal);
  return run(fn, options.delayMs, options.maxHedges ?? 1, options.signal, toScheduler(options.clock));
}

/**
 * A reusable hedging {@link Policy} (see {@link hedge}).
 *
 * @example
 * ```ts
 * const policy = wrap(timeoutPolicy(2_000), hedgePolicy({ delayMs: 100 }));
 * ```
 */
export function hedgePolicy(options: Omit<HedgeOptions, 'signal'>): Policy {
  validate(options);
  const time = toScheduler(options.clock);
  const { delayMs, maxHedges = 1 } = options;
  return { execute: <T>(fn: PolicyFn<T>, signal?: AbortSignal) => run(fn, delayMs, maxHedges, signal, time) };
}

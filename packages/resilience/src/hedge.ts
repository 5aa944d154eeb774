/**
 * Hedged requests: start a backup call when the first is slow; first success wins.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import {
  Emitter,
  abortReason,
  checkBoolean,
  checkClock,
  checkFunction,
  checkInt,
  checkMs,
  checkOptions,
  checkRequired,
  checkSignal,
  checkString,
  onAbort,
  toScheduler,
  type Clock,
  type Kinded,
  type Observable,
  type Scheduler,
  type TimerHandle,
} from '@armor/core';
import { Context, noop, type Policy, type PolicyFn } from './policy.js';

/** Options of {@link hedge}. */
export interface HedgeOptions {
  /** Wait this long (ms) for a pending attempt before starting the next one. */
  delayMs: number;
  /** Extra attempts allowed beyond the first. @default 1 */
  maxHedges?: number;
  /** Cancels every attempt; rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Scheduler. @default system clock (keep-alive timers) */
  clock?: Clock;
  /**
   * Unref the hedge-delay timers of the system clock, so a pending hedge delay does not keep
   * the process alive. By default it does, like `setTimeout`. @default false
   */
  unref?: boolean;
}

/** Options of {@link hedgePolicy}. */
export interface HedgePolicyOptions extends Omit<HedgeOptions, 'signal'> {
  /** Name used in metrics. @default 'hedge' */
  name?: string;
}

/** Payload of the `hedge` event. */
export interface HedgeEvent {
  /** The attempt being started (`2` for the first hedge). */
  attempt: number;
  /** `slow`: the pending attempt outlived `delayMs`; `failed`: the previous attempt failed. */
  reason: 'slow' | 'failed';
}

/** Payload of the `hedgeWin` event. */
export interface HedgeWinEvent {
  /** The winning attempt (always >= 2: a hedge, not the first call). */
  attempt: number;
  /** Attempts still running that were aborted because this one won. */
  losersAborted: number;
}

/** Events of a {@link HedgePolicy}. */
export interface HedgeEvents {
  /** A hedged (extra) attempt was started. */
  hedge: HedgeEvent;
  /** A hedged attempt won (the first attempt winning emits nothing). */
  hedgeWin: HedgeWinEvent;
}

/** Plain-data statistics of a {@link HedgePolicy}, counted since creation. */
export interface HedgeStats {
  name: string;
  /** Executions that resolved. */
  successes: number;
  /** Executions that rejected because every attempt failed. Caller aborts count nowhere. */
  failures: number;
  /** Hedged (extra) attempts started (one per `hedge` event). */
  hedges: number;
  /** Executions won by a hedged attempt (one per `hedgeWin` event). */
  hedgeWins: number;
  /** Running attempts aborted because another attempt won. */
  losersAborted: number;
}

/** A hedging policy (see {@link hedgePolicy}). */
export interface HedgePolicy extends Policy, Kinded<'hedge'>, Observable<HedgeEvents> {
  /** The policy's name (`options.name`, default `'hedge'`). */
  readonly name: string;
  /** Plain-data statistics. */
  stats(): HedgeStats;
}

/** @internal What a policy counts; the one-shot {@link hedge} passes none. */
interface HedgeHooks {
  hedged(attempt: number, reason: HedgeEvent['reason']): void;
  won(attempt: number, losersAborted: number): void;
  failed(): void;
}

function validate(component: string, options: Omit<HedgeOptions, 'signal'>, known: readonly string[]): void {
  checkOptions(component, options, known);
  if (options === undefined || options === null) throw new ConfigurationError('options', 'must be an object', { received: options });
  checkRequired('delayMs', options.delayMs, 'a number of milliseconds >= 0');
  checkMs('delayMs', options.delayMs);
  checkInt('maxHedges', options.maxHedges, 0);
  checkClock(options.clock);
  checkBoolean('unref', options.unref);
}

function run<T>(fn: PolicyFn<T>, delayMs: number, maxHedges: number, signal: AbortSignal | undefined, time: Scheduler, hooks?: HedgeHooks): Promise<T> {
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
      timer = started <= maxHedges ? time.setTimeout(() => { timer = undefined; launch('slow'); }, delayMs) : undefined;
    };
    const launch = (reason?: HedgeEvent['reason']) => {
      if (settled || started > maxHedges) return;
      const controller = new AbortController();
      controllers.push(controller);
      started++;
      running++;
      if (reason !== undefined) hooks?.hedged(started, reason);
      schedule();
      let result: T | PromiseLike<T>;
      try {
        result = fn(new Context(started, controller.signal));
      } catch (error) {
        result = Promise.reject(error);
      }
      const attempt = started;
      Promise.resolve(result).then(
        (value) => {
          running--;
          if (settled) return;
          finish();
          abortAll(new DOMException('Another hedged attempt won', 'AbortError'), controller);
          hooks?.won(attempt, running);
          resolve(value);
        },
        (error: unknown) => {
          running--;
          if (settled) return;
          lastError = error;
          if (started <= maxHedges) launch('failed'); // fail fast into the next hedge
          else if (running === 0) {
            finish();
            hooks?.failed();
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
  checkRequired('fn', fn, 'a function');
  checkFunction('fn', fn);
  validate('hedge', options, ['delayMs', 'maxHedges', 'signal', 'clock', 'unref']);
  checkSignal('signal', options.signal);
  return run(fn, options.delayMs, options.maxHedges ?? 1, options.signal, toScheduler(options.clock, { unref: options.unref === true }));
}

class HedgePolicyImpl extends Emitter<HedgeEvents> implements HedgePolicy {
  readonly kind = 'hedge' as const;
  readonly name: string;
  readonly #delayMs: number;
  readonly #maxHedges: number;
  readonly #time: Scheduler;
  readonly #hooks: HedgeHooks;
  #successes = 0;
  #failures = 0;
  #hedges = 0;
  #hedgeWins = 0;
  #losersAborted = 0;
  constructor(options: HedgePolicyOptions) {
    validate('hedgePolicy', options, ['name', 'delayMs', 'maxHedges', 'clock', 'unref']);
    checkString('name', options.name);
    super({ component: `hedge ${options.name ?? 'hedge'}` });
    this.name = options.name ?? 'hedge';
    this.#delayMs = options.delayMs;
    this.#maxHedges = options.maxHedges ?? 1;
    this.#time = toScheduler(options.clock, { unref: options.unref === true });
    this.#hooks = {
      hedged: (attempt, reason) => {
        this.#hedges++;
        if (this.has('hedge')) this.emit('hedge', { attempt, reason });
      },
      won: (attempt, losersAborted) => {
        this.#successes++;
        this.#losersAborted += losersAborted;
        if (attempt > 1) {
          this.#hedgeWins++;
          if (this.has('hedgeWin')) this.emit('hedgeWin', { attempt, losersAborted });
        }
      },
      failed: () => {
        this.#failures++;
      },
    };
  }

  execute<T>(fn: PolicyFn<T>, signal?: AbortSignal): Promise<T> {
    if (typeof fn !== 'function') return Promise.reject(new ConfigurationError('fn', 'must be a function', { received: fn }));
    return run(fn, this.#delayMs, this.#maxHedges, signal, this.#time, this.#hooks);
  }

  stats(): HedgeStats {
    return {
      name: this.name,
      successes: this.#successes,
      failures: this.#failures,
      hedges: this.#hedges,
      hedgeWins: this.#hedgeWins,
      losersAborted: this.#losersAborted,
    };
  }
}

/**
 * A reusable hedging {@link Policy} (see {@link hedge}). Emits `hedge` `{ attempt, reason }`
 * when it starts an extra attempt and `hedgeWin` `{ attempt, losersAborted }` when an extra
 * attempt wins; `stats()` → `{ name, successes, failures, hedges, hedgeWins, losersAborted }`.
 *
 * @example
 * ```ts
 * const hedged = hedgePolicy({ delayMs: 100, name: 'search' });
 * hedged.on('hedge', ({ attempt, reason }) => log.debug({ attempt, reason }, 'hedging'));
 * const policy = wrap(timeoutPolicy(2_000), hedged);
 * ```
 */
export function hedgePolicy(options: HedgePolicyOptions): HedgePolicy {
  return new HedgePolicyImpl(options);
}

/**
 * Bulkhead: caps concurrent executions, with an optional bounded queue.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import { BulkheadRejectedError } from './errors.js';
import {
  Emitter,
  abortReason,
  checkBoolean,
  checkClock,
  checkInt,
  checkMs,
  checkOptions,
  checkRequired,
  checkString,
  onAbort,
  raceAbort,
  toScheduler,
  type Clock,
  type Kinded,
  type Observable,
  type Scheduler,
  type TimerHandle,
} from '@armor/core';
import { Context, noop, type Policy, type PolicyFn } from './policy.js';

/** Options of {@link bulkhead}. */
export interface BulkheadOptions {
  /** Name used in metrics. @default 'bulkhead' */
  name?: string;
  /** Executions allowed at once (>= 1). */
  maxConcurrent: number;
  /** Executions allowed to wait for a slot; more are rejected. @default 0 */
  maxQueue?: number;
  /**
   * Longest a queued execution waits for a slot, in ms; then it leaves the queue and rejects
   * with `BulkheadRejectedError` (`details.reason: 'queueTimeout'`). @default Infinity
   */
  maxQueueWaitMs?: number;
  /** Clock of the `maxQueueWaitMs` timer. @default system clock (a keep-alive timer) */
  clock?: Clock;
  /** Unref the `maxQueueWaitMs` timer of the system clock. @default false */
  unref?: boolean;
}

/** Plain-data statistics of a {@link Bulkhead}. */
export interface BulkheadStats {
  name: string;
  /** Executions running now. */
  active: number;
  /** Executions waiting now. */
  queued: number;
  /** Executions rejected since creation (queue full, or waited longer than `maxQueueWaitMs`). */
  rejected: number;
}

/** Events of a {@link Bulkhead}. */
export interface BulkheadEvents {
  /** An execution was refused: `reason` is `'full'` (queue full) or `'queueTimeout'` (waited `maxQueueWaitMs`). */
  rejected: { reason?: 'full' | 'queueTimeout' };
}

/** A bulkhead (see {@link bulkhead}). */
export interface Bulkhead extends Policy, Kinded<'bulkhead'>, Observable<BulkheadEvents> {
  readonly name: string;
  stats(): BulkheadStats;
}

interface Waiter {
  start: () => void;
  cancelled: boolean;
}

class BulkheadImpl extends Emitter<BulkheadEvents> implements Bulkhead {
  readonly kind = 'bulkhead' as const;
  readonly name: string;
  readonly #max: number;
  readonly #maxQueue: number;
  readonly #maxQueueWaitMs: number;
  readonly #time: Scheduler;
  #active = 0;
  #rejected = 0;
  #queue: Waiter[] = [];
  #head = 0;
  #queued = 0;

  constructor(options: BulkheadOptions) {
    checkOptions('bulkhead', options, ['name', 'maxConcurrent', 'maxQueue', 'maxQueueWaitMs', 'clock', 'unref']);
    if (options === undefined) throw new ConfigurationError('options', 'must be an object', { received: options });
    checkString('name', options.name);
    checkRequired('maxConcurrent', options.maxConcurrent, 'an integer >= 1');
    super({ component: `bulkhead ${options.name ?? 'bulkhead'}` });
    checkInt('maxConcurrent', options.maxConcurrent, 1);
    checkInt('maxQueue', options.maxQueue, 0, { allowInfinity: true });
    checkMs('maxQueueWaitMs', options.maxQueueWaitMs, { allowInfinity: true });
    checkClock(options.clock);
    checkBoolean('unref', options.unref);
    this.name = options.name ?? 'bulkhead';
    this.#max = options.maxConcurrent;
    this.#maxQueue = options.maxQueue ?? 0;
    this.#maxQueueWaitMs = options.maxQueueWaitMs ?? Infinity;
    this.#time = toScheduler(options.clock, { unref: options.unref === true });
  }

  execute<T>(fn: PolicyFn<T>, signal?: AbortSignal): Promise<T> {
    if (typeof fn !== 'function') return Promise.reject(new ConfigurationError('fn', 'must be a function', { received: fn }));
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.#active < this.#max) return this.#run(fn, signal);
    if (this.#queued >= this.#maxQueue) return Promise.reject(this.#refuse('full'));
    return new Promise<T>((resolve, reject) => {
      let timer: TimerHandle | undefined;
      const leave = () => {
        waiter.cancelled = true;
        this.#queued--;
        off();
        if (timer !== undefined) this.#time.clearTimeout(timer);
      };
      const waiter: Waiter = {
        cancelled: false,
        start: () => {
          off();
          if (timer !== undefined) this.#time.clearTimeout(timer);
          this.#run(fn, signal).then(resolve, reject);
        },
      };
      const off =
        signal === undefined
          ? noop
          : onAbort(signal, () => {
              leave();
              reject(abortReason(signal));
            });
      if (this.#maxQueueWaitMs !== Infinity) {
        timer = this.#time.setTimeout(() => {
          timer = undefined;
          if (waiter.cancelled) return;
          leave();
          reject(this.#refuse('queueTimeout'));
        }, this.#maxQueueWaitMs);
      }
      this.#queue.push(waiter);
      this.#queued++;
    });
  }

  #refuse(reason: 'full' | 'queueTimeout'): BulkheadRejectedError {
    this.#rejected++;
    this.emit('rejected', { reason });
    const message = reason === 'full' ? `Bulkhead "${this.name}" is full` : `Bulkhead "${this.name}": no slot within ${this.#maxQueueWaitMs} ms`;
    return new BulkheadRejectedError(message, {
      details: { bulkhead: this.name, reason, maxConcurrent: this.#max, maxQueue: this.#maxQueue, ...(reason === 'queueTimeout' ? { maxQueueWaitMs: this.#maxQueueWaitMs } : {}) },
    });
  }

  readonly #release = (): void => {
    this.#active--;
    this.#next();
  };

  /**
   * Runs `fn` in a slot. The slot is held until `fn` settles, even when the caller's signal
   * aborts first (the caller is rejected at once, but the work still occupies capacity).
   */
  #run<T>(fn: PolicyFn<T>, signal: AbortSignal | undefined): Promise<T> {
    this.#active++;
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(fn(new Context(1, signal)));
    } catch (error) {
      pending = Promise.reject(error as Error);
    }
    pending.then(this.#release, this.#release);
    return signal === undefined ? pending : raceAbort(pending, signal);
  }

  #next(): void {
    while (this.#head < this.#queue.length && this.#active < this.#max) {
      const waiter = this.#queue[this.#head++]!;
      if (waiter.cancelled) continue;
      this.#queued--;
      waiter.start();
    }
    if (this.#head > 64 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    } else if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
    }
  }

  stats(): BulkheadStats {
    return { name: this.name, active: this.#active, queued: this.#queued, rejected: this.#rejected };
  }
}

/**
 * Creates a bulkhead: at most `maxConcurrent` executions run at once, up to `maxQueue` wait
 * (FIFO; a waiter whose signal aborts leaves the queue), and any more are rejected with
 * `BulkheadRejectedError` (503, code `BULKHEAD_REJECTED`).
 *
 * @example
 * ```ts
 * const pool = bulkhead({ maxConcurrent: 10, maxQueue: 100 });
 * const rows = await pool.execute(() => db.query(sql));
 * ```
 */
export function bulkhead(options: BulkheadOptions): Bulkhead {
  return new BulkheadImpl(options);
}

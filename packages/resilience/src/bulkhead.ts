/**
 * Bulkhead: caps concurrent executions, with an optional bounded queue.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import { BulkheadRejectedError } from './errors.js';
import { Emitter, abortReason, checkInt, checkOptions, checkRequired, checkString, onAbort, raceAbort, type Kinded, type Observable } from '@armor/core';
import { Context, noop, type Policy, type PolicyFn } from './policy.js';

/** Options of {@link bulkhead}. */
export interface BulkheadOptions {
  /** Name used in metrics. @default 'bulkhead' */
  name?: string;
  /** Executions allowed at once (>= 1). */
  maxConcurrent: number;
  /** Executions allowed to wait for a slot; more are rejected. @default 0 */
  maxQueue?: number;
}

/** Plain-data statistics of a {@link Bulkhead}. */
export interface BulkheadStats {
  name: string;
  /** Executions running now. */
  active: number;
  /** Executions waiting now. */
  queued: number;
  /** Executions rejected since creation. */
  rejected: number;
}

/** Events of a {@link Bulkhead}. */
export interface BulkheadEvents {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  rejected: {};
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
  #active = 0;
  #rejected = 0;
  #queue: Waiter[] = [];
  #head = 0;
  #queued = 0;

  constructor(options: BulkheadOptions) {
    checkOptions('bulkhead', options, ['name', 'maxConcurrent', 'maxQueue']);
    if (options === undefined) throw new ConfigurationError('options', 'must be an object', { received: options });
    checkString('name', options.name);
    checkRequired('maxConcurrent', options.maxConcurrent, 'an integer >= 1');
    super({ component: `bulkhead ${options.name ?? 'bulkhead'}` });
    checkInt('maxConcurrent', options.maxConcurrent, 1);
    checkInt('maxQueue', options.maxQueue, 0, { allowInfinity: true });
    this.name = options.name ?? 'bulkhead';
    this.#max = options.maxConcurrent;
    this.#maxQueue = options.maxQueue ?? 0;
  }

  execute<T>(fn: PolicyFn<T>, signal?: AbortSignal): Promise<T> {
    if (typeof fn !== 'function') return Promise.reject(new ConfigurationError('fn', 'must be a function', { received: fn }));
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.#active < this.#max) return this.#run(fn, signal);
    if (this.#queued >= this.#maxQueue) {
      this.#rejected++;
      this.emit('rejected', {});
      return Promise.reject(
        new BulkheadRejectedError(`Bulkhead "${this.name}" is full`, { details: { bulkhead: this.name, maxConcurrent: this.#max, maxQueue: this.#maxQueue } }),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        cancelled: false,
        start: () => {
          off();
          this.#run(fn, signal).then(resolve, reject);
        },
      };
      const off =
        signal === undefined
          ? noop
          : onAbort(signal, () => {
              waiter.cancelled = true;
              this.#queued--;
              reject(abortReason(signal));
            });
      this.#queue.push(waiter);
      this.#queued++;
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

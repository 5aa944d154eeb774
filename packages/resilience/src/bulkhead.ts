/**
 * Bulkhead: caps concurrent executions, with an optional bounded queue.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import { BulkheadRejectedError } from './errors.js';
import { Emitter, type Observable } from './events.js';
import { Context, abortReason, noop, onAbort, checkInt, checkName, checkOptions, type Policy, type PolicyFn } from './policy.js';

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
export interface Bulkhead extends Policy, Observable<BulkheadEvents> {
  readonly name: string;
  stats(): BulkheadStats;
}

interface Waiter {
  start: () => void;
  cancelled: boolean;
}

class BulkheadImpl extends Emitter<BulkheadEvents> implements Bulkhead {
  readonly name: string;
  readonly #max: number;
  readonly #maxQueue: number;
  #active = 0;
  #rejected = 0;
  #queue: Waiter[] = [];
  #head = 0;
  #queued = 0;

  constructor(options: BulkheadOptions) {
    super();
    checkOptions('options', options);
    if (options === undefined) throw new ConfigurationError('options', 'must be an object', { received: options });
    checkName(options.name);
    if (options.maxConcurrent === undefined) throw new ConfigurationError('maxConcurrent', 'is required (an integer >= 1)');
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

  async #run<T>(fn: PolicyFn<T>, signal: AbortSignal | undefined): Promise<T> {
    this.#active++;
    try {
      return await fn(new Context(1, signal));
    } finally {
      this.#active--;
      this.#next();
    }
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

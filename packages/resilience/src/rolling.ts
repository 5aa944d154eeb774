/**
 * @internal A bucketed rolling window of counters: O(1) per record, amortized O(1) per
 * rotation.
 *
 * @module
 */

/** @internal */
export class RollingCounters {
  readonly #bucketMs: number;
  readonly #ids: Float64Array;
  readonly #values: Float64Array[];
  readonly totals: Float64Array;
  #last = -Infinity;

  constructor(windowMs: number, buckets: number, counters: number) {
    this.#bucketMs = Math.max(1, windowMs / buckets);
    this.#ids = new Float64Array(buckets).fill(-Infinity);
    this.#values = Array.from({ length: counters }, () => new Float64Array(buckets));
    this.totals = new Float64Array(counters);
  }

  /** Index of the slot for `now`, expiring slots that fell out of the window. */
  #slot(now: number): number {
    const n = this.#ids.length;
    const id = Math.floor(now / this.#bucketMs);
    if (id !== this.#last) {
      if (id < this.#last) return ((this.#last % n) + n) % n; // clock went back: use the newest slot
      const start = id - this.#last >= n ? id - n + 1 : this.#last + 1;
      for (let b = start; b <= id; b++) this.#clearSlot(((b % n) + n) % n, b);
      this.#last = id;
    }
    return ((id % n) + n) % n;
  }

  #clearSlot(slot: number, id: number): void {
    this.#ids[slot] = id;
    for (let c = 0; c < this.#values.length; c++) {
      const v = this.#values[c]!;
      this.totals[c]! -= v[slot]!;
      v[slot] = 0;
    }
  }

  add(counter: number, now: number, amount = 1): void {
    const slot = this.#slot(now);
    this.#values[counter]![slot]! += amount;
    this.totals[counter]! += amount;
  }

  /** Totals over the window ending at `now`. */
  read(now: number): Float64Array {
    this.#slot(now);
    return this.totals;
  }

  reset(): void {
    this.#ids.fill(-Infinity);
    for (const v of this.#values) v.fill(0);
    this.totals.fill(0);
    this.#last = -Infinity;
  }
}

/**
 * @internal The last `size` outcomes in a ring (count-based sliding window): O(1) per record.
 * Counter 0 counts successes, counter 1 failures, like {@link RollingCounters}.
 */
export class CountWindow {
  readonly #ring: Uint8Array;
  #next = 0;
  #filled = 0;
  readonly totals = new Float64Array(2);

  constructor(size: number) {
    this.#ring = new Uint8Array(size);
  }

  add(counter: number, _now?: number): void {
    const size = this.#ring.length;
    if (this.#filled === size) this.totals[this.#ring[this.#next]!]! -= 1;
    else this.#filled++;
    this.#ring[this.#next] = counter;
    this.totals[counter]! += 1;
    this.#next = (this.#next + 1) % size;
  }

  read(_now?: number): Float64Array {
    return this.totals;
  }

  reset(): void {
    this.#next = 0;
    this.#filled = 0;
    this.totals.fill(0);
  }
}

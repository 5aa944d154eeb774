/**
 * `memoryStore()`: limits kept in this process, in a bounded `Map`. No timers at all:
 * expired keys are swept while serving calls, at most once per `sweepIntervalMs`, so nothing
 * keeps the process alive and there is no `setTimeout` per key or window.
 *
 * @module
 */
import { checkInt, checkMs, checkOptions } from '@armor/core';
import { evaluateBatch, restricts, step, written } from '../engine.js';
import type { LimitState, RateLimitPolicy, RateLimitStore, StoreOperation, StoreOutcome, StoreRequest } from '../types.js';

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most keys kept. When full, expired keys are swept first, then the oldest keys that do not
   * restrict anything are dropped (they start again with a full allowance). Keys that are
   * blocked, carry strikes, or are at (or penalized past) their limit go last, so a flood of
   * new keys cannot lift a block or a limit; only when every key restricts are the oldest
   * dropped regardless (the bound is a bound).
   * @default 100_000
   */
  maxKeys?: number;
  /**
   * Milliseconds between sweeps of expired keys (done during a call, never on a timer).
   * @default 60_000
   */
  sweepIntervalMs?: number;
}

/** The in-process store; also usable synchronously (`limiter.consumeSync`). */
export interface MemoryStore extends RateLimitStore {
  applySync(request: StoreRequest): readonly StoreOutcome[];
  /** Single-`consume` fast path of `applySync` (what `consume`/`consumeSync` use). */
  consumeOne(prefix: string, id: string, policy: RateLimitPolicy, cost: number, now: number): StoreOutcome;
  /** Number of keys currently held (including expired ones not yet swept). */
  readonly size: number;
  /** Forgets every key. */
  clear(): void;
}

interface Entry {
  st: LimitState;
  exp: number;
  /** The policy that wrote it (to tell whether the key still restricts, for eviction). */
  p: RateLimitPolicy;
}

/**
 * Creates an in-process store. Fast and exact within one process; use `redisStore` to share
 * limits between processes, or as the `insurance` of a Redis limiter.
 *
 * @example
 * ```ts
 * const limiter = createRateLimiter({ algorithm: 'gcra', limit: 10, windowMs: 1_000, store: memoryStore({ maxKeys: 50_000 }) });
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  checkOptions('memoryStore', options, ['maxKeys', 'sweepIntervalMs']);
  const { maxKeys = 100_000, sweepIntervalMs = 60_000 } = options;
  checkInt('maxKeys', maxKeys, 1);
  checkMs('sweepIntervalMs', sweepIntervalMs, { min: 1 });
  // Two levels (prefix → user key → entry): the hot path hashes the caller's own key string
  // (whose hash V8 caches) instead of a freshly concatenated one.
  const spaces = new Map<string, Map<string, Entry>>();
  let size = 0;
  let nextSweep = 0;

  const sweep = (now: number) => {
    for (const [prefix, map] of spaces) {
      for (const [key, entry] of map) {
        if (entry.exp <= now) {
          map.delete(key);
          size--;
        }
      }
      if (map.size === 0) spaces.delete(prefix);
    }
  };
  const maybeSweep = (now: number) => {
    if (nextSweep !== 0) sweep(now);
    nextSweep = now + sweepIntervalMs;
  };
  const space = (prefix: string) => {
    let map = spaces.get(prefix);
    if (map === undefined) spaces.set(prefix, (map = new Map<string, Entry>()));
    return map;
  };
  const split = (op: StoreOperation): [string, string] => (op.id !== undefined && op.prefix !== undefined ? [op.prefix, op.id] : ['', op.key]);

  const read = (map: Map<string, Entry>, key: string, now: number): LimitState | undefined => {
    const entry = map.get(key);
    if (entry === undefined) return undefined;
    if (entry.exp <= now) {
      map.delete(key);
      size--;
      return undefined;
    }
    return entry.st;
  };

  /** Makes room for one key: drops the oldest key that restricts nothing, else the oldest key. */
  const evictOne = (now: number) => {
    // A restricting key is moved to the back of its space, so the next eviction does not
    // inspect it again before every other key: eviction stays O(1) amortized.
    for (const [prefix, victims] of spaces) {
      // Each key of the space once (a moved key comes round again in this same iteration).
      let left = victims.size;
      for (const [key, entry] of victims) {
        if (left-- <= 0) break;
        if (restricts(entry.p, entry.st, now)) {
          victims.delete(key);
          victims.set(key, entry);
          continue;
        }
        victims.delete(key);
        size--;
        if (victims.size === 0) spaces.delete(prefix);
        return;
      }
    }
    // Every key restricts: the bound wins, the oldest goes.
    for (const [prefix, victims] of spaces) {
      for (const key of victims.keys()) {
        victims.delete(key);
        size--;
        if (victims.size === 0) spaces.delete(prefix);
        return;
      }
    }
  };

  const write = (prefix: string, map: Map<string, Entry>, key: string, st: LimitState | null | undefined, ttlMs: number, now: number, policy: RateLimitPolicy) => {
    if (st === undefined) return;
    const entry = map.get(key);
    if (st === null) {
      if (entry !== undefined) {
        map.delete(key);
        size--;
      }
      return;
    }
    if (entry !== undefined) {
      entry.st = st;
      entry.exp = now + ttlMs;
      entry.p = policy;
      return;
    }
    if (size >= maxKeys) {
      sweep(now);
      nextSweep = now + sweepIntervalMs;
      while (size >= maxKeys) evictOne(now);
    }
    // A sweep or eviction (here, or for another key of the same batch) drops spaces that became
    // empty; writing into a dropped one would count a key no sweep or eviction can ever reach.
    if (map.size === 0) map = space(prefix);
    map.set(key, { st, exp: now + ttlMs, p: policy });
    size++;
  };

  const consumeOne = (prefix: string, id: string, policy: RateLimitPolicy, cost: number, now: number): StoreOutcome => {
    if (now >= nextSweep) maybeSweep(now);
    const map = space(prefix);
    const entry = map.get(id);
    let st: LimitState | undefined;
    if (entry !== undefined) {
      if (entry.exp <= now) {
        map.delete(id);
        size--;
      } else st = entry.st;
    }
    scratch.key = prefix;
    scratch.policy = policy;
    scratch.cost = cost;
    const outcome = step(scratch, st, now, true, st);
    const next = written.state;
    if (next === undefined) return outcome;
    if (next !== null && st !== undefined) {
      entry!.exp = now + written.ttlMs;
      return outcome;
    }
    write(prefix, map, id, next, written.ttlMs, now, policy);
    return outcome;
  };
  const scratch: { key: string; policy: RateLimitPolicy; kind: 'consume'; cost: number } = { key: '', policy: undefined as never, kind: 'consume', cost: 0 };

  const applySync = (request: StoreRequest): readonly StoreOutcome[] => {
    const now = request.now;
    if (now >= nextSweep) maybeSweep(now);
    const ops = request.ops;
    const places = ops.map((op) => {
      const [prefix, key] = split(op);
      return { prefix, map: space(prefix), key };
    });
    const evals = evaluateBatch(request, places.map((p) => read(p.map, p.key, now)));
    evals.forEach((e, i) => write(places[i]!.prefix, places[i]!.map, places[i]!.key, e.write, e.ttlMs, now, ops[i]!.policy));
    return evals.map((e) => e.outcome);
  };

  return {
    applySync,
    consumeOne,
    apply: (request) => {
      try {
        return Promise.resolve(applySync(request));
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },
    get size() {
      return size;
    },
    clear: () => {
      spaces.clear();
      size = 0;
    },
  };
}

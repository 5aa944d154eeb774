/**
 * `memoryStore()`: limits kept in this process, in a bounded `Map`. No timers at all:
 * expired keys are swept while serving calls, at most once per `sweepIntervalMs`, so nothing
 * keeps the process alive and there is no `setTimeout` per key or window.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import { evaluateBatch, step, written } from '../engine.js';
import type { LimitState, RateLimitStore, StoreOperation, StoreOutcome, StoreRequest } from '../types.js';

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most keys kept. When full, expired keys are swept first, then the oldest keys are
   * dropped (they start again with a full allowance).
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
  /** Single-operation fast path of `applySync` (what `consumeSync` uses). */
  applyOne(op: StoreOperation, now: number): StoreOutcome;
  /** Number of keys currently held (including expired ones not yet swept). */
  readonly size: number;
  /** Forgets every key. */
  clear(): void;
}

interface Entry {
  st: LimitState;
  exp: number;
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
  const { maxKeys = 100_000, sweepIntervalMs = 60_000 } = options;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) {
    throw new ConfigurationError('maxKeys', 'must be an integer >= 1', { received: maxKeys });
  }
  if (!(typeof sweepIntervalMs === 'number' && sweepIntervalMs > 0)) {
    throw new ConfigurationError('sweepIntervalMs', 'must be a number > 0', { received: sweepIntervalMs });
  }
  const map = new Map<string, Entry>();
  let nextSweep = 0;

  const sweep = (now: number) => {
    for (const [key, entry] of map) if (entry.exp <= now) map.delete(key);
  };

  const read = (key: string, now: number): LimitState | undefined => {
    const entry = map.get(key);
    if (entry === undefined) return undefined;
    if (entry.exp <= now) {
      map.delete(key);
      return undefined;
    }
    return entry.st;
  };

  const write = (key: string, st: LimitState | null | undefined, ttlMs: number, now: number) => {
    if (st === undefined) return;
    if (st === null) {
      map.delete(key);
      return;
    }
    const entry = map.get(key);
    if (entry !== undefined) {
      entry.st = st;
      entry.exp = now + ttlMs;
      return;
    }
    if (map.size >= maxKeys) {
      sweep(now);
      nextSweep = now + sweepIntervalMs;
      while (map.size >= maxKeys) {
        const oldest = map.keys().next();
        if (oldest.done) break;
        map.delete(oldest.value);
      }
    }
    map.set(key, { st, exp: now + ttlMs });
  };

  const maybeSweep = (now: number) => {
    if (nextSweep !== 0) sweep(now);
    nextSweep = now + sweepIntervalMs;
  };

  /** The single-operation fast path: no batch, state object reused in place. */
  const applyOne = (op: StoreOperation, now: number): StoreOutcome => {
    if (now >= nextSweep) maybeSweep(now);
    const entry = map.get(op.key);
    let st: LimitState | undefined;
    if (entry !== undefined) {
      if (entry.exp <= now) map.delete(op.key);
      else st = entry.st;
    }
    const outcome = step(op, st, now, true, st);
    const next = written.state;
    if (next === undefined) return outcome;
    if (next !== null && entry !== undefined && st !== undefined) {
      entry.exp = now + written.ttlMs;
      return outcome;
    }
    write(op.key, next, written.ttlMs, now);
    return outcome;
  };

  const applySync = (request: StoreRequest): readonly StoreOutcome[] => {
    const now = request.now;
    if (now >= nextSweep) maybeSweep(now);
    const ops = request.ops;
    if (ops.length === 1) return [applyOne(ops[0]!, now)];
    const evals = evaluateBatch(request, ops.map((op) => read(op.key, now)));
    evals.forEach((e, i) => write(ops[i]!.key, e.write, e.ttlMs, now));
    return evals.map((e) => e.outcome);
  };

  return {
    applySync,
    applyOne,
    apply: (request) => {
      try {
        return Promise.resolve(applySync(request));
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },
    get size() {
      return map.size;
    },
    clear: () => map.clear(),
  };
}

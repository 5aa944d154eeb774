/**
 * `memoryStore()`: limits kept in this process, bounded, O(1) per operation. No timers at
 * all: expired keys are swept while serving calls, at most once per `sweepIntervalMs`, so
 * nothing keeps the process alive and there is no `setTimeout` per key or window.
 *
 * @module
 */
import { checkInt, checkMs, checkOptions } from '@armor/core';
import { evaluateBatch, step, written } from '../engine.js';
import type { LimitState, RateLimitPolicy, RateLimitStore, StoreOperation, StoreOutcome, StoreRequest } from '../types.js';

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most ordinary keys kept (keys without a block or strikes). When full, a new key evicts
   * one key in O(1): the least recently written key that restricts nothing (it starts again
   * with a full allowance); only when every ordinary key is at (or penalized past) its limit
   * does the least recently written of those go (the bound is a bound). Expired keys are
   * swept every `sweepIntervalMs`, never on the eviction path.
   * @default 100_000
   */
  maxKeys?: number;
  /**
   * Most keys kept in the block table: keys that are blocked or carry strikes (a growing
   * block remembers them), held apart from the ordinary keys. No flood of new keys, and no
   * flood of new blocks, evicts an entry of this table: an entry leaves only when its block
   * and strikes have expired (or on `reset`). When the table is full of live blocks, a new
   * block is kept among the ordinary keys (evicted last among them, like a key at its limit)
   * and counted in {@link MemoryStore.blockOverflows}; size the table for the blocks you
   * expect at once. Memory is bounded by `maxKeys + maxBlockedKeys` keys.
   * @default maxKeys
   */
  maxBlockedKeys?: number;
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
  /** Number of keys currently held, ordinary and blocked (including expired ones not yet swept). */
  readonly size: number;
  /** Number of keys held in the block table (blocked, or carrying strikes). */
  readonly blockedSize: number;
  /** How many blocks found the block table full of live blocks and were kept among ordinary keys. */
  readonly blockOverflows: number;
  /** Forgets every key. */
  clear(): void;
}

/** Where an entry lives: which eviction list. */
const LOOSE = 0; // restricts nothing: evicted first
const TIGHT = 1; // at (or past) its limit: evicted only when no loose key is left
const BLOCK = 2; // blocked or carrying strikes: never evicted, leaves when expired

interface Entry {
  st: LimitState;
  exp: number;
  key: string;
  /** The key space (prefix map) holding it. */
  map: Map<string, Entry>;
  list: number;
  /** A block kept among ordinary keys because the block table was full (counted once). */
  over: boolean;
  prev: Entry | undefined;
  next: Entry | undefined;
}

/** An intrusive doubly linked list, oldest write first: O(1) append, unlink and pop. */
interface List {
  head: Entry | undefined;
  tail: Entry | undefined;
  size: number;
}
const newList = (): List => ({ head: undefined, tail: undefined, size: 0 });
function append(list: List, e: Entry): void {
  e.prev = list.tail;
  e.next = undefined;
  if (list.tail) list.tail.next = e;
  else list.head = e;
  list.tail = e;
  list.size++;
}
function unlink(list: List, e: Entry): void {
  if (e.prev) e.prev.next = e.next;
  else list.head = e.next;
  if (e.next) e.next.prev = e.prev;
  else list.tail = e.prev;
  e.prev = e.next = undefined;
  list.size--;
}

/**
 * Creates an in-process store. Fast and exact within one process; use `redisStore` to share
 * limits between processes, or as the `insurance` of a Redis limiter.
 *
 * Every operation is O(1) (amortized over the periodic sweep of expired keys), also when the
 * store is full and an attacker floods it with new keys at their limit: ordinary keys sit in
 * two write-ordered lists (restricting nothing / at the limit), blocks in a separate bounded
 * table that no flood evicts.
 *
 * @example
 * ```ts
 * const limiter = createRateLimiter({ algorithm: 'gcra', limit: 10, windowMs: 1_000, store: memoryStore({ maxKeys: 50_000 }) });
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  checkOptions('memoryStore', options, ['maxKeys', 'maxBlockedKeys', 'sweepIntervalMs']);
  const { maxKeys = 100_000, sweepIntervalMs = 60_000 } = options;
  checkInt('maxKeys', maxKeys, 1);
  const { maxBlockedKeys = maxKeys } = options;
  checkInt('maxBlockedKeys', maxBlockedKeys, 1);
  checkMs('sweepIntervalMs', sweepIntervalMs, { min: 1 });
  // Two levels (prefix → user key → entry): the hot path hashes the caller's own key string
  // (whose hash V8 caches) instead of a freshly concatenated one.
  const spaces = new Map<string, Map<string, Entry>>();
  const lists: [List, List, List] = [newList(), newList(), newList()];
  const [loose, tight, blocks] = lists;
  let overflows = 0;
  let nextSweep = 0;

  const drop = (e: Entry) => {
    unlink(lists[e.list]!, e);
    e.map.delete(e.key);
  };
  const sweep = (now: number) => {
    for (const list of lists) {
      for (let e = list.head; e !== undefined; ) {
        const next = e.next;
        if (e.exp <= now) drop(e);
        e = next;
      }
    }
    for (const [prefix, map] of spaces) if (map.size === 0) spaces.delete(prefix);
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
      drop(entry);
      return undefined;
    }
    return entry.st;
  };

  /**
   * The list a written state belongs in: the block table for blocks and strikes (when it has
   * room, after dropping its expired oldest entries), else by whether a point is left.
   */
  const listFor = (st: LimitState, remaining: number, now: number, e: Entry | undefined): number => {
    if (st.s > 0 || st.bu > now) {
      if (e?.list === BLOCK) return BLOCK;
      while (blocks.size >= maxBlockedKeys && blocks.head!.exp <= now) drop(blocks.head!);
      if (blocks.size < maxBlockedKeys) return BLOCK;
      if (e?.over !== true) {
        overflows++;
        if (e) e.over = true;
      }
      return TIGHT;
    }
    return remaining > 0 ? LOOSE : TIGHT;
  };

  /** Makes room for one ordinary key: the oldest loose key, else the oldest tight key. */
  const evictOne = () => {
    const victim = loose.head ?? tight.head;
    if (victim !== undefined) drop(victim);
  };

  /** Moves an entry to the back of the list it now belongs in (most recently written). */
  const place = (e: Entry, list: number) => {
    const from = lists[e.list]!;
    if (list === e.list && from.tail === e) return;
    unlink(from, e);
    if (list !== BLOCK && e.list === BLOCK && loose.size + tight.size >= maxKeys) evictOne();
    e.list = list;
    append(lists[list]!, e);
  };

  const insert = (prefix: string, key: string, st: LimitState, ttlMs: number, now: number, remaining: number) => {
    const list = listFor(st, remaining, now, undefined);
    if (list !== BLOCK && loose.size + tight.size >= maxKeys) evictOne();
    const map = space(prefix);
    const e: Entry = { st, exp: now + ttlMs, key, map, list, over: list === TIGHT && (st.s > 0 || st.bu > now), prev: undefined, next: undefined };
    map.set(key, e);
    append(lists[list]!, e);
  };

  const write = (prefix: string, map: Map<string, Entry>, key: string, st: LimitState | null | undefined, ttlMs: number, now: number, remaining: number) => {
    if (st === undefined) return;
    const entry = map.get(key);
    if (st === null) {
      if (entry !== undefined) drop(entry);
      return;
    }
    if (entry !== undefined) {
      entry.st = st;
      entry.exp = now + ttlMs;
      place(entry, listFor(st, remaining, now, entry));
      return;
    }
    insert(prefix, key, st, ttlMs, now, remaining);
  };

  const consumeOne = (prefix: string, id: string, policy: RateLimitPolicy, cost: number, now: number): StoreOutcome => {
    if (now >= nextSweep) maybeSweep(now);
    const entry = spaces.get(prefix)?.get(id);
    let st: LimitState | undefined;
    if (entry !== undefined) {
      if (entry.exp <= now) drop(entry);
      else st = entry.st;
    }
    scratch.key = prefix;
    scratch.policy = policy;
    scratch.cost = cost;
    const outcome = step(scratch, st, now, true, st);
    const next = written.state;
    if (next === undefined) return outcome;
    if (next !== null && st !== undefined) {
      // Updated in place (`step` wrote into `st`).
      entry!.exp = now + written.ttlMs;
      place(entry!, listFor(next, outcome.remaining, now, entry));
      return outcome;
    }
    if (next === null) {
      if (entry !== undefined && st !== undefined) drop(entry);
      return outcome;
    }
    insert(prefix, id, next, written.ttlMs, now, outcome.remaining);
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
    evals.forEach((e, i) => write(places[i]!.prefix, places[i]!.map, places[i]!.key, e.write, e.ttlMs, now, e.outcome.remaining));
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
      return loose.size + tight.size + blocks.size;
    },
    get blockedSize() {
      return blocks.size;
    },
    get blockOverflows() {
      return overflows;
    },
    clear: () => {
      spaces.clear();
      for (const list of lists) {
        list.head = list.tail = undefined;
        list.size = 0;
      }
    },
  };
}

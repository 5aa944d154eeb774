/**
 * `createRateLimiter` and `consumeAll`.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import {
  Emitter,
  checkClock,
  checkFunction,
  checkInt,
  checkMs,
  checkNumber,
  checkOneOf,
  checkOptions,
  checkSignal,
  checkString,
  abortReason,
  raceAbort,
  sleep,
  toScheduler,
  type Clock,
  type Kinded,
  type Observable,
} from '@armor/core';
import { createBlockCache } from './block-cache.js';
import { RateLimitInputError } from './errors.js';
import { memoryStore } from './stores/memory.js';
import type {
  Algorithm,
  CombinedRateLimitResult,
  RateLimitPolicy,
  RateLimitResult,
  RateLimitStore,
  StoreOperation,
  StoreOutcome,
  StoreRequest,
} from './types.js';

/** Longest accepted key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 512;

const ALGORITHMS: readonly Algorithm[] = ['fixed-window', 'sliding-window', 'token-bucket', 'gcra'];

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  /** The counting algorithm; see {@link Algorithm}. */
  algorithm: Algorithm;
  /** Points allowed per `windowMs` (an integer ≥ 1). Each call costs 1 point by default. */
  limit: number;
  /**
   * Window length in milliseconds (integer ≥ 1). Required, except for `token-bucket` with
   * `refillRate`.
   */
  windowMs?: number;
  /**
   * Token bucket / GCRA: tokens added per second.
   * @default limit / (windowMs / 1000)
   */
  refillRate?: number;
  /**
   * Token bucket / GCRA: the most points usable at once (bucket size).
   * @default limit
   */
  burst?: number;
  /** Where counts live. @default memoryStore() */
  store?: RateLimitStore;
  /**
   * Prepended to every key in the store; give limiters that share a store distinct prefixes.
   * @default `rl:${name}:` when `name` is set, else `rl:<hash of the policy>:` (limiters with
   * identical policies and no name share counts)
   */
  prefix?: string;
  /**
   * After a refused `consume` (or a `penalize` that uses up the limit), refuse the key for
   * this many milliseconds with reason `'blocked'`. 0 = no blocks.
   * @default 0
   */
  blockDurationMs?: number;
  /**
   * Each consecutive block lasts this many times longer (1 = constant). Strikes are forgotten
   * `maxBlockDurationMs` after the last block ends, or on `reset`.
   * @default 1
   */
  blockGrowth?: number;
  /**
   * Upper bound of a growing block, in milliseconds.
   * @default blockDurationMs × 64 when blockGrowth > 1, else blockDurationMs
   */
  maxBlockDurationMs?: number;
  /** Label for metrics and dashboards. @default 'rate-limit' */
  name?: string;
  /**
   * Store used when `store` fails (typically `memoryStore()` in front of Redis): limits
   * continue per process, each such answer has reason `'store-error'`, and a `storeError`
   * event is emitted.
   */
  insurance?: RateLimitStore;
  /**
   * Without `insurance` (or when the insurance store fails too), what a failed store means:
   * `'allow'` (fail open) or `'deny'` (fail closed: `allowed: false`, reason `'store-error'`,
   * `retryAfterMs` 1 s, which is a placeholder, not a prediction of when the store is back).
   * Either way `consume` resolves; it never rejects. A fail-closed refusal is an outage, not a
   * limit: the Express and Fetch adapters answer it with 503 `SERVICE_UNAVAILABLE` (a
   * `RateLimitStoreError`), without `RateLimit` headers or `Retry-After`, never with 429.
   * @default 'allow'
   */
  onStoreError?: 'allow' | 'deny';
  /**
   * Clock in epoch ms (the Redis store uses Redis `TIME` instead); its `setTimeout` (when
   * given) schedules the waits of `waitFor`. @default the system clock
   */
  clock?: Clock;
  /**
   * The local block cache: after the store refuses a key, later `consume` calls of that key
   * are refused in this process, without a store round trip, while the answer the store would
   * give is known locally (rate-limiter-flexible's `inMemoryBlockOnConsumed`): its answers
   * (`remaining`, `resetMs`, `retryAfterMs`, `blockedMs`) are the store's for every cost, or
   * the store is asked (see the README's "Local block cache"). Keeps attackers hammering a
   * limited key off Redis. Another store answer for the key, and `reset`, `reward` and
   * `penalize` of the key through this limiter, drop its entry; a reset made by another
   * process is seen once the entry expires. `true` = at most 10,000 keys; a number = at most
   * that many keys (the oldest entry goes when full); `false` = off.
   * @default true for stores without a synchronous path (Redis, custom stores); false for memoryStore
   */
  blockCache?: boolean | number;
  /** Called for every admitted `consume` (same payload as the `allowed` event). */
  onAllowed?: (event: { key: string; result: RateLimitResult }) => void;
  /** Called for every refused `consume` (same payload as the `limited` event). */
  onLimited?: (event: { key: string; result: RateLimitResult }) => void;
}

/** Every option name of {@link createRateLimiter} (unknown names are refused with a did-you-mean). */
export const RATE_LIMITER_OPTION_KEYS = [
  'algorithm',
  'limit',
  'windowMs',
  'refillRate',
  'burst',
  'store',
  'prefix',
  'blockDurationMs',
  'blockGrowth',
  'maxBlockDurationMs',
  'name',
  'insurance',
  'onStoreError',
  'clock',
  'onAllowed',
  'onLimited',
  'blockCache',
] as const satisfies readonly (keyof RateLimiterOptions)[];

/** Events of a limiter (see the observability convention). */
export interface RateLimiterEvents {
  allowed: { key: string; result: RateLimitResult };
  limited: { key: string; result: RateLimitResult };
  storeError: { error: unknown };
}

/** Options of {@link RateLimiter.waitFor}. */
export interface WaitForOptions {
  /**
   * The longest total wait, in milliseconds. When the next permit is further away than what
   * is left of it, `waitFor` stops waiting and resolves the refusal.
   * @default the limiter's `windowMs`
   */
  maxWaitMs?: number;
  /** Aborting rejects `waitFor` at once with the signal's reason (nothing is taken). */
  signal?: AbortSignal;
  /** Points to take. @default 1 */
  cost?: number;
}

/** Plain-JSON counters; maps onto `rateLimitStatsSchema` of `@armor/metrics`. */
export interface RateLimiterStats {
  name: string;
  allowed: number;
  limited: number;
  storeErrors: number;
}

/** A rate limiter. Every method validates its input and never rejects for a limit. */
export interface RateLimiter extends Kinded<'rate-limiter'>, Observable<RateLimiterEvents> {
  /** Always `'rate-limiter'` (for metrics bridges). */
  readonly kind: 'rate-limiter';
  readonly name: string;
  /** The normalized policy (also what `rateLimitHeaders` needs). */
  readonly policy: RateLimitPolicy;
  readonly prefix: string;
  readonly store: RateLimitStore;
  /**
   * Takes `cost` points for `key` if available. Resolves `{ allowed: false, reason }` when
   * over the limit; a refused call takes nothing.
   * @param cost - points, 0 ≤ cost ≤ limit (or burst). @default 1
   */
  consume(key: string, cost?: number): Promise<RateLimitResult>;
  /**
   * Synchronous `consume` for stores that offer it (`memoryStore`). Throws a
   * `ConfigurationError` for other stores.
   */
  consumeSync(key: string, cost?: number): RateLimitResult;
  /** Reports whether `cost` points are available, without taking them. @default cost 1 */
  peek(key: string, cost?: number): Promise<RateLimitResult>;
  /**
   * Synchronous `peek` for stores that offer it (`memoryStore`): no promise, no microtask, for
   * checks on every request (e.g. "has this address used up its failure budget?"). Throws a
   * `ConfigurationError` for other stores. @default cost 1
   */
  peekSync(key: string, cost?: number): RateLimitResult;
  /** Forgets `key`: full allowance, no block, no strikes. */
  reset(key: string): Promise<void>;
  /**
   * Takes `points` even past the limit (e.g. a failed login). When it uses up the limit and
   * `blockDurationMs` is set, a (growing) block starts. `allowed` tells whether one more
   * point is available. @default points 1
   */
  penalize(key: string, points?: number): Promise<RateLimitResult>;
  /** Gives `points` back (never above full). @default points 1 */
  reward(key: string, points?: number): Promise<RateLimitResult>;
  /**
   * Waits for a permit: consumes `cost` points as soon as they are available, sleeping (a
   * timer that keeps the process alive) for each refusal's `retryAfterMs` in between. Never
   * spins: each sleep lasts the whole `retryAfterMs`, also beyond 2^31 − 1 ms (the kernel's
   * clocks chain such timers), so a monthly quota is asked once, then at its retry time. Resolves
   * the admitting result; or the refusal when the next permit is further away than what is
   * left of `maxWaitMs`; or at once the answer given during a store failure (reason
   * `'store-error'`). Rejects with the abort reason when `signal` aborts, and with
   * `RateLimitInputError` for bad input. Concurrent waiters race when they wake (no queue order).
   *
   * @example
   * ```ts
   * const result = await limiter.waitFor('outbound-api', { maxWaitMs: 5_000 });
   * if (result.allowed) await callTheApi();
   * ```
   */
  waitFor(key: string, options?: WaitForOptions): Promise<RateLimitResult>;
  /** Subscribes to an event; returns the unsubscribe function. A throwing listener is isolated and reported. */
  on<K extends keyof RateLimiterEvents>(event: K, listener: (payload: RateLimiterEvents[K]) => void): () => void;
  /** Counters since creation. */
  stats(): RateLimiterStats;
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** @internal Validates a key; throws {@link RateLimitInputError}. */
export function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') throw new RateLimitInputError('key', `Rate-limit key must be a string (received ${typeof key})`);
  if (key.length === 0) throw new RateLimitInputError('key', 'Rate-limit key must not be empty');
  if (key.length > MAX_KEY_BYTES / 3 && (key.length > MAX_KEY_BYTES || utf8Length(key) > MAX_KEY_BYTES)) {
    throw new RateLimitInputError('key', `Rate-limit key must be at most ${MAX_KEY_BYTES} bytes (UTF-8)`);
  }
}

function checkCost(cost: unknown, max: number, what: 'cost' | 'points'): asserts cost is number {
  if (typeof cost !== 'number' || Number.isNaN(cost) || !Number.isFinite(cost) || cost < 0) {
    throw new RateLimitInputError('cost', `Rate-limit ${what} must be a finite number >= 0 (received ${String(cost)})`);
  }
  if (cost > max) {
    throw new RateLimitInputError('cost', `Rate-limit ${what} ${cost} is larger than the limit ${max}; it could never be allowed`);
  }
}

function validate(options: RateLimiterOptions): RateLimitPolicy {
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError('options', 'must be an object', { received: options });
  }
  checkOptions('createRateLimiter', options, RATE_LIMITER_OPTION_KEYS);
  const { algorithm, limit } = options;
  checkOneOf('algorithm', algorithm, ALGORITHMS);
  if (algorithm === undefined) throw new ConfigurationError('algorithm', `is required: one of ${ALGORITHMS.map((a) => `'${a}'`).join(', ')}`);
  checkInt('limit', limit, 1);
  if (limit === undefined) throw new ConfigurationError('limit', 'is required (an integer >= 1)');
  const bucketLike = algorithm === 'token-bucket' || algorithm === 'gcra';
  const { refillRate, burst } = options;
  if (refillRate !== undefined) {
    if (!bucketLike) throw new ConfigurationError('refillRate', "only applies to 'token-bucket' and 'gcra'", { received: refillRate });
    checkNumber('refillRate', refillRate, { min: 0, exclusiveMin: true, unit: 'tokens per second' });
  }
  if (burst !== undefined) {
    if (!bucketLike) throw new ConfigurationError('burst', "only applies to 'token-bucket' and 'gcra'", { received: burst });
    checkInt('burst', burst, 1);
  }
  let { windowMs } = options;
  if (windowMs === undefined && !(bucketLike && refillRate !== undefined)) {
    throw new ConfigurationError('windowMs', 'is required (milliseconds, an integer >= 1)', { received: windowMs });
  }
  checkNumber('windowMs', windowMs, { min: 1, integer: true, unit: 'ms' });
  const msPerPoint = refillRate !== undefined ? 1000 / refillRate : windowMs! / limit;
  windowMs ??= Math.max(1, Math.ceil(limit * msPerPoint));
  const { blockDurationMs = 0, blockGrowth = 1 } = options;
  checkMs('blockDurationMs', blockDurationMs);
  checkNumber('blockGrowth', blockGrowth, { min: 1 });
  const maxBlockDurationMs = options.maxBlockDurationMs ?? (blockGrowth > 1 ? blockDurationMs * 64 : blockDurationMs);
  checkMs('maxBlockDurationMs', maxBlockDurationMs, { min: blockDurationMs });
  return Object.freeze({
    algorithm,
    limit,
    windowMs,
    capacity: bucketLike ? (burst ?? limit) : limit,
    msPerPoint,
    blockDurationMs,
    blockGrowth,
    maxBlockDurationMs,
  });
}

/** A short deterministic id of a policy (FNV-1a, base 36), so default prefixes stay short. */
function policyId(p: RateLimitPolicy): string {
  const text = `${p.algorithm}|${p.limit}|${p.windowMs}|${p.capacity}|${p.msPerPoint}|${p.blockDurationMs}|${p.blockGrowth}|${p.maxBlockDurationMs}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

function checkStore(option: string, store: unknown): asserts store is RateLimitStore {
  if (store === null || typeof store !== 'object' || typeof (store as RateLimitStore).apply !== 'function') {
    throw new ConfigurationError(option, 'must be a rate-limit store (an object with apply(); e.g. memoryStore())', { received: store });
  }
}

/** Who answered while the store was failing: the insurance store, or the `onStoreError` policy. */
type FallbackSource = NonNullable<RateLimitResult['source']>;
interface Fallback {
  outcomes: readonly StoreOutcome[];
  source: FallbackSource;
}

const first = (outcomes: readonly StoreOutcome[]): StoreOutcome => outcomes[0]!;

/** Internal hooks `consumeAll` uses; not part of the public API. */
const internals = new WeakMap<RateLimiter, {
  fallback(ops: StoreOperation[], allOrNothing: boolean, now: number, error: unknown): Promise<Fallback>;
  record(key: string, result: RateLimitResult): void;
  now(): number;
  insurance: RateLimitStore | undefined;
}>();

/**
 * Creates a rate limiter.
 *
 * @example
 * ```ts
 * const limiter = createRateLimiter({ algorithm: 'sliding-window', limit: 100, windowMs: 60_000 });
 * const result = await limiter.consume(`user:${userId}`);
 * if (!result.allowed) return new Response('Too many requests', { status: 429, headers: rateLimitHeaders(result, limiter.policy) });
 * ```
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const policy = validate(options);
  const { store = memoryStore(), insurance, onStoreError = 'allow', clock, onAllowed, onLimited, blockCache } = options;
  checkStore('store', store);
  if (insurance !== undefined) checkStore('insurance', insurance);
  checkOneOf('onStoreError', onStoreError, ['allow', 'deny'] as const);
  checkClock(clock);
  checkFunction('onAllowed', onAllowed);
  checkFunction('onLimited', onLimited);
  if (blockCache !== undefined && typeof blockCache !== 'boolean') checkInt('blockCache', blockCache, 1);
  const name = options.name ?? 'rate-limit';
  checkString('name', name);
  const prefix = options.prefix ?? (options.name ? `rl:${name}:` : `rl:${policyId(policy)}:`);
  checkString('prefix', prefix, { allowEmpty: true });
  const scheduler = toScheduler(clock);
  const now = clock ? () => clock.now() : Date.now;
  const events = new Emitter<RateLimiterEvents>({ component: `rate-limiter ${name}` });
  const counters = { allowed: 0, limited: 0, storeErrors: 0 };
  const max = policy.capacity;
  const cacheSize = blockCache === undefined ? (store.applySync ? 0 : 10_000) : blockCache === true ? 10_000 : blockCache === false ? 0 : blockCache;
  const blocked = cacheSize > 0 ? createBlockCache(cacheSize, policy) : undefined;

  const toResult = (o: StoreOutcome): RateLimitResult => {
    if ((o as { limit?: number }).limit === max) return o as RateLimitResult;
    const result: RateLimitResult = { allowed: o.allowed, limit: max, remaining: o.remaining, resetMs: o.resetMs, retryAfterMs: o.retryAfterMs, reason: o.reason };
    if (o.blockedMs !== undefined) (result as { blockedMs?: number }).blockedMs = o.blockedMs;
    return result;
  };
  /** A result answered while the store was failing (reason `'store-error'`, with its source). */
  const fallbackResult = (o: StoreOutcome, source: FallbackSource): RateLimitResult => ({
    allowed: o.allowed,
    limit: max,
    remaining: o.remaining,
    resetMs: o.resetMs,
    retryAfterMs: o.retryAfterMs,
    reason: 'store-error',
    source,
  });

  const record = (key: string, result: RateLimitResult) => {
    if (result.allowed) {
      counters.allowed++;
      if (onAllowed || events.has('allowed')) {
        const payload = { key, result };
        events.call(onAllowed, payload, 'onAllowed');
        events.emit('allowed', payload);
      }
    } else {
      counters.limited++;
      if (onLimited || events.has('limited')) {
        const payload = { key, result };
        events.call(onLimited, payload, 'onLimited');
        events.emit('limited', payload);
      }
    }
  };

  const fallback = async (ops: StoreOperation[], allOrNothing: boolean, at: number, error: unknown): Promise<Fallback> => {
    counters.storeErrors++;
    events.emit('storeError', { error });
    if (insurance) {
      try {
        return { outcomes: await insurance.apply({ ops, allOrNothing, now: at }), source: 'insurance' };
      } catch {
        // Insurance failed too: fall through to the policy.
      }
    }
    const outcomes = ops.map((op): StoreOutcome =>
      onStoreError === 'allow' || op.kind === 'reset'
        ? { allowed: true, remaining: Math.floor(max), resetMs: 0, retryAfterMs: 0, reason: undefined }
        : { allowed: false, remaining: 0, resetMs: 1_000, retryAfterMs: 1_000, reason: undefined },
    );
    return { outcomes, source: 'onStoreError' };
  };

  const run = async (op: StoreOperation): Promise<RateLimitResult> => {
    const at = now();
    const request: StoreRequest = { ops: [op], allOrNothing: false, now: at };
    let outcome: StoreOutcome;
    try {
      outcome = (await store.apply(request))[0]!;
    } catch (error) {
      const fallen = await fallback([op], false, at, error);
      return fallbackResult(fallen.outcomes[0]!, fallen.source);
    }
    return toResult(outcome);
  };

  const syncStore = store.applySync ? (store as Required<Pick<RateLimitStore, 'applySync'>>) : undefined;
  const syncOne = syncStore && store.consumeOne ? store.consumeOne.bind(store) : undefined;
  const opFor = (kind: StoreOperation['kind'], key: string, cost: number): StoreOperation => ({ key: prefix + key, prefix, id: key, policy, kind, cost });

  const remoteOne = typeof store.consume === 'function' ? store.consume.bind(store) : undefined;
  /** Async consume through the store (and the local block cache, when on): one `then` per call. */
  const consumeAsync = (key: string, cost: number): Promise<RateLimitResult> => {
    const at = now();
    if (blocked !== undefined) {
      const local = blocked.check(key, cost, at);
      if (local !== undefined) {
        record(key, local);
        return Promise.resolve(local);
      }
    }
    let pending: Promise<StoreOutcome>;
    try {
      pending = remoteOne ? remoteOne(prefix + key, policy, cost) : store.apply({ ops: [opFor('consume', key, cost)], allOrNothing: false, now: at }).then(first);
    } catch (error) {
      pending = Promise.reject(error);
    }
    return pending.then(
      (outcome) => {
        const result = toResult(outcome);
        if (blocked !== undefined) blocked.observe(key, cost, result, at);
        record(key, result);
        return result;
      },
      (error: unknown) =>
        fallback([opFor('consume', key, cost)], false, at, error).then((fallen) => {
          const result = fallbackResult(fallen.outcomes[0]!, fallen.source);
          record(key, result);
          return result;
        }),
    );
  };

  const limiter: RateLimiter = {
    kind: 'rate-limiter',
    name,
    policy,
    prefix,
    store,
    consume(key, cost = 1) {
      try {
        checkKey(key);
        checkCost(cost, max, 'cost');
      } catch (error) {
        return Promise.reject(error as Error);
      }
      if (syncOne) {
        let result: RateLimitResult;
        try {
          result = toResult(syncOne(prefix, key, policy, cost, now()));
        } catch {
          return consumeAsync(key, cost);
        }
        record(key, result);
        return Promise.resolve(result);
      }
      return consumeAsync(key, cost);
    },
    consumeSync(key, cost = 1) {
      if (!syncStore) {
        throw new ConfigurationError('store', 'consumeSync needs a synchronous store such as memoryStore()');
      }
      checkKey(key);
      checkCost(cost, max, 'cost');
      const result = toResult(
        syncOne ? syncOne(prefix, key, policy, cost, now()) : syncStore.applySync({ ops: [opFor('consume', key, cost)], allOrNothing: false, now: now() })[0]!,
      );
      record(key, result);
      return result;
    },
    async peek(key, cost = 1) {
      checkKey(key);
      checkCost(cost, max, 'cost');
      return run(opFor('peek', key, cost));
    },
    peekSync(key, cost = 1) {
      if (!syncStore) throw new ConfigurationError('store', 'peekSync needs a synchronous store such as memoryStore()');
      checkKey(key);
      checkCost(cost, max, 'cost');
      return toResult(syncStore.applySync({ ops: [opFor('peek', key, cost)], allOrNothing: false, now: now() })[0]!);
    },
    async reset(key) {
      checkKey(key);
      blocked?.forget(key);
      await run(opFor('reset', key, 0));
    },
    async penalize(key, points = 1) {
      checkKey(key);
      checkCost(points, Number.MAX_SAFE_INTEGER, 'points');
      blocked?.forget(key);
      return run(opFor('penalize', key, points));
    },
    async reward(key, points = 1) {
      checkKey(key);
      checkCost(points, Number.MAX_SAFE_INTEGER, 'points');
      blocked?.forget(key);
      return run(opFor('reward', key, points));
    },
    async waitFor(key, waitOptions) {
      checkOptions('waitFor', waitOptions, ['maxWaitMs', 'signal', 'cost']);
      const { maxWaitMs = policy.windowMs, signal, cost = 1 } = waitOptions ?? {};
      checkMs('maxWaitMs', maxWaitMs, { allowInfinity: true });
      checkSignal('signal', signal);
      checkKey(key);
      checkCost(cost, max, 'cost');
      const started = scheduler.now();
      for (;;) {
        if (signal?.aborted) throw abortReason(signal);
        const attempt = limiter.consume(key, cost);
        let result: RateLimitResult;
        try {
          result = await raceAbort(attempt, signal);
        } catch (error) {
          // Aborted while the store answered: give back what that answer may still take.
          attempt.then((late) => (late.allowed && late.reason === undefined && cost > 0 ? limiter.reward(key, cost) : undefined)).catch(() => undefined);
          throw error;
        }
        if (result.allowed || result.reason === 'store-error') return result;
        const wait = Math.max(1, result.retryAfterMs);
        if (wait > started + maxWaitMs - scheduler.now()) return result;
        await sleep(wait, signal, scheduler);
      }
    },
    on: (event, listener) => events.on(event, listener),
    stats: () => ({ name, ...counters }),
  };
  internals.set(limiter, { fallback, record, now, insurance });
  return limiter;
}

/**
 * Consumes `cost` from several limiters for one key, all-or-nothing: either every limiter
 * admits and all are charged, or nothing is taken from any (blocks of the refusing ones
 * still start). One atomic store call (one Lua script on Redis). The limiters must share one
 * store and have distinct prefixes.
 *
 * @example
 * ```ts
 * const perSecond = createRateLimiter({ algorithm: 'gcra', limit: 10, windowMs: 1_000, name: 'api-1s', store });
 * const perDay = createRateLimiter({ algorithm: 'fixed-window', limit: 10_000, windowMs: 86_400_000, name: 'api-1d', store });
 * const result = await consumeAll([perSecond, perDay], apiKeyId);
 * ```
 */
export async function consumeAll(limiters: readonly RateLimiter[], key: string, cost = 1): Promise<CombinedRateLimitResult> {
  if (!Array.isArray(limiters as unknown) || limiters.length === 0) {
    throw new RateLimitInputError('limiters', 'consumeAll needs a non-empty array of limiters');
  }
  checkKey(key);
  const first = limiters[0]!;
  const hooks = limiters.map((l) => {
    const h = internals.get(l);
    if (!h) throw new RateLimitInputError('limiters', 'consumeAll accepts only limiters made by createRateLimiter');
    if (l.store !== first.store) throw new RateLimitInputError('limiters', 'consumeAll needs limiters that share one store (atomicity)');
    checkCost(cost, l.policy.capacity, 'cost');
    return h;
  });
  const ops: StoreOperation[] = limiters.map((l) => ({ key: l.prefix + key, prefix: l.prefix, id: key, policy: l.policy, kind: 'consume', cost }));
  if (new Set(ops.map((o) => o.key)).size !== ops.length) {
    throw new RateLimitInputError('limiters', 'consumeAll needs limiters with distinct prefixes (or names)');
  }
  const at = hooks[0]!.now();
  let outcomes: readonly StoreOutcome[];
  /** Per limiter, who answered while the store was failing; undefined when it answered. */
  let sources: readonly (RateLimitResult['source'])[] = [];
  try {
    outcomes = await first.store.apply({ ops, allOrNothing: true, now: at });
  } catch (error) {
    const sameInsurance = hooks.every((h) => h.insurance !== undefined && h.insurance === hooks[0]!.insurance);
    if (sameInsurance) {
      const fallen = await hooks[0]!.fallback(ops, true, at, error);
      outcomes = fallen.outcomes;
      sources = ops.map(() => fallen.source);
    } else {
      const fallen = await Promise.all(hooks.map((h, i) => h.fallback([ops[i]!], false, at, error)));
      outcomes = fallen.map((f) => f.outcomes[0]!);
      sources = fallen.map((f) => f.source);
    }
  }
  const results: RateLimitResult[] = outcomes.map((o, i) => {
    const base = { allowed: o.allowed, limit: limiters[i]!.policy.capacity, remaining: o.remaining, resetMs: o.resetMs, retryAfterMs: o.retryAfterMs };
    const source = sources[i];
    if (source !== undefined) return { ...base, reason: 'store-error', source };
    return o.blockedMs === undefined ? { ...base, reason: o.reason } : { ...base, reason: o.reason, blockedMs: o.blockedMs };
  });
  const allowed = results.every((r) => r.allowed);
  let pick = 0;
  for (let i = 1; i < results.length; i++) {
    const r = results[i]!;
    const best = results[pick]!;
    if (allowed ? r.remaining < best.remaining : !r.allowed && (best.allowed || r.retryAfterMs > best.retryAfterMs)) pick = i;
  }
  if (!allowed && results[pick]!.allowed) pick = results.findIndex((r) => !r.allowed);
  results.forEach((r, i) => {
    if (allowed || !r.allowed) hooks[i]!.record(key, r);
  });
  return { ...results[pick]!, allowed, results };
}

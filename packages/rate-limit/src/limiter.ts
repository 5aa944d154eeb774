/**
 * `createRateLimiter` and `consumeAll`.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import { createEmitter } from './emitter.js';
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
  /** Clock in epoch ms (the Redis store uses Redis `TIME` instead). @default Date */
  clock?: { now(): number };
  /** Called for every admitted `consume` (same payload as the `allowed` event). */
  onAllowed?: (event: { key: string; result: RateLimitResult }) => void;
  /** Called for every refused `consume` (same payload as the `limited` event). */
  onLimited?: (event: { key: string; result: RateLimitResult }) => void;
}

/** Events of a limiter (see the observability convention). */
export interface RateLimiterEvents {
  allowed: { key: string; result: RateLimitResult };
  limited: { key: string; result: RateLimitResult };
  storeError: { error: unknown };
  [event: string]: object;
}

/** Plain-JSON counters; maps onto `rateLimitStatsSchema` of `@armor/metrics`. */
export interface RateLimiterStats {
  name: string;
  allowed: number;
  limited: number;
  storeErrors: number;
}

/** A rate limiter. Every method validates its input and never rejects for a limit. */
export interface RateLimiter {
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
  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends 'allowed' | 'limited' | 'storeError'>(event: K, listener: (payload: RateLimiterEvents[K]) => void): () => void;
  /** Counters since creation. */
  stats(): RateLimiterStats;
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1;
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
  const { algorithm, limit } = options;
  if (!ALGORITHMS.includes(algorithm)) {
    throw new ConfigurationError('algorithm', `must be one of ${ALGORITHMS.map((a) => `'${a}'`).join(', ')}`, { received: algorithm });
  }
  if (!isPositiveInt(limit)) throw new ConfigurationError('limit', 'must be an integer >= 1', { received: limit });
  const bucketLike = algorithm === 'token-bucket' || algorithm === 'gcra';
  const { refillRate, burst } = options;
  if (refillRate !== undefined) {
    if (!bucketLike) throw new ConfigurationError('refillRate', "only applies to 'token-bucket' and 'gcra'", { received: refillRate });
    if (!(typeof refillRate === 'number' && Number.isFinite(refillRate) && refillRate > 0)) {
      throw new ConfigurationError('refillRate', 'must be a number > 0 (tokens per second)', { received: refillRate });
    }
  }
  if (burst !== undefined) {
    if (!bucketLike) throw new ConfigurationError('burst', "only applies to 'token-bucket' and 'gcra'", { received: burst });
    if (!isPositiveInt(burst)) throw new ConfigurationError('burst', 'must be an integer >= 1', { received: burst });
  }
  let { windowMs } = options;
  if (windowMs === undefined && !(bucketLike && refillRate !== undefined)) {
    throw new ConfigurationError('windowMs', 'is required (milliseconds, an integer >= 1)', { received: windowMs });
  }
  if (windowMs !== undefined && !isPositiveInt(windowMs)) {
    throw new ConfigurationError('windowMs', 'must be an integer >= 1 (milliseconds)', { received: windowMs });
  }
  const msPerPoint = refillRate !== undefined ? 1000 / refillRate : windowMs! / limit;
  windowMs ??= Math.max(1, Math.ceil(limit * msPerPoint));
  const { blockDurationMs = 0, blockGrowth = 1 } = options;
  if (!(typeof blockDurationMs === 'number' && Number.isFinite(blockDurationMs) && blockDurationMs >= 0)) {
    throw new ConfigurationError('blockDurationMs', 'must be a number >= 0 (milliseconds)', { received: blockDurationMs });
  }
  if (!(typeof blockGrowth === 'number' && Number.isFinite(blockGrowth) && blockGrowth >= 1)) {
    throw new ConfigurationError('blockGrowth', 'must be a number >= 1', { received: blockGrowth });
  }
  const maxBlockDurationMs = options.maxBlockDurationMs ?? (blockGrowth > 1 ? blockDurationMs * 64 : blockDurationMs);
  if (!(typeof maxBlockDurationMs === 'number' && Number.isFinite(maxBlockDurationMs) && maxBlockDurationMs >= blockDurationMs)) {
    throw new ConfigurationError('maxBlockDurationMs', 'must be a number >= blockDurationMs', { received: maxBlockDurationMs });
  }
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
  const { store = memoryStore(), insurance, onStoreError = 'allow', clock, onAllowed, onLimited } = options;
  checkStore('store', store);
  if (insurance !== undefined) checkStore('insurance', insurance);
  if (onStoreError !== 'allow' && onStoreError !== 'deny') {
    throw new ConfigurationError('onStoreError', "must be 'allow' or 'deny'", { received: onStoreError });
  }
  if (clock !== undefined && typeof clock?.now !== 'function') {
    throw new ConfigurationError('clock', 'must have a now() method returning epoch milliseconds', { received: clock });
  }
  const name = options.name ?? 'rate-limit';
  if (typeof name !== 'string' || name.length === 0) throw new ConfigurationError('name', 'must be a non-empty string', { received: name });
  const prefix = options.prefix ?? (options.name ? `rl:${name}:` : `rl:${policyId(policy)}:`);
  if (typeof prefix !== 'string') throw new ConfigurationError('prefix', 'must be a string', { received: prefix });
  const now = clock ? () => clock.now() : Date.now;
  const events = createEmitter<RateLimiterEvents>();
  const counters = { allowed: 0, limited: 0, storeErrors: 0 };
  const max = policy.capacity;

  const toResult = (o: StoreOutcome): RateLimitResult =>
    (o as { limit?: number }).limit === max ? (o as RateLimitResult) : ({
    allowed: o.allowed,
    limit: max,
    remaining: o.remaining,
    resetMs: o.resetMs,
    retryAfterMs: o.retryAfterMs,
    reason: o.reason,
  });
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
        if (onAllowed) try { onAllowed(payload); } catch { /* isolated */ }
        events.emit('allowed', payload);
      }
    } else {
      counters.limited++;
      if (onLimited || events.has('limited')) {
        const payload = { key, result };
        if (onLimited) try { onLimited(payload); } catch { /* isolated */ }
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

  const limiter: RateLimiter = {
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
          return run(opFor('consume', key, cost)).then((r) => (record(key, r), r));
        }
        record(key, result);
        return Promise.resolve(result);
      }
      return run(opFor('consume', key, cost)).then((r) => (record(key, r), r));
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
    async reset(key) {
      checkKey(key);
      await run(opFor('reset', key, 0));
    },
    async penalize(key, points = 1) {
      checkKey(key);
      checkCost(points, Number.MAX_SAFE_INTEGER, 'points');
      return run(opFor('penalize', key, points));
    },
    async reward(key, points = 1) {
      checkKey(key);
      checkCost(points, Number.MAX_SAFE_INTEGER, 'points');
      return run(opFor('reward', key, points));
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
    return source === undefined ? { ...base, reason: o.reason } : { ...base, reason: 'store-error', source };
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

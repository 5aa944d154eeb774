/**
 * Types shared by the limiter, its stores and adapters.
 *
 * @module
 */

/**
 * The counting algorithm.
 *
 * - `fixed-window`: at most `limit` points per aligned window of `windowMs`
 *   (`floor(now / windowMs)`); cheapest; allows a burst of up to 2 × `limit` across a boundary.
 * - `sliding-window`: the weighted two-window counter (previous window's count scaled by its
 *   overlap with the sliding window). Never more than `limit` per aligned window; in any
 *   interval of `windowMs` at most `limit + previousCount × elapsedFraction` (< 2 × `limit`
 *   in the adversarial worst case where the previous window's traffic came at its very end;
 *   close to `limit` for spread traffic).
 * - `token-bucket`: a bucket of `burst` tokens refilled continuously at `refillRate`.
 * - `gcra`: the generic cell rate algorithm (one timestamp per key): same admissions as a
 *   token bucket of `burst` refilled at `limit` per `windowMs`, with less state.
 */
export type Algorithm = 'fixed-window' | 'sliding-window' | 'token-bucket' | 'gcra';

/** Why a request was not admitted normally. `undefined` when the store admitted it. */
export type RateLimitReason = 'limit' | 'blocked' | 'store-error';

/**
 * The normalized, validated policy a store evaluates. Built by `createRateLimiter`; custom
 * stores receive it and pass it to {@link evaluate} (or their own implementation).
 */
export interface RateLimitPolicy {
  readonly algorithm: Algorithm;
  /** Points per window (fixed/sliding) or per `windowMs` of refill (bucket/GCRA). */
  readonly limit: number;
  /** Window length in milliseconds. */
  readonly windowMs: number;
  /** The most points available at once: `limit` for windows, `burst` for bucket/GCRA. */
  readonly capacity: number;
  /** Bucket/GCRA: milliseconds to regain one point. */
  readonly msPerPoint: number;
  /** Block after a refused consume (or a `penalize` that exhausts the limit); 0 = none. */
  readonly blockDurationMs: number;
  /** Each further block lasts `blockGrowth` times longer than the previous one (≥ 1). */
  readonly blockGrowth: number;
  /** Upper bound of a growing block, and how long strikes are remembered, in ms. */
  readonly maxBlockDurationMs: number;
}

/** One operation on one key, as sent to a store. */
export interface StoreOperation {
  /** The full store key (limiter prefix + user key). */
  readonly key: string;
  /** The limiter's prefix and the user key (`key === prefix + id`), when sent by a limiter. */
  readonly prefix?: string;
  readonly id?: string;
  readonly policy: RateLimitPolicy;
  /**
   * - `consume`: take `cost` points if available (nothing is taken otherwise);
   * - `peek`: report without changing anything;
   * - `penalize`: take `cost` points even past the limit (may start a block);
   * - `reward`: give back `cost` points;
   * - `reset`: forget the key (usage, blocks and strikes).
   */
  readonly kind: 'consume' | 'peek' | 'penalize' | 'reward' | 'reset';
  /** Points, ≥ 0. */
  readonly cost: number;
}

/** A batch of operations applied atomically by a store. */
export interface StoreRequest {
  readonly ops: readonly StoreOperation[];
  /**
   * When `true`, `consume` operations are all-or-nothing: if any is refused, no points are
   * taken for any of them (blocks of the refused ones still start).
   */
  readonly allOrNothing: boolean;
  /**
   * The limiter's clock (epoch ms). Stores with their own clock (Redis `TIME`) ignore it so
   * that every process shares one time source.
   */
  readonly now: number;
}

/** The answer of a store for one operation. */
export interface StoreOutcome {
  readonly allowed: boolean;
  /** Points still available after this operation (whole points, ≥ 0). */
  readonly remaining: number;
  /** Milliseconds until the key is back to full capacity (or the block ends). */
  readonly resetMs: number;
  /** Milliseconds until a request of this cost could succeed; 0 when allowed. */
  readonly retryAfterMs: number;
  /** `'limit'` or `'blocked'` when refused; `undefined` when allowed. */
  readonly reason: 'limit' | 'blocked' | undefined;
  /**
   * Milliseconds until the key's block ends; present only while the key is blocked. Optional
   * for custom stores: a store that reports it lets the limiter's local block cache cover
   * blocks (without it, keys of limiters with `blockDurationMs` are not cached locally).
   */
  readonly blockedMs?: number;
}

/**
 * Where limits live. Small on purpose: one method that applies a batch atomically.
 *
 * Most custom stores do not implement this directly: they give `transactionalStore()` a
 * `get`/`set`/`delete` over their own storage inside a transaction (a Convex mutation, a SQL
 * transaction) and it runs the algorithms. See the README's "Writing a store".
 */
export interface RateLimitStore {
  /** Applies the operations atomically and answers one outcome per operation, in order. */
  apply(request: StoreRequest): Promise<readonly StoreOutcome[]>;
  /**
   * Synchronous variant, offered by in-process stores (`memoryStore`). Enables
   * `limiter.consumeSync`.
   */
  applySync?(request: StoreRequest): readonly StoreOutcome[];
  /**
   * Optional synchronous single-`consume` fast path (`memoryStore`): same as `applySync` with
   * one `consume` of `prefix + id`, without building the key.
   */
  consumeOne?(prefix: string, id: string, policy: RateLimitPolicy, cost: number, now: number): StoreOutcome;
  /**
   * Optional asynchronous single-`consume` fast path (`redisStore`): the same as `apply` with
   * one `consume` of `key`, without the request and outcome arrays. The store's own clock
   * decides (the limiter's clock is not passed).
   */
  consume?(key: string, policy: RateLimitPolicy, cost: number): Promise<StoreOutcome>;
}

/** What `consume`, `peek`, `penalize` and `reward` resolve to. */
export interface RateLimitResult {
  /** Whether the request may proceed. */
  readonly allowed: boolean;
  /** The most points available at once (`limit`, or `burst` for bucket/GCRA). */
  readonly limit: number;
  /** Points left after this call (whole points, ≥ 0). */
  readonly remaining: number;
  /** Milliseconds until the key is back to full capacity (or its block ends). */
  readonly resetMs: number;
  /** Milliseconds to wait before retrying; 0 when allowed. */
  readonly retryAfterMs: number;
  /**
   * `'limit'` (over the limit), `'blocked'` (inside a block), `'store-error'` (the store
   * failed and the answer came from insurance or `onStoreError`), `undefined` when admitted
   * normally.
   */
  readonly reason: RateLimitReason | undefined;
  /**
   * Only with reason `'store-error'`: who answered. `'insurance'` — the insurance store counted
   * the request (per process; its refusals are real limits); `'onStoreError'` — nothing counted
   * it and the `onStoreError` policy answered, so a refusal is an outage, not a limit (the
   * adapters answer it with 503, never 429). Absent otherwise.
   */
  readonly source?: 'insurance' | 'onStoreError';
  /** Milliseconds until the key's block ends; present only while it is blocked (and the store reports it). */
  readonly blockedMs?: number;
}

/** The result of `consumeAll`: the combined verdict plus one result per limiter. */
export interface CombinedRateLimitResult extends RateLimitResult {
  /** One result per limiter, in the order given. */
  readonly results: readonly RateLimitResult[];
}

/** State of one key, as kept by `transactionalStore` adapters (plain JSON numbers). */
export interface LimitState {
  /** fixed/sliding: window start; token-bucket: tokens; gcra: theoretical arrival time. */
  a: number;
  /** fixed/sliding: count in the window; token-bucket: last refill time. */
  b: number;
  /** sliding: count in the previous window. */
  c: number;
  /** Blocked until (epoch ms); 0 = not blocked. */
  bu: number;
  /** Strikes: how many blocks were started (grows the next block). */
  s: number;
}

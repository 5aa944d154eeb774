import { checkOptions as checkKnownOptions, kindOf, type ArmorKind } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import { hubOf } from './hub.js';
import type { Registry } from './registry.js';
import type { BreakerStats, CacheStats, RateLimitStats } from './snapshot.js';

/** Anything observable per the Armor observability convention: `on(event, listener) → unsubscribe` and `stats()`. */
export interface Observable<S> {
  // `any`: each package types its payloads per event (`on<K>(event: K, listener: (p: Events[K]) => void)`);
  // a structural type cannot name them without depending on those packages, and `never`/`unknown`
  // would reject every real emitter under strictFunctionTypes. The bridges read payloads defensively.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: string, listener: (payload: any) => void): () => void;
  stats(): S;
}

/**
 * Structural type of an `@armor/resilience` policy that {@link instrumentResilience} can bridge:
 * a circuit breaker, a bulkhead, a retry, timeout, fallback or hedge policy. Typed loosely (only
 * `on()` is required); which kind it is comes from its `kind` (`@armor/core`'s `kindOf`), or,
 * for a policy without one, from the retry marker or the shape of `stats()`.
 */
export interface ResilienceLike {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see Observable.on
  on(event: string, listener: (payload: any) => void): () => void;
  stats?(): {
    name?: string;
    kind?: string;
    state?: string;
    active?: number;
    queued?: number;
    retries?: number;
    giveUps?: number;
    timeoutMs?: number;
    fallbacks?: number;
    failures?: number;
    hedges?: number;
    hedgeWins?: number;
  };
  /** Metric label; read when `options.name` and `stats().name` are absent. */
  readonly name?: string;
  /** The policy kind (`'circuit-breaker'`, `'bulkhead'`, `'retry'`, `'timeout'`, `'fallback'` or `'hedge'`), as every `@armor/resilience` policy declares it. */
  readonly kind?: string;
}
/** Structural type of an `@armor/cache` cache. */
export type CacheLike = Observable<{ name?: string; hits?: number; misses?: number }>;
/** Structural type of an `@armor/rate-limit` limiter. */
export type RateLimiterLike = Observable<{ name?: string; allowed?: number; limited?: number }>;

/** Options of the bridges. */
export interface BridgeOptions {
  registry: Registry;
  /** Label / dashboard row (non-empty); defaults to `stats().name`, then the target's `name` property, then a generic name. */
  name?: string;
}

const int = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);
const optInt = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined);

function checkOptions(options: BridgeOptions | undefined): asserts options is BridgeOptions {
  checkKnownOptions('bridge', options, ['registry', 'name']);
  if (typeof options?.registry?.counter !== 'function') throw new ConfigurationError('registry', 'must be a registry from createRegistry()', { received: options?.registry });
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === ''))
    throw new ConfigurationError('name', 'must be a non-empty string', { received: options.name });
}

function check(target: unknown, options: BridgeOptions | undefined, expected: ArmorKind): asserts target is Observable<Record<string, unknown>> {
  if (typeof (target as Observable<unknown>)?.on !== 'function' || typeof (target as Observable<unknown>)?.stats !== 'function')
    throw new ConfigurationError('target', 'must have on(event, listener) and stats() (see the Armor observability convention)', { received: target });
  // A component that says what it is (an Armor kind) must be the right one: a limiter is not a
  // cache. One without a kind (an older release, a custom component) is taken at its word.
  const kind = kindOf(target);
  if (kind !== undefined && kind !== expected) throw new ConfigurationError('target', `is a "${kind}", not a "${expected}"`, { received: target });
  checkOptions(options);
}

/** A `kind` property that is not one of `@armor/core`'s kinds (read without throwing). */
function declaredKind(target: unknown): string | undefined {
  try {
    const kind = (target as { kind?: unknown }).kind;
    return typeof kind === 'string' ? kind : undefined;
  } catch {
    return undefined;
  }
}

function nameOf(target: Observable<Record<string, unknown>>, options: BridgeOptions, fallback: string): string {
  if (options.name !== undefined) return options.name;
  try {
    const n = typeof target.stats === 'function' ? target.stats().name : undefined;
    if (typeof n === 'string' && n !== '') return n;
  } catch {
    // fall through
  }
  const own = (target as { name?: unknown }).name;
  return typeof own === 'string' && own !== '' ? own : fallback;
}

function safeStats(target: Observable<Record<string, unknown>>): Record<string, unknown> {
  try {
    const s = target.stats();
    return typeof s === 'object' && s !== null ? s : {};
  } catch {
    return {};
  }
}

const BREAKER_STATES = new Set(['closed', 'open', 'half-open', 'isolated']);
const GIVE_UP_REASONS = new Set(['maxAttempts', 'notRetryable', 'budget', 'retryAfterTooLong', 'aborted']);
/** `@armor/resilience` marks retry policies with this (a `Symbol.for`, so it holds across duplicate installs). */
const RETRY_MARK = Symbol.for('armor.resilience.retry');

const KINDS = ['circuit-breaker', 'bulkhead', 'retry', 'timeout', 'fallback', 'hedge'] as const satisfies readonly ArmorKind[];
type ResilienceKind = (typeof KINDS)[number];
const RESILIENCE_KINDS = new Set<string>(KINDS);
const KIND_LIST = KINDS.map((k) => `'${k}'`).join(' | ');
const UNKNOWN_POLICY =
  'must be an @armor/resilience circuit breaker, bulkhead, or retry, timeout, fallback or hedge policy ' +
  '(wrap() policies emit no events: instrument the policies inside them); ' +
  `a custom policy declares itself with kind: ${KIND_LIST}`;

/**
 * The policy's kind. Dispatch is on `kind` (`@armor/core`'s `kindOf`), which every
 * `@armor/resilience` policy declares; a `kind` that is not a resilience kind throws.
 *
 * Fallback, only for a policy WITHOUT a `kind` (a release of `@armor/resilience` from before
 * kinds, or a custom policy): the retry marker, then the shape of `stats()`, first match wins —
 * numeric `retries` and `giveUps` → retry; `state` one of `closed`, `open`, `half-open`,
 * `isolated` → circuit breaker; numeric `active` and `queued` → bulkhead; numeric `timeoutMs` →
 * timeout; numeric `fallbacks` and `failures` → fallback; numeric `hedges` and `hedgeWins` →
 * hedge. Anything else throws `ConfigurationError('target')` rather than guessing.
 */
function resilienceKind(target: ResilienceLike): ResilienceKind {
  const declared = kindOf(target) ?? declaredKind(target);
  if (declared !== undefined) {
    if (!RESILIENCE_KINDS.has(declared)) throw new ConfigurationError('target', `is a "${declared}"; a bridged policy's kind must be ${KIND_LIST}`, { received: target });
    return declared as ResilienceKind;
  }
  const t = target as unknown as Record<PropertyKey, unknown>;
  if (t[RETRY_MARK] === true) return 'retry';
  const stats = typeof t.stats === 'function' ? safeStats(target as Observable<Record<string, unknown>>) : {};
  const num = (key: string) => typeof stats[key] === 'number';
  if (num('retries') && num('giveUps')) return 'retry';
  if (typeof stats.state === 'string' && BREAKER_STATES.has(stats.state)) return 'circuit-breaker';
  if (num('active') && num('queued')) return 'bulkhead';
  if (num('timeoutMs')) return 'timeout';
  if (num('fallbacks') && num('failures')) return 'fallback';
  if (num('hedges') && num('hedgeWins')) return 'hedge';
  throw new ConfigurationError('target', UNKNOWN_POLICY, { received: target });
}

/**
 * Bridges an `@armor/resilience` policy into metrics, dispatching on its `kind` (a policy
 * without one is recognised from its shape, see below); anything else throws
 * `ConfigurationError` naming `target`.
 *
 * - **Circuit breaker** (`kind: 'circuit-breaker'`): `circuit_breaker_calls_total{breaker, outcome=success|failure|rejected}`,
 *   `circuit_breaker_transitions_total{breaker, to}`, `circuit_breaker_state{breaker, state}` (1 for the
 *   current state) and a row in the snapshot's `breakers`.
 * - **Bulkhead** (`kind: 'bulkhead'`): `bulkhead_rejected_total{bulkhead}` and
 *   `bulkhead_active` / `bulkhead_queued` gauges (read at scrape).
 * - **Retry policy** (`kind: 'retry'`): `resilience_retries_total{policy}` (one per
 *   `retry` event, i.e. per extra attempt) and `resilience_give_ups_total{policy, reason}` with `reason` one of
 *   `maxAttempts`, `notRetryable`, `budget`, `retryAfterTooLong`, `aborted` (`other` for anything else).
 * - **Timeout policy** (`kind: 'timeout'`): `resilience_timeouts_total{policy}`.
 * - **Fallback policy** (`kind: 'fallback'`):
 *   `resilience_fallbacks_total{policy}` (one per `fallback` event).
 * - **Hedge policy** (`kind: 'hedge'`):
 *   `resilience_hedges_total{policy}` (one per `hedge` event, i.e. per extra attempt started) and
 *   `resilience_hedge_wins_total{policy}` (one per `hedgeWin` event).
 *
 * Without a `kind` the shape decides: the retry marker or numeric `stats().retries` and `giveUps`
 * → retry; `stats().state` a breaker state → breaker; numeric `active` and `queued` → bulkhead;
 * numeric `timeoutMs` → timeout; numeric `fallbacks` and `failures` → fallback; numeric
 * `hedges` and `hedgeWins` → hedge. `wrap()` policies have no events;
 * instrument the policies inside them. The label is `options.name`, else `stats().name`, else the
 * policy's `name` property, else the kind (`breaker`, `bulkhead`, `retry`, ...). Returns a function that unsubscribes.
 *
 * @example
 * ```ts
 * const retries = retryPolicy({ name: 'payments', maxAttempts: 4 });
 * const timeouts = timeoutPolicy(2_000, { name: 'payments' });
 * const policy = wrap(retries, paymentsBreaker, timeouts);
 * const stops = [retries, paymentsBreaker, timeouts].map((p) => instrumentResilience(p, { registry }));
 * ```
 */
export function instrumentResilience(target: ResilienceLike, options: BridgeOptions): () => void {
  if (typeof (target as Partial<ResilienceLike> | null | undefined)?.on !== 'function')
    throw new ConfigurationError('target', 'must have on(event, listener) (see the Armor observability convention)', { received: target });
  checkOptions(options);
  const kind = resilienceKind(target);
  const observable = target as unknown as Observable<Record<string, unknown>>;
  const { registry } = options;
  const unsubs: Array<() => void> = [];
  if (kind === 'circuit-breaker') {
    const name = nameOf(observable, options, 'breaker');
    const calls = registry.counter({ name: 'circuit_breaker_calls_total', help: 'Calls through circuit breakers, by outcome', labelNames: ['breaker', 'outcome'] as const });
    const transitions = registry.counter({ name: 'circuit_breaker_transitions_total', help: 'Circuit breaker state changes, by new state', labelNames: ['breaker', 'to'] as const });
    const state = registry.gauge({ name: 'circuit_breaker_state', help: 'Circuit breaker state (1 = current)', labelNames: ['breaker', 'state'] as const });
    const ok = calls.labels({ breaker: name, outcome: 'success' });
    const bad = calls.labels({ breaker: name, outcome: 'failure' });
    const rejected = calls.labels({ breaker: name, outcome: 'rejected' });
    const setState = (current: unknown) => {
      for (const s of BREAKER_STATES) state.set({ breaker: name, state: s }, s === current ? 1 : 0);
    };
    setState(safeStats(observable).state);
    unsubs.push(
      target.on('success', () => ok.inc()),
      target.on('failure', () => bad.inc()),
      target.on('rejected', () => rejected.inc()),
      target.on('stateChange', (e: { to?: unknown }) => {
        if (typeof e?.to === 'string') {
          transitions.inc({ breaker: name, to: e.to });
          setState(e.to);
        }
      }),
    );
    const source = (): BreakerStats => {
      const s = safeStats(observable);
      const st = typeof s.state === 'string' && BREAKER_STATES.has(s.state) ? (s.state as BreakerStats['state']) : 'closed';
      const out: BreakerStats = { name, state: st };
      const failures = optInt(s.failures);
      const successes = optInt(s.successes);
      const rej = optInt(s.rejected);
      if (failures !== undefined) out.failures = failures;
      if (successes !== undefined) out.successes = successes;
      if (rej !== undefined) out.rejected = rej;
      if (typeof s.since === 'number' && Number.isFinite(s.since)) out.since = s.since;
      return out;
    };
    const sources = hubOf(registry).sources.breakers;
    sources.add(source);
    unsubs.push(() => sources.delete(source));
  } else if (kind === 'bulkhead') {
    const name = nameOf(observable, options, 'bulkhead');
    const rejected = registry.counter({ name: 'bulkhead_rejected_total', help: 'Calls rejected by bulkheads', labelNames: ['bulkhead'] as const }).labels({ bulkhead: name });
    const active = registry.gauge({ name: 'bulkhead_active', help: 'Calls running in bulkheads', labelNames: ['bulkhead'] as const }).labels({ bulkhead: name });
    const queued = registry.gauge({ name: 'bulkhead_queued', help: 'Calls queued in bulkheads', labelNames: ['bulkhead'] as const }).labels({ bulkhead: name });
    unsubs.push(
      target.on('rejected', () => rejected.inc()),
      registry.addCollector(() => {
        const s = safeStats(observable);
        active.set(int(s.active));
        queued.set(int(s.queued));
      }),
    );
  } else if (kind === 'retry') {
    const name = nameOf(observable, options, 'retry');
    const retries = registry.counter({ name: 'resilience_retries_total', help: 'Retries made by retry policies (attempts after the first)', labelNames: ['policy'] as const }).labels({ policy: name });
    const giveUps = registry.counter({ name: 'resilience_give_ups_total', help: 'Calls a retry policy stopped retrying and failed, by reason', labelNames: ['policy', 'reason'] as const });
    unsubs.push(
      target.on('retry', () => retries.inc()),
      target.on('giveUp', (e: { reason?: unknown }) => {
        const reason = typeof e?.reason === 'string' && GIVE_UP_REASONS.has(e.reason) ? e.reason : 'other';
        giveUps.inc({ policy: name, reason });
      }),
    );
  } else if (kind === 'timeout') {
    const name = nameOf(observable, options, 'timeout');
    const timeouts = registry.counter({ name: 'resilience_timeouts_total', help: 'Calls that exceeded a timeout policy', labelNames: ['policy'] as const }).labels({ policy: name });
    unsubs.push(target.on('timeout', () => timeouts.inc()));
  } else if (kind === 'fallback') {
    const name = nameOf(observable, options, 'fallback');
    const fallbacks = registry.counter({ name: 'resilience_fallbacks_total', help: 'Failed calls a fallback policy replaced with its fallback', labelNames: ['policy'] as const }).labels({ policy: name });
    unsubs.push(target.on('fallback', () => fallbacks.inc()));
  } else {
    const name = nameOf(observable, options, 'hedge');
    const hedges = registry.counter({ name: 'resilience_hedges_total', help: 'Hedged (extra) attempts started by hedge policies', labelNames: ['policy'] as const }).labels({ policy: name });
    const wins = registry.counter({ name: 'resilience_hedge_wins_total', help: 'Calls won by a hedged (extra) attempt', labelNames: ['policy'] as const }).labels({ policy: name });
    unsubs.push(
      target.on('hedge', () => hedges.inc()),
      target.on('hedgeWin', () => wins.inc()),
    );
  }
  return () => {
    for (const u of unsubs) {
      try {
        u();
      } catch {
        // ignore
      }
    }
  };
}

/**
 * Bridges an `@armor/cache` cache: `cache_requests_total{cache, result=hit|miss|stale}`,
 * `cache_sets_total{cache}`, `cache_evictions_total{cache, reason}`,
 * `cache_errors_total{cache, kind=refresh|store}`, `cache_size{cache}` (from `stats()` at scrape)
 * and a row in the snapshot's `caches`. Returns a function that unsubscribes.
 */
export function instrumentCache(cache: CacheLike, options: BridgeOptions): () => void {
  check(cache, options, 'cache');
  const { registry } = options;
  const name = nameOf(cache, options, 'cache');
  const requests = registry.counter({ name: 'cache_requests_total', help: 'Cache lookups, by result', labelNames: ['cache', 'result'] as const });
  const evictions = registry.counter({ name: 'cache_evictions_total', help: 'Cache evictions, by reason', labelNames: ['cache', 'reason'] as const });
  const errors = registry.counter({ name: 'cache_errors_total', help: 'Cache refresh and store errors', labelNames: ['cache', 'kind'] as const });
  const sets = registry.counter({ name: 'cache_sets_total', help: 'Cache writes', labelNames: ['cache'] as const }).labels({ cache: name });
  const size = registry.gauge({ name: 'cache_size', help: 'Entries in the cache', labelNames: ['cache'] as const }).labels({ cache: name });
  const hit = requests.labels({ cache: name, result: 'hit' });
  const miss = requests.labels({ cache: name, result: 'miss' });
  const stale = requests.labels({ cache: name, result: 'stale' });
  const source = (): CacheStats => {
    const s = safeStats(cache);
    const hits = int(s.hits);
    const misses = int(s.misses);
    const out: CacheStats = { name, hits, misses, hitRate: hits + misses === 0 ? 0 : hits / (hits + misses) };
    const sz = optInt(s.size);
    const ev = optInt(s.evictions);
    const lf = optInt(s.loadsInFlight);
    if (sz !== undefined) out.size = sz;
    if (ev !== undefined) out.evictions = ev;
    if (lf !== undefined) out.loadsInFlight = lf;
    return out;
  };
  const sources = hubOf(registry).sources.caches;
  sources.add(source);
  const unsubs = [
    cache.on('hit', () => hit.inc()),
    cache.on('miss', () => miss.inc()),
    cache.on('stale', () => stale.inc()),
    cache.on('set', () => sets.inc()),
    cache.on('evict', (e: { reason?: unknown }) => evictions.inc({ cache: name, reason: typeof e?.reason === 'string' ? e.reason : 'unknown' })),
    cache.on('refreshError', () => errors.inc({ cache: name, kind: 'refresh' })),
    cache.on('storeError', () => errors.inc({ cache: name, kind: 'store' })),
    registry.addCollector(() => {
      const sz = optInt(safeStats(cache).size);
      if (sz !== undefined) size.set(sz);
    }),
    () => void sources.delete(source),
  ];
  return () => unsubs.forEach((u) => u());
}

/**
 * Bridges an `@armor/rate-limit` limiter: `rate_limit_decisions_total{limiter, decision=allowed|limited}`,
 * `rate_limit_store_errors_total{limiter}` and a row in the snapshot's `rateLimits`.
 * Returns a function that unsubscribes.
 */
export function instrumentRateLimiter(limiter: RateLimiterLike, options: BridgeOptions): () => void {
  check(limiter, options, 'rate-limiter');
  const { registry } = options;
  const name = nameOf(limiter, options, 'rate-limit');
  const decisions = registry.counter({ name: 'rate_limit_decisions_total', help: 'Rate-limit decisions', labelNames: ['limiter', 'decision'] as const });
  const storeErrors = registry.counter({ name: 'rate_limit_store_errors_total', help: 'Rate-limit store failures', labelNames: ['limiter'] as const }).labels({ limiter: name });
  const allowed = decisions.labels({ limiter: name, decision: 'allowed' });
  const limited = decisions.labels({ limiter: name, decision: 'limited' });
  const source = (): RateLimitStats => {
    const s = safeStats(limiter);
    const out: RateLimitStats = { name, allowed: int(s.allowed), limited: int(s.limited) };
    const se = optInt(s.storeErrors);
    if (se !== undefined) out.storeErrors = se;
    return out;
  };
  const sources = hubOf(registry).sources.rateLimits;
  sources.add(source);
  const unsubs = [
    limiter.on('allowed', () => allowed.inc()),
    limiter.on('limited', () => limited.inc()),
    limiter.on('storeError', () => storeErrors.inc()),
    () => void sources.delete(source),
  ];
  return () => unsubs.forEach((u) => u());
}

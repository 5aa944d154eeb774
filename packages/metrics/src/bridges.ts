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

/** Structural type of an `@armor/resilience` circuit breaker or bulkhead. */
export type ResilienceLike = Observable<{ name?: string; state?: string }>;
/** Structural type of an `@armor/cache` cache. */
export type CacheLike = Observable<{ name?: string; hits?: number; misses?: number }>;
/** Structural type of an `@armor/rate-limit` limiter. */
export type RateLimiterLike = Observable<{ name?: string; allowed?: number; limited?: number }>;

/** Options of the bridges. */
export interface BridgeOptions {
  registry: Registry;
  /** Label / dashboard row; defaults to `stats().name`, then a generic name. */
  name?: string;
}

const int = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);
const optInt = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined);

function check(target: unknown, options: BridgeOptions | undefined): asserts target is Observable<Record<string, unknown>> {
  if (typeof (target as Observable<unknown>)?.on !== 'function' || typeof (target as Observable<unknown>)?.stats !== 'function')
    throw new ConfigurationError('target', 'must have on(event, listener) and stats() (see the Armor observability convention)', { received: target });
  if (typeof options?.registry?.counter !== 'function') throw new ConfigurationError('registry', 'must be a registry from createRegistry()', { received: options?.registry });
}

function nameOf(target: Observable<Record<string, unknown>>, options: BridgeOptions, fallback: string): string {
  if (options.name !== undefined) return options.name;
  try {
    const n = target.stats().name;
    if (typeof n === 'string' && n !== '') return n;
  } catch {
    // fall through
  }
  return fallback;
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

/**
 * Bridges an `@armor/resilience` circuit breaker or bulkhead into metrics:
 * breakers → `circuit_breaker_calls_total{breaker, outcome=success|failure|rejected}`,
 * `circuit_breaker_transitions_total{breaker, to}`, `circuit_breaker_state{breaker, state}` (1 for the
 * current state) and a row in the snapshot's `breakers`; bulkheads → `bulkhead_rejected_total{bulkhead}`
 * and `bulkhead_active` / `bulkhead_queued` gauges. Returns a function that unsubscribes.
 *
 * @example
 * ```ts
 * const stop = instrumentResilience(paymentsBreaker, { registry });
 * ```
 */
export function instrumentResilience(target: ResilienceLike, options: BridgeOptions): () => void {
  check(target, options);
  const { registry } = options;
  const isBreaker = typeof safeStats(target).state === 'string';
  const unsubs: Array<() => void> = [];
  if (isBreaker) {
    const name = nameOf(target, options, 'breaker');
    const calls = registry.counter({ name: 'circuit_breaker_calls_total', help: 'Calls through circuit breakers, by outcome', labelNames: ['breaker', 'outcome'] as const });
    const transitions = registry.counter({ name: 'circuit_breaker_transitions_total', help: 'Circuit breaker state changes, by new state', labelNames: ['breaker', 'to'] as const });
    const state = registry.gauge({ name: 'circuit_breaker_state', help: 'Circuit breaker state (1 = current)', labelNames: ['breaker', 'state'] as const });
    const ok = calls.labels({ breaker: name, outcome: 'success' });
    const bad = calls.labels({ breaker: name, outcome: 'failure' });
    const rejected = calls.labels({ breaker: name, outcome: 'rejected' });
    const setState = (current: unknown) => {
      for (const s of BREAKER_STATES) state.set({ breaker: name, state: s }, s === current ? 1 : 0);
    };
    setState(safeStats(target).state);
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
      const s = safeStats(target);
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
  } else {
    const name = nameOf(target, options, 'bulkhead');
    const rejected = registry.counter({ name: 'bulkhead_rejected_total', help: 'Calls rejected by bulkheads', labelNames: ['bulkhead'] as const }).labels({ bulkhead: name });
    const active = registry.gauge({ name: 'bulkhead_active', help: 'Calls running in bulkheads', labelNames: ['bulkhead'] as const }).labels({ bulkhead: name });
    const queued = registry.gauge({ name: 'bulkhead_queued', help: 'Calls queued in bulkheads', labelNames: ['bulkhead'] as const }).labels({ bulkhead: name });
    unsubs.push(
      target.on('rejected', () => rejected.inc()),
      registry.addCollector(() => {
        const s = safeStats(target);
        active.set(int(s.active));
        queued.set(int(s.queued));
      }),
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
  check(cache, options);
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
  check(limiter, options);
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

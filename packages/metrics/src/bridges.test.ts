import { describe, expect, it } from 'vitest';
import { isArmorError } from '@armor/errors';
import { createMonitor, createRegistry } from './index.js';
import { instrumentCache, instrumentRateLimiter, instrumentResilience, type ResilienceLike } from './bridges-entry.js';

// The real @armor/resilience policies (a devDependency; @armor/metrics itself depends on it only structurally).
import { bulkhead, circuitBreaker, fallbackPolicy, hedgePolicy, retryPolicy, timeoutPolicy, wrap } from '@armor/resilience';

const fail = () => Promise.reject(new Error('boom'));
const metricLines = (text: string, prefix: string) => text.split('\n').filter((l) => l.startsWith(prefix));

describe('instrumentResilience with the @armor/resilience policy kinds', () => {
  it('retry policy: counts retries and give-ups by reason, not bulkhead metrics', async () => {
    const registry = createRegistry();
    const policy = retryPolicy({ maxAttempts: 3, backoff: () => 0, retryIf: (e) => !(e instanceof TypeError) });
    const stop = instrumentResilience(policy, { registry, name: 'payments' });
    expect(registry.metrics()).toContain('resilience_retries_total{policy="payments"} 0');
    await expect(policy.execute(fail)).rejects.toThrow('boom'); // 2 retries, then maxAttempts
    let calls = 0;
    await expect(policy.execute(() => (++calls === 1 ? Promise.reject(new Error('once')) : 'ok'))).resolves.toBe('ok'); // 1 retry
    await expect(policy.execute(() => Promise.reject(new TypeError('bad')))).rejects.toThrow('bad'); // notRetryable
    const text = registry.metrics();
    expect(text).toContain('resilience_retries_total{policy="payments"} 3');
    expect(text).toContain('resilience_give_ups_total{policy="payments",reason="maxAttempts"} 1');
    expect(text).toContain('resilience_give_ups_total{policy="payments",reason="notRetryable"} 1');
    expect(text).not.toMatch(/bulkhead_|circuit_breaker_|resilience_timeouts/);
    stop();
    await expect(policy.execute(fail)).rejects.toThrow('boom');
    expect(registry.metrics()).toContain('resilience_retries_total{policy="payments"} 3');
  });

  it("labels a retry policy with its own name, else \"retry\"", async () => {
    const registry = createRegistry();
    const named = retryPolicy({ name: 'search-retry', maxAttempts: 2, backoff: () => 0 });
    const unnamed = retryPolicy({ maxAttempts: 2, backoff: () => 0 });
    instrumentResilience(named, { registry });
    instrumentResilience(unnamed, { registry });
    await expect(named.execute(fail)).rejects.toThrow('boom');
    await expect(unnamed.execute(fail)).rejects.toThrow('boom');
    const text = registry.metrics();
    expect(text).toContain('resilience_retries_total{policy="search-retry"} 1');
    expect(text).toContain('resilience_retries_total{policy="retry"} 1');
  });

  it('timeout policy: counts timeouts, not bulkhead metrics', async () => {
    const registry = createRegistry();
    const policy = timeoutPolicy(5, { name: 'search' });
    const stop = instrumentResilience(policy, { registry });
    await expect(policy.execute(() => new Promise((r) => setTimeout(r, 200)))).rejects.toThrow(/timed out/);
    await expect(policy.execute(() => 'fast')).resolves.toBe('fast');
    const text = registry.metrics();
    expect(text).toContain('resilience_timeouts_total{policy="search"} 1');
    expect(text).not.toMatch(/bulkhead_|circuit_breaker_|resilience_retries/);
    stop();
    await expect(policy.execute(() => new Promise((r) => setTimeout(r, 200)))).rejects.toThrow(/timed out/);
    expect(registry.metrics()).toContain('resilience_timeouts_total{policy="search"} 1');
  });

  it('circuit breaker: calls, transitions, state gauge and a snapshot row', async () => {
    const registry = createRegistry();
    const breaker = circuitBreaker({ name: 'payments', failureThreshold: 2 });
    const stop = instrumentResilience(breaker, { registry });
    await breaker.execute(() => 'ok');
    await expect(breaker.execute(fail)).rejects.toThrow();
    await expect(breaker.execute(fail)).rejects.toThrow();
    await expect(breaker.execute(() => 'never runs')).rejects.toThrow();
    const text = registry.metrics();
    for (const line of [
      'circuit_breaker_calls_total{breaker="payments",outcome="success"} 1',
      'circuit_breaker_calls_total{breaker="payments",outcome="failure"} 2',
      'circuit_breaker_calls_total{breaker="payments",outcome="rejected"} 1',
      'circuit_breaker_transitions_total{breaker="payments",to="open"} 1',
      'circuit_breaker_state{breaker="payments",state="open"} 1',
      'circuit_breaker_state{breaker="payments",state="closed"} 0',
    ])
      expect(text).toContain(line);
    expect(text).not.toMatch(/bulkhead_|resilience_/);
    const row = (await createMonitor({ registry }).snapshot()).breakers;
    expect(row).toEqual([expect.objectContaining({ name: 'payments', state: 'open', failures: 2, successes: 1, rejected: 1 })]);
    stop();
    expect((await createMonitor({ registry }).snapshot()).breakers).toEqual([]);
  });

  it('bulkhead: rejections and active/queued gauges', async () => {
    const registry = createRegistry();
    const pool = bulkhead({ name: 'pdf', maxConcurrent: 1, maxQueue: 0 });
    instrumentResilience(pool, { registry });
    let release!: () => void;
    const running = pool.execute(() => new Promise<void>((r) => (release = r)));
    await expect(pool.execute(() => 'second')).rejects.toThrow();
    const text = registry.metrics();
    expect(text).toContain('bulkhead_rejected_total{bulkhead="pdf"} 1');
    expect(text).toContain('bulkhead_active{bulkhead="pdf"} 1');
    expect(text).toContain('bulkhead_queued{bulkhead="pdf"} 0');
    expect(text).not.toMatch(/circuit_breaker_|resilience_/);
    release();
    await running;
    expect(registry.metrics()).toContain('bulkhead_active{bulkhead="pdf"} 0');
  });

  it('fallback policy: counts fallbacks, not other resilience metrics', async () => {
    const registry = createRegistry();
    const policy = fallbackPolicy('cached', { name: 'prices', shouldFallback: (e) => (e as Error).message !== 'fatal' });
    const stop = instrumentResilience(policy, { registry });
    expect(registry.metrics()).toContain('resilience_fallbacks_total{policy="prices"} 0');
    await expect(policy.execute(() => 'fresh')).resolves.toBe('fresh');
    await expect(policy.execute(fail)).resolves.toBe('cached');
    await expect(policy.execute(() => Promise.reject(new Error('fatal')))).rejects.toThrow('fatal');
    const text = registry.metrics();
    expect(text).toContain('resilience_fallbacks_total{policy="prices"} 1');
    expect(text).not.toMatch(/bulkhead_|circuit_breaker_|resilience_(retries|give_ups|timeouts|hedge)/);
    stop();
    await expect(policy.execute(fail)).resolves.toBe('cached');
    expect(registry.metrics()).toContain('resilience_fallbacks_total{policy="prices"} 1');
  });

  it('hedge policy: counts hedges and hedge wins, not other resilience metrics', async () => {
    const registry = createRegistry();
    const policy = hedgePolicy({ delayMs: 5, maxHedges: 1, name: 'search' });
    const stop = instrumentResilience(policy, { registry });
    expect(registry.metrics()).toContain('resilience_hedges_total{policy="search"} 0');
    await expect(policy.execute(() => 'fast')).resolves.toBe('fast'); // no hedge
    // the first attempt fails at once: a hedge starts and wins
    await expect(policy.execute(({ attempt }) => (attempt === 1 ? Promise.reject(new Error('x')) : 'hedged'))).resolves.toBe('hedged');
    const text = registry.metrics();
    expect(text).toContain('resilience_hedges_total{policy="search"} 1');
    expect(text).toContain('resilience_hedge_wins_total{policy="search"} 1');
    expect(text).not.toMatch(/bulkhead_|circuit_breaker_|resilience_(retries|give_ups|timeouts|fallbacks)/);
    stop();
    await expect(policy.execute(({ attempt }) => (attempt === 1 ? Promise.reject(new Error('x')) : 'hedged'))).resolves.toBe('hedged');
    expect(registry.metrics()).toContain('resilience_hedges_total{policy="search"} 1');
  });

  it('labels fallback and hedge policies with their default names', () => {
    const registry = createRegistry();
    instrumentResilience(fallbackPolicy(null), { registry });
    instrumentResilience(hedgePolicy({ delayMs: 10 }), { registry });
    const text = registry.metrics();
    expect(text).toContain('resilience_fallbacks_total{policy="fallback"} 0');
    expect(text).toContain('resilience_hedge_wins_total{policy="hedge"} 0');
  });

  it('wrap() (no events) throws ConfigurationError naming "target"', () => {
    const registry = createRegistry();
    try {
      instrumentResilience(wrap(retryPolicy(), timeoutPolicy(100)) as unknown as ResilienceLike, { registry });
      expect.unreachable();
    } catch (error) {
      expect(isArmorError(error, 'CONFIGURATION_ERROR')).toBe(true);
      expect((error as { option: string }).option).toBe('target');
    }
    expect(registry.metrics()).toBe('');
  });
});

describe('instrumentResilience shape rules', () => {
  const on = () => () => {};

  it('dispatches on the declared kind (@armor/core kindOf), before any shape rule', () => {
    const registry = createRegistry();
    instrumentResilience({ on, kind: 'timeout', name: 'custom-timeout' }, { registry });
    // the stats look like a bulkhead, the kind says retry: the kind wins
    instrumentResilience({ on, kind: 'retry', stats: () => ({ name: 'custom-retry', active: 1, queued: 0 }) }, { registry });
    instrumentResilience({ on, kind: 'circuit-breaker', stats: () => ({ name: 'cb', state: 'half-open' }) }, { registry });
    const text = registry.metrics();
    expect(text).toContain('resilience_timeouts_total{policy="custom-timeout"} 0');
    expect(text).toContain('resilience_retries_total{policy="custom-retry"} 0');
    expect(text).toContain('circuit_breaker_state{breaker="cb",state="half-open"} 1');
    expect(text).not.toContain('bulkhead_');
  });

  it('the cache and rate-limit bridges refuse a component of another kind', () => {
    const registry = createRegistry();
    const stats = () => ({ name: 'x', hits: 0, misses: 0, allowed: 0, limited: 0 });
    expect(() => instrumentCache({ on, stats, kind: 'rate-limiter' } as never, { registry })).toThrow(/is a "rate-limiter", not a "cache"/);
    expect(() => instrumentRateLimiter({ on, stats, kind: 'cache' } as never, { registry })).toThrow(/is a "cache", not a "rate-limiter"/);
    // without a kind (older releases, custom components): accepted as before
    instrumentCache({ on, stats }, { registry });
    instrumentCache({ on, stats, kind: 'cache' } as never, { registry, name: 'kinded' });
    expect(registry.metrics()).toContain('cache_size');
  });

  it('records give-up reasons it does not know as "other" (bounded cardinality)', () => {
    const registry = createRegistry();
    const listeners = new Map<string, (p: unknown) => void>();
    const policy = { [Symbol.for('armor.resilience.retry')]: true, execute: () => Promise.resolve(), on: (e: string, l: (p: never) => void) => (listeners.set(e, l as (p: unknown) => void), () => {}) };
    instrumentResilience(policy, { registry });
    listeners.get('giveUp')!({ attempts: 1, reason: 'cosmic rays' });
    listeners.get('giveUp')!({ attempts: 1, reason: 'budget' });
    listeners.get('giveUp')!(undefined);
    expect(metricLines(registry.metrics(), 'resilience_give_ups_total{')).toEqual([
      'resilience_give_ups_total{policy="retry",reason="other"} 2',
      'resilience_give_ups_total{policy="retry",reason="budget"} 1',
    ]);
  });

  it.each<[string, string, () => unknown, unknown]>([
    ['null target', 'target', () => null, {}],
    ['no on()', 'target', () => ({ stats: () => ({ state: 'closed' }) }), {}],
    ['breaker registry (stats() is an array, no on())', 'target', () => ({ get: () => null, stats: () => [] }), {}],
    ['a cache (unknown stats shape)', 'target', () => ({ on, stats: () => ({ name: 'users', hits: 1, misses: 0 }) }), {}],
    ['a state that is not a breaker state', 'target', () => ({ on, stats: () => ({ state: 'running' }) }), {}],
    ['only on() (no execute, no stats)', 'target', () => ({ on }), {}],
    ['on() and execute() without stats() or a kind', 'target', () => ({ on, execute: () => Promise.resolve() }), {}],
    ['stats() that throws', 'target', () => ({ on, stats: () => { throw new Error('x'); } }), {}],
    ['an unknown declared kind', 'target', () => ({ on, execute: () => Promise.resolve(), kind: 'wrap' }), {}],
    ['an undocumented kind alias', 'target', () => ({ on, kind: 'circuitBreaker', stats: () => ({ state: 'closed' }) }), {}],
    ['the old kind name "breaker"', 'target', () => ({ on, kind: 'breaker', stats: () => ({ state: 'closed' }) }), {}],
    ['an Armor kind that is not a policy', 'target', () => ({ on, kind: 'cache', stats: () => ({ active: 1, queued: 0 }) }), {}],
    ['an unknown bridge option', 'mame', () => retryPolicy(), { mame: 'x' }],
    ['no registry', 'registry', () => retryPolicy(), { registry: undefined }],
    ['empty name', 'name', () => retryPolicy(), { name: '' }],
    ['non-string name', 'name', () => circuitBreaker(), { name: 42 }],
  ])('bad input: %s throws ConfigurationError naming %s', (_, option, make, extra) => {
    const registry = createRegistry();
    try {
      instrumentResilience(make() as ResilienceLike, { registry, ...(extra as object) });
      expect.unreachable();
    } catch (error) {
      expect(isArmorError(error, 'CONFIGURATION_ERROR')).toBe(true);
      expect((error as { option: string }).option).toBe(option);
    }
    expect(registry.metrics()).toBe('');
  });
});

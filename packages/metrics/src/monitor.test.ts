import { describe, expect, it } from 'vitest';
import { NotFoundError } from '@armor/errors';
import { createMonitor, createRegistry, errorGroups, recordError, redactSummary, slowOperations, trackOperation } from './index.js';
import { instrumentCache, instrumentRateLimiter, instrumentResilience } from './bridges-entry.js';
import { instrumentFetch, metricsResponse, UNMATCHED_ROUTE } from './http-entry.js';
import { monitoringSnapshotSchema } from './schema.js';

const manualClock = (start = 1_800_000_000_000) => {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms), set: (t: number) => (now = t) };
};

/** A tiny observable following the Armor observability convention (structural, like the real packages). */
function observable<S>(stats: () => S) {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  return {
    on(event: string, listener: (payload: never) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (p: unknown) => void);
      return () => void set.delete(listener as (p: unknown) => void);
    },
    emit(event: string, payload: unknown = {}) {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
    stats,
    count: (event: string) => listeners.get(event)?.size ?? 0,
  };
}

describe('trackOperation', () => {
  it('times operations, logs slow ones with a redacted summary, rethrows errors', async () => {
    const clock = manualClock();
    const registry = createRegistry({ clock });
    const fast = await trackOperation('db.fast', () => 42, { registry, slowMs: 100 });
    expect(fast).toBe(42);
    await trackOperation(
      'db.users.byEmail',
      async () => {
        clock.advance(250);
        return 'row';
      },
      { registry, slowMs: 100, summary: () => "select * from users where email = 'a@b.c' and id = 42" },
    );
    await expect(
      trackOperation('db.fail', () => {
        clock.advance(300);
        throw new Error('deadlock');
      }, { registry, slowMs: 100 }),
    ).rejects.toThrow('deadlock');
    const slow = slowOperations(registry);
    expect(slow).toEqual([
      { name: 'db.users.byEmail', durationMs: 250, at: clock.now() - 300, thresholdMs: 100, summary: 'select * from users where email = ? and id = ?' },
      { name: 'db.fail', durationMs: 300, at: clock.now(), thresholdMs: 100, failed: true },
    ]);
    const text = registry.metrics();
    expect(text).toContain('operation_duration_seconds_count{operation="db.fast",outcome="ok"} 1');
    expect(text).toContain('operation_duration_seconds_count{operation="db.fail",outcome="error"} 1');
  });

  it('keeps the slow log bounded', async () => {
    const clock = manualClock();
    const registry = createRegistry({ clock });
    for (let i = 0; i < 150; i++) await trackOperation(`op${i}`, () => void clock.advance(10), { registry, slowMs: 5 });
    const slow = slowOperations(registry);
    expect(slow).toHaveLength(100);
    expect(slow[0]!.name).toBe('op50');
  });

  it('redactSummary strips values and bounds length', () => {
    expect(redactSummary(`update t set a = "x" where b = 'it''s' and c = 3.5`)).toBe('update t set a = ? where b = ? and c = ?');
    expect(redactSummary('x'.repeat(500))).toHaveLength(200);
  });
});

describe('recordError', () => {
  it('groups by fingerprint with counts, first/last seen and the latest sample', () => {
    const clock = manualClock();
    const registry = createRegistry({ clock });
    const fail = (id: number) => new NotFoundError(`User ${id} not found`);
    const a = recordError(fail(1), { registry });
    clock.advance(1000);
    const b = recordError(fail(2), { registry, context: { route: '/users/:id' } });
    recordError(new Error('boom'), { registry });
    expect(a).toBe(b);
    const groups = errorGroups(registry);
    expect(groups).toHaveLength(2);
    const nf = groups.find((g) => g.fingerprint === a)!;
    expect(nf).toMatchObject({ code: 'NOT_FOUND', status: 404, count: 2, firstSeen: clock.now() - 1000, lastSeen: clock.now(), message: 'User 2 not found' });
    expect(nf.sample?.context).toEqual({ route: '/users/:id' });
    expect(nf.sample?.stack).toContain('NotFoundError');
    const internal = groups.find((g) => g.code === 'INTERNAL')!;
    expect(internal).toMatchObject({ name: 'Error', message: 'boom', status: 500 });
    expect(registry.metrics()).toContain('errors_total{code="NOT_FOUND"} 2');
  });

  it('keeps at most 200 groups, dropping the least recently seen', () => {
    const registry = createRegistry();
    const first = recordError(new Error('unique "first"'), { registry });
    for (let i = 0; i < 250; i++) recordError(new NotFoundError(`missing ${'x'.repeat(i % 50)}${i % 7 === 0 ? '' : String.fromCharCode(97 + (i % 26))}`), { registry });
    for (let i = 0; i < 260; i++) {
      const e = new Error('distinct');
      e.stack = `Error: distinct\n    at fn${i} (file.js:1:1)`;
      recordError(e, { registry });
    }
    const groups = errorGroups(registry);
    expect(groups.length).toBe(200);
    expect(groups.some((g) => g.fingerprint === first)).toBe(false);
  });

  it('hostile errors (issue 17 item 7): throwing getters, forged markers and 5 MB messages never make recordError throw', () => {
    const registry = createRegistry();
    const boom = () => {
      throw new Error('getter');
    };
    const hostile = new Error('x');
    for (const key of ['stack', 'message', 'name']) Object.defineProperty(hostile, key, { get: boom });
    const forged = { [Symbol.for('armor.error')]: true, get status(): number { throw new Error('trap'); }, get code(): string { throw new Error('trap'); } };
    const huge = new Error('m'.repeat(5 * 1024 * 1024));
    for (const e of [hostile, forged, huge, new Proxy({}, { get: boom, getPrototypeOf: boom })]) {
      expect(() => recordError(e, { registry })).not.toThrow();
    }
    const groups = errorGroups(registry);
    expect(groups.length).toBeGreaterThanOrEqual(3);
    for (const g of groups) {
      expect(monitoringSnapshotSchema.shape.errors.shape.groups.element.safeParse(g).success).toBe(true);
      expect(g.message.length).toBeLessThanOrEqual(2001);
    }
    expect(registry.metrics()).toMatch(/errors_total\{code="INTERNAL"\} \d/);
  });
});

describe('instrumentFetch', () => {
  it('statusCode: true adds the exact status_code label (issue 17, prom-client style)', async () => {
    const registry = createRegistry();
    const handler = instrumentFetch((request: Request) => new Response('x', { status: new URL(request.url).pathname === '/gone' ? 410 : 201 }), { registry, routes: ['/gone', '/items'], statusCode: true });
    await handler(new Request('http://x/gone'));
    await handler(new Request('http://x/items', { method: 'POST' }));
    await handler(new Request('http://x/items', { method: 'POST' }));
    const text = registry.metrics();
    expect(text).toContain('http_requests_total{method="GET",route="/gone",status_class="4xx",status_code="410"} 1');
    expect(text).toContain('http_requests_total{method="POST",route="/items",status_class="2xx",status_code="201"} 2');
    expect(text).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/items",status_class="2xx",status_code="201"\} 2/);
    // the default keeps the status class only
    const plain = createRegistry();
    await instrumentFetch(() => new Response('x'), { registry: plain })(new Request('http://x/'));
    expect(plain.metrics()).not.toContain('status_code');
  });

  it('labels requests by route template (never the raw URL), status class and method', async () => {
    const registry = createRegistry();
    const handler = instrumentFetch(
      async (request: Request) => {
        const path = new URL(request.url).pathname;
        if (path === '/boom') throw new Error('boom');
        return new Response('ok', { status: path.startsWith('/users/') ? 200 : 404 });
      },
      { registry, routes: ['/users/:id', '/files/*', '/boom'] },
    );
    await handler(new Request('http://x/users/42'));
    await handler(new Request('http://x/users/43/', { method: 'POST' }));
    await handler(new Request('http://x/nope/123'));
    await handler(new Request('http://x/files/a/b.txt', { method: 'BREW' }));
    await expect(handler(new Request('http://x/boom'))).rejects.toThrow('boom');
    const text = registry.metrics();
    expect(text).toContain('http_requests_total{method="GET",route="/users/:id",status_class="2xx"} 1');
    expect(text).toContain('http_requests_total{method="POST",route="/users/:id",status_class="2xx"} 1');
    expect(text).toContain(`http_requests_total{method="GET",route="${UNMATCHED_ROUTE}",status_class="4xx"} 1`);
    expect(text).toContain('http_requests_total{method="OTHER",route="/files/*",status_class="4xx"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="/boom",status_class="5xx"} 1');
    expect(text).not.toContain('/users/42');
    expect(text).toContain('http_requests_in_flight 0');
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/users/:id",status_class="2xx"} 1');
  });

  it('metricsResponse negotiates the format', async () => {
    const registry = createRegistry();
    registry.counter({ name: 'x', help: 'x' }).inc();
    const om = metricsResponse(registry, new Request('http://x/metrics', { headers: { accept: 'application/openmetrics-text; version=1.0.0' } }));
    expect(om.headers.get('content-type')).toMatch(/^application\/openmetrics-text/);
    expect(await om.text()).toMatch(/# EOF\n$/);
    const prom = metricsResponse(registry);
    expect(prom.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  });
});

describe('bridges', () => {
  it('instrumentResilience (breaker and bulkhead), instrumentCache, instrumentRateLimiter record metrics and snapshot rows', async () => {
    const registry = createRegistry();
    let state = 'closed';
    const breaker = observable(() => ({ name: 'payments', state, failures: 2, successes: 5, rejected: 1, since: 1000 }));
    const bulkhead = observable(() => ({ name: 'pdf', active: 3, queued: 2, rejected: 1 }));
    const cache = observable(() => ({ name: 'users', hits: 3, misses: 1, hitRate: 0.75, size: 10, evictions: 1, loadsInFlight: 0 }));
    const limiter = observable(() => ({ name: 'api', allowed: 9, limited: 1, storeErrors: 0 }));
    const stopBreaker = instrumentResilience(breaker, { registry });
    instrumentResilience(bulkhead, { registry });
    instrumentCache(cache, { registry });
    const stopLimiter = instrumentRateLimiter(limiter, { registry });
    breaker.emit('success', { durationMs: 3 });
    breaker.emit('failure', { durationMs: 3, error: new Error('x') });
    breaker.emit('rejected', { retryAfterMs: 100 });
    state = 'open';
    breaker.emit('stateChange', { from: 'closed', to: 'open', at: 1 });
    bulkhead.emit('rejected');
    cache.emit('hit', { key: 'a' });
    cache.emit('miss', { key: 'b' });
    cache.emit('evict', { key: 'c', reason: 'lru' });
    cache.emit('storeError', { operation: 'get', error: new Error('x') });
    limiter.emit('allowed', { key: 'k', result: {} });
    limiter.emit('limited', { key: 'k', result: {} });
    const text = registry.metrics();
    for (const line of [
      'circuit_breaker_calls_total{breaker="payments",outcome="success"} 1',
      'circuit_breaker_calls_total{breaker="payments",outcome="rejected"} 1',
      'circuit_breaker_transitions_total{breaker="payments",to="open"} 1',
      'circuit_breaker_state{breaker="payments",state="open"} 1',
      'circuit_breaker_state{breaker="payments",state="closed"} 0',
      'bulkhead_rejected_total{bulkhead="pdf"} 1',
      'bulkhead_active{bulkhead="pdf"} 3',
      'cache_requests_total{cache="users",result="hit"} 1',
      'cache_evictions_total{cache="users",reason="lru"} 1',
      'cache_errors_total{cache="users",kind="store"} 1',
      'cache_size{cache="users"} 10',
      'rate_limit_decisions_total{limiter="api",decision="limited"} 1',
    ])
      expect(text).toContain(line);
    const snapshot = await createMonitor({ registry }).snapshot();
    expect(snapshot.breakers).toEqual([{ name: 'payments', state: 'open', failures: 2, successes: 5, rejected: 1, since: 1000 }]);
    expect(snapshot.caches).toEqual([{ name: 'users', hits: 3, misses: 1, hitRate: 0.75, size: 10, evictions: 1, loadsInFlight: 0 }]);
    expect(snapshot.rateLimits).toEqual([{ name: 'api', allowed: 9, limited: 1, storeErrors: 0 }]);
    stopBreaker();
    stopLimiter();
    expect(breaker.count('success')).toBe(0);
    expect(limiter.count('limited')).toBe(0);
    expect((await createMonitor({ registry }).snapshot()).breakers).toEqual([]);
    expect(() => instrumentCache({} as never, { registry })).toThrow(/on\(event, listener\)/);
  });
});

describe('createMonitor', () => {
  it('produces a valid MonitoringSnapshot with rolling p50/p95/p99, throughput and error rate', async () => {
    const clock = manualClock(1_800_000_000_000);
    const registry = createRegistry({ clock });
    const health = {
      report: async () => ({ status: 'warn' as const, checks: [{ name: 'db', status: 'warn' as const, componentType: 'datastore', durationMs: 3, time: clock.now(), critical: false }] }),
    };
    const monitor = createMonitor({ registry, health, windowMs: 60_000, resolutionMs: 10_000, service: { name: 'api', version: '1.0.0' }, startedAt: clock.now() - 120_000 });
    const handler = instrumentFetch(
      async (request: Request) => {
        const ms = Number(new URL(request.url).searchParams.get('ms'));
        clock.advance(ms);
        return new Response(null, { status: ms >= 900 ? 503 : 200 });
      },
      { registry, route: () => '/work' },
    );
    // interval 1: 100 requests of 1..100 ms
    for (let i = 1; i <= 100; i++) await handler(new Request(`http://x/work?ms=${i}`));
    clock.advance(10_000);
    // interval 2: 10 requests, 2 of them errors
    for (let i = 0; i < 10; i++) await handler(new Request(`http://x/work?ms=${i < 2 ? 900 : 10}`));
    recordError(new Error('kaboom'), { registry });
    await trackOperation('slow', () => void clock.advance(700), { registry, slowMs: 500 });
    const snapshot = await monitor.snapshot();
    expect(() => monitoringSnapshotSchema.parse(snapshot)).not.toThrow();
    expect(snapshot.version).toBe(1);
    expect(snapshot.service).toMatchObject({ name: 'api', version: '1.0.0' });
    expect(snapshot.health.status).toBe('warn');
    const { totals, series, routes } = snapshot.requests;
    expect(series).toHaveLength(6);
    const nonEmpty = series.filter((p) => p.count > 0);
    expect(nonEmpty.map((p) => p.count)).toEqual([100, 10]);
    expect(nonEmpty[0]!.p50Ms).toBeCloseTo(50, -0.5);
    expect(Math.abs(nonEmpty[0]!.p95Ms! - 95) / 95).toBeLessThan(0.03);
    expect(Math.abs(nonEmpty[0]!.p99Ms! - 99) / 99).toBeLessThan(0.03);
    expect(nonEmpty[1]!.errors).toBe(2);
    expect(series.filter((p) => p.count === 0).every((p) => p.p50Ms === null)).toBe(true);
    expect(totals.count).toBe(110);
    expect(totals.errors).toBe(2);
    expect(totals.errorRate).toBeCloseTo(2 / 110);
    expect(totals.throughputPerSec).toBeCloseTo(110 / 60);
    expect(totals.inFlight).toBe(0);
    expect(routes).toEqual([expect.objectContaining({ method: 'GET', route: '/work', count: 110, errors: 2 })]);
    expect(snapshot.errors.totalGroups).toBe(1);
    expect(snapshot.errors.groups[0]).toMatchObject({ message: 'kaboom', count: 1 });
    expect(snapshot.slowOperations).toEqual([expect.objectContaining({ name: 'slow', durationMs: 700, thresholdMs: 500 })]);

    // the window rolls: a minute later the old intervals are gone
    clock.advance(70_000);
    const later = await monitor.snapshot();
    expect(monitoringSnapshotSchema.parse(later).requests.totals).toMatchObject({ count: 0, errorRate: 0, p50Ms: null });
    const res = await monitor.handleRequest();
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(monitoringSnapshotSchema.safeParse(await res.json()).success).toBe(true);
    monitor.stop();
  });

  it('survives a failing health report and validates its options', async () => {
    const registry = createRegistry();
    const monitor = createMonitor({ registry, health: { report: () => Promise.reject(new Error('down')) } });
    const snapshot = monitoringSnapshotSchema.parse(await monitor.snapshot());
    expect(snapshot.health).toEqual({ status: 'fail', checks: [{ name: 'health', status: 'fail', output: 'down' }] });
    expect(() => createMonitor({ registry: {} as never })).toThrow(/registry/);
    expect(() => createMonitor({ registry, windowMs: 1000, resolutionMs: 2000 })).toThrow(/resolutionMs/);
    expect(() => createMonitor({ registry, windowMs: 1_000_000, resolutionMs: 1 })).toThrow(/at most 10000/);
    expect(() => createMonitor({ registry, maxItems: 0 })).toThrow(/maxItems/);
    expect(() => createMonitor({ registry, maxRoutes: 1.5 })).toThrow(/maxRoutes/);
    expect(() => createMonitor({ registry, health: {} as never })).toThrow(/health/);
  });

  it('produces a 24 h series at 10 s resolution (8,640 points) and lists 1,000 error groups', async () => {
    const clock = manualClock(1_800_000_000_000);
    const registry = createRegistry({ clock });
    const day = 24 * 3600_000;
    const monitor = createMonitor({ registry, windowMs: day, resolutionMs: 10_000, maxItems: 1000 });
    const start = clock.now();
    for (let t = 0; t < day; t += 10_000) {
      clock.set(start + t);
      monitor.record({ method: 'GET', route: '/a', status: t % 50_000 === 0 ? 500 : 200, durationMs: 5 + (t % 7), at: start + t, error: t % 50_000 === 0 });
    }
    // Letters g-z only, so the fingerprint's number/hex/id normalization keeps the 1,000 apart.
    const word = (i: number) => [i % 20, Math.floor(i / 20) % 20, Math.floor(i / 400)].map((d) => String.fromCharCode(103 + d)).join('');
    for (let i = 0; i < 1000; i++) recordError(new Error(`failure kind ${word(i)}`), { registry, context: { route: `/r${i}` } });
    const snapshot = monitoringSnapshotSchema.parse(await monitor.snapshot());
    expect(snapshot.requests.series).toHaveLength(8640);
    expect(snapshot.requests.series.filter((p) => p.errors === 1 && p.count === 1)).toHaveLength(1728);
    expect(snapshot.errors.totalGroups).toBe(1000);
    expect(snapshot.errors.groups).toHaveLength(1000);
    monitor.stop();
  });
});

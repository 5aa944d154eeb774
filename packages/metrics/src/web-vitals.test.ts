import { manualClock } from '@armor/core';
import { isArmorError } from '@armor/errors';
import { describe, expect, it } from 'vitest';
import type { Counter, Histogram } from './index.js';
import { createRegistry, type Registry } from './index.js';
import {
  createWebVitalsIngest,
  MAX_METRICS_PER_BEACON,
  OTHER_ROUTE,
  WEB_VITAL_BUCKETS,
  WEB_VITAL_METRIC_NAMES,
  WEB_VITAL_NAMES,
  WEB_VITAL_THRESHOLDS,
  type WebVitalName,
  type WebVitalsIngestOptions,
} from './web-vitals.js';

const post = (body: unknown, headers: Record<string, string> = {}) =>
  new Request('http://localhost/vitals', { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'text/plain;charset=UTF-8', ...headers } });

const hist = (registry: Registry, name: WebVitalName) => registry.get(WEB_VITAL_METRIC_NAMES[name]) as Histogram<'route'>;
const beacons = (registry: Registry, result: string) => (registry.get('web_vitals_beacons_total') as Counter<'result'>).get({ result });

function setup(options: Partial<WebVitalsIngestOptions> = {}) {
  const registry = createRegistry();
  const ingest = createWebVitalsIngest({ registry, rateLimit: false, ...options });
  return { registry, ingest };
}

/** The count of the bucket `value` fell in, by its upper bound (cumulative counts differenced). */
function bucketCount(h: Histogram<'route'>, route: string, le: number): number {
  const { buckets } = h.get({ route });
  const i = h.buckets.indexOf(le);
  if (i < 0) throw new Error(`no bucket ${le}`);
  return buckets[i]! - (i === 0 ? 0 : buckets[i - 1]!);
}

describe('web vitals ingest: bucket edges', () => {
  it('every histogram has both published thresholds of its metric as bucket edges', () => {
    const { registry } = setup();
    for (const name of WEB_VITAL_NAMES) {
      const h = hist(registry, name);
      expect(h.labelNames).toEqual(['route']);
      expect(h.buckets).toEqual(WEB_VITAL_BUCKETS[name]);
      for (const t of WEB_VITAL_THRESHOLDS[name]) expect(h.buckets, `${name} ${t}`).toContain(t);
    }
    expect(WEB_VITAL_THRESHOLDS).toEqual({ LCP: [2.5, 4], INP: [0.2, 0.5], CLS: [0.1, 0.25], FCP: [1.8, 3], TTFB: [0.8, 1.8] });
    const text = registry.metrics();
    for (const n of ['web_vitals_lcp_seconds', 'web_vitals_inp_seconds', 'web_vitals_cls', 'web_vitals_fcp_seconds', 'web_vitals_ttfb_seconds']) expect(text).toContain(`# TYPE ${n} histogram`);
  });

  it('a value on a threshold is good (<=), just above it is not; ms become seconds, CLS stays unitless', async () => {
    const { registry, ingest } = setup();
    const route = '/projects/:id';
    const metrics = [
      { name: 'LCP', value: 2500, route },
      { name: 'LCP', value: 2500.5, route },
      { name: 'LCP', value: 4000.5, route },
      { name: 'INP', value: 200, route },
      { name: 'INP', value: 201, route },
      { name: 'CLS', value: 0.1, route },
      { name: 'CLS', value: 0.2500001, route },
      { name: 'FCP', value: 1800, route },
      { name: 'FCP', value: 3001, route },
      { name: 'TTFB', value: 800, route },
      { name: 'TTFB', value: 1801, route },
    ];
    const response = await ingest.handle(post({ metrics }));
    expect(response.status).toBe(204);
    expect(bucketCount(hist(registry, 'LCP'), route, 2.5)).toBe(1);
    expect(bucketCount(hist(registry, 'LCP'), route, 3)).toBe(1);
    expect(bucketCount(hist(registry, 'LCP'), route, 5)).toBe(1);
    expect(bucketCount(hist(registry, 'INP'), route, 0.2)).toBe(1);
    expect(bucketCount(hist(registry, 'INP'), route, 0.3)).toBe(1);
    expect(bucketCount(hist(registry, 'CLS'), route, 0.1)).toBe(1);
    expect(bucketCount(hist(registry, 'CLS'), route, 0.5)).toBe(1);
    expect(bucketCount(hist(registry, 'FCP'), route, 1.8)).toBe(1);
    expect(bucketCount(hist(registry, 'FCP'), route, 4)).toBe(1);
    expect(bucketCount(hist(registry, 'TTFB'), route, 0.8)).toBe(1);
    expect(bucketCount(hist(registry, 'TTFB'), route, 2.5)).toBe(1);
    expect(hist(registry, 'LCP').get({ route }).sum).toBeCloseTo(2.5 + 2.5005 + 4.0005, 9);
    expect(beacons(registry, 'recorded')).toBe(1);
  });
});

describe('web vitals ingest: bad input', () => {
  const ok = { name: 'LCP', value: 1200, route: '/a' };
  const table: [string, unknown][] = [
    ['not JSON', '{"metrics": ['],
    ['empty body', ''],
    ['JSON null', 'null'],
    ['an array', [ok]],
    ['no metrics', {}],
    ['empty metrics', { metrics: [] }],
    ['too many metrics', { metrics: Array.from({ length: MAX_METRICS_PER_BEACON + 1 }, () => ok) }],
    ['unknown metric name', { metrics: [{ ...ok, name: 'FID' }] }],
    ['lower-case name', { metrics: [{ ...ok, name: 'lcp' }] }],
    ['value as a string', { metrics: [{ ...ok, value: '1200' }] }],
    ['negative value', { metrics: [{ ...ok, value: -1 }] }],
    ['value above an hour', { metrics: [{ ...ok, value: 3_600_001 }] }],
    ['absurd CLS', { metrics: [{ ...ok, name: 'CLS', value: 1001 }] }],
    ['missing route', { metrics: [{ name: 'LCP', value: 1 }] }],
    ['route not a string', { metrics: [{ ...ok, route: 42 }] }],
    ['empty route', { metrics: [{ ...ok, route: '' }] }],
    ['route without a leading slash', { metrics: [{ ...ok, route: 'projects' }] }],
    ['an absolute URL as route', { metrics: [{ ...ok, route: 'https://example.com/projects/1' }] }],
    ['a route with a query', { metrics: [{ ...ok, route: '/search?q=secret' }] }],
    ['a route with a fragment', { metrics: [{ ...ok, route: '/a#b' }] }],
    ['a route with spaces', { metrics: [{ ...ok, route: '/a b' }] }],
    ['a route with non-ASCII', { metrics: [{ ...ok, route: '/café' }] }],
    ['a route over 128 characters', { metrics: [{ ...ok, route: `/${'a'.repeat(128)}` }] }],
    ['one bad metric among good ones', { metrics: [ok, ok, { ...ok, value: null }] }],
    ['an id too long', { metrics: [{ ...ok, id: 'x'.repeat(129) }] }],
  ];
  it.each(table)('%s → 400 problem+json, nothing recorded', async (_, body) => {
    const { registry, ingest } = setup();
    const response = await ingest.handle(post(body));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as { status: number; code?: string };
    expect(problem.status).toBe(400);
    for (const name of WEB_VITAL_NAMES) expect(hist(registry, name).get({ route: '/a' }).count).toBe(0);
    expect(beacons(registry, 'invalid')).toBe(1);
    expect(beacons(registry, 'recorded')).toBe(0);
  });

  it('names the bad field in the problem', async () => {
    const { ingest } = setup();
    const result = await ingest.ingest({ metrics: [ok, { ...ok, route: '/x?id=1' }] }, 'c');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(isArmorError(result.error)).toBe(true);
    expect(JSON.stringify(result.error.toJSON())).toContain('/metrics/1/route');
  });

  it('accepts unknown extra keys (newer clients) and a parsed body', async () => {
    const { registry, ingest } = setup();
    expect(await ingest.ingest({ v: 2, metrics: [{ ...ok, rating: 'good', id: 'v6-1', navigationType: 'soft-navigation' }] }, 'c')).toEqual({ ok: true, recorded: 1 });
    expect(hist(registry, 'LCP').get({ route: '/a' }).count).toBe(1);
  });

  it('413 for a body over maxBodyBytes, by content-length or by what arrives', async () => {
    const { registry, ingest } = setup({ maxBodyBytes: 1024 });
    const big = JSON.stringify({ metrics: [{ ...ok, id: 'x'.repeat(2000) }] });
    expect((await ingest.handle(post(big))).status).toBe(413);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 8; i++) c.enqueue(new TextEncoder().encode('x'.repeat(200)));
        c.close();
      },
    });
    const streamed = new Request('http://localhost/vitals', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(streamed.headers.get('content-length')).toBeNull();
    const response = await ingest.handle(streamed);
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(beacons(registry, 'too_large')).toBe(2);
  });

  it('405 with Allow for other methods', async () => {
    const { ingest } = setup();
    const response = await ingest.handle(new Request('http://localhost/vitals'));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('refuses bad options with ConfigurationError naming the option', () => {
    const registry = createRegistry();
    const bad: [unknown, string][] = [
      [undefined, 'registry'],
      [{}, 'registry'],
      [{ registry: {} }, 'registry'],
      [{ registry, maxRoutes: 0 }, 'maxRoutes'],
      [{ registry, maxRoutes: 1.5 }, 'maxRoutes'],
      [{ registry, maxBodyBytes: 10 }, 'maxBodyBytes'],
      [{ registry, rateLimit: 5 }, 'rateLimit'],
      [{ registry, rateLimit: { limit: 0 } }, 'rateLimit.limit'],
      [{ registry, rateLimit: { windowMs: -1 } }, 'rateLimit.windowMs'],
      [{ registry, rateLimit: { maxclients: 5 } }, 'maxclients'],
      [{ registry, clientKey: 'ip' }, 'clientKey'],
      [{ registry, maxroutes: 5 }, 'maxroutes'],
    ];
    for (const [options, option] of bad) {
      let error: unknown;
      try {
        createWebVitalsIngest(options as WebVitalsIngestOptions);
      } catch (e) {
        error = e;
      }
      expect(isArmorError(error) && error.code, String(option)).toBe('CONFIGURATION_ERROR');
      expect((error as Error).message, option).toContain(option);
    }
  });
});

describe('web vitals ingest: route cap', () => {
  it('records the first maxRoutes distinct routes under their own label, the rest under "other"', async () => {
    const { registry, ingest } = setup({ maxRoutes: 3 });
    for (const route of ['/a', '/b', '/c', '/d', '/e', '/a', '/c']) expect((await ingest.handle(post({ metrics: [{ name: 'CLS', value: 0.01, route }] }))).status).toBe(204);
    const cls = hist(registry, 'CLS');
    expect(cls.get({ route: '/a' }).count).toBe(2);
    expect(cls.get({ route: '/b' }).count).toBe(1);
    expect(cls.get({ route: '/c' }).count).toBe(2);
    expect(cls.get({ route: OTHER_ROUTE }).count).toBe(2);
    expect(ingest.routes()).toEqual(['/a', '/b', '/c', OTHER_ROUTE]);
    const series = registry.metrics().match(/^web_vitals_cls_count\{[^}]*\}/gm) ?? [];
    expect(series.length).toBe(4);
  });
});

describe('web vitals ingest: rate limit', () => {
  const beacon = { metrics: [{ name: 'TTFB', value: 100, route: '/r' }] };

  it('limits each client to `limit` beacons per window (429 with Retry-After), per client key', async () => {
    const clock = manualClock(1_000_000);
    const { registry, ingest } = setup({ rateLimit: { limit: 2, windowMs: 10_000 }, clock });
    const send = (key: string) => ingest.handle(post(beacon), { clientKey: key });
    expect((await send('1.1.1.1')).status).toBe(204);
    expect((await send('1.1.1.1')).status).toBe(204);
    const limited = await send('1.1.1.1');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('10');
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await send('2.2.2.2')).status).toBe(204); // another client is not affected
    clock.advance(4_000);
    const later = await send('1.1.1.1');
    expect(later.status).toBe(429);
    expect(later.headers.get('retry-after')).toBe('6');
    clock.advance(6_000);
    expect((await send('1.1.1.1')).status).toBe(204);
    expect(hist(registry, 'TTFB').get({ route: '/r' }).count).toBe(4);
    expect(beacons(registry, 'rate_limited')).toBe(2);
  });

  it('keeps at most maxClients keys (memory bounded), forgetting the oldest', async () => {
    const clock = manualClock(0);
    const { ingest } = setup({ rateLimit: { limit: 1, windowMs: 60_000, maxClients: 3 }, clock });
    const send = (key: string) => ingest.ingest(beacon, key);
    for (const k of ['a', 'b', 'c']) expect((await send(k)).ok).toBe(true);
    expect((await send('a')).ok).toBe(false);
    expect((await send('d')).ok).toBe(true); // evicts "a", the oldest
    expect((await send('a')).ok).toBe(true); // "a" was forgotten: a new window (evicts "b")
    expect((await send('c')).ok).toBe(false);
  });

  it('uses the clientKey option, and "anonymous" when there is no key', async () => {
    const { ingest } = setup({ rateLimit: { limit: 1 }, clientKey: (r) => r.headers.get('x-client') ?? undefined });
    expect((await ingest.handle(post(beacon, { 'x-client': 'k1' }))).status).toBe(204);
    expect((await ingest.handle(post(beacon, { 'x-client': 'k1' }))).status).toBe(429);
    expect((await ingest.handle(post(beacon, { 'x-client': 'k2' }))).status).toBe(204);
    expect((await ingest.handle(post(beacon))).status).toBe(204);
    expect((await ingest.handle(post(beacon))).status).toBe(429);
  });

  it('accepts a limiter with consume(key) (an @armor/rate-limit RateLimiter fits) and fails open when it throws', async () => {
    const keys: string[] = [];
    let mode: 'deny' | 'throw' | 'reject' = 'deny';
    const limiter = {
      consume(key: string) {
        keys.push(key);
        if (mode === 'throw') throw new Error('store down');
        if (mode === 'reject') return Promise.reject(new Error('store down'));
        return Promise.resolve({ allowed: false, retryAfterMs: 2500 });
      },
    };
    const { registry, ingest } = setup({ rateLimit: limiter, clientKey: () => { throw new Error('bad key fn'); } });
    const denied = await ingest.handle(post(beacon), { clientKey: 'z' });
    expect(denied.status).toBe(429);
    expect(denied.headers.get('retry-after')).toBe('3');
    mode = 'throw';
    expect((await ingest.handle(post(beacon))).status).toBe(204);
    mode = 'reject';
    expect((await ingest.handle(post(beacon))).status).toBe(204);
    expect(keys).toEqual(['z', 'anonymous', 'anonymous']);
    expect(hist(registry, 'TTFB').get({ route: '/r' }).count).toBe(2);
  });
});

describe('web vitals ingest: never throws into the request path', () => {
  it('answers a body stream that errors with 400', async () => {
    const { ingest } = setup();
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        c.error(new Error('socket reset'));
      },
    });
    const response = await ingest.handle(new Request('http://localhost/vitals', { method: 'POST', body: stream, duplex: 'half' } as RequestInit));
    expect(response.status).toBe(400);
  });

  it('ingest() resolves with an error value for hostile bodies', async () => {
    const { ingest } = setup();
    const hostile = { get metrics(): never { throw new Error('getter'); } };
    const result = await ingest.ingest(hostile, 'c');
    expect(result.ok).toBe(false);
  });
});

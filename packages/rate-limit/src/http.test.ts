import { ConfigurationError } from '@armor/errors';
import { describe, expect, it } from 'vitest';
import { expectOutage503 } from '../test/outage.js';
import { clientIp, createRateLimiter, ipKey, memoryStore, normalizeIp, rateLimitHeaders, withRateLimit } from './index.js';

describe('rateLimitHeaders', () => {
  const policy = { limit: 100, windowMs: 60_000 };
  it('emits the IETF RateLimit-Policy and RateLimit fields', () => {
    const headers = rateLimitHeaders({ allowed: true, limit: 100, remaining: 42, resetMs: 12_001, retryAfterMs: 0, reason: undefined }, policy);
    expect(headers).toEqual({ 'ratelimit-policy': '"default";q=100;w=60', ratelimit: '"default";r=42;t=13' });
  });
  it('adds Retry-After when limited, and legacy X-RateLimit-* on request', () => {
    const headers = rateLimitHeaders({ allowed: false, limit: 100, remaining: 0, resetMs: 30_000, retryAfterMs: 1_500, reason: 'limit' }, policy, {
      legacy: true,
      standard: false,
      name: 'per "user"',
      now: 1_700_000_000_000,
    });
    expect(headers).toEqual({ 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1700000030', 'retry-after': '2' });
    expect(rateLimitHeaders({ allowed: true, limit: 1, remaining: 0, resetMs: 0, retryAfterMs: 0, reason: undefined }, policy, { name: 'per "user"' })['ratelimit']).toBe('"per__user_";r=0;t=0');
  });
});

describe('IP keys', () => {
  const cases: [string, string][] = [
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['::FFFF:cb00:7109', '203.0.113.9'],
    ['[::ffff:203.0.113.9]', '203.0.113.9'],
    ['2001:db8:1234:56ab:1:2:3:4', '2001:db8:1234:5600::/56'],
    ['2001:db8:1234:56ff::9', '2001:db8:1234:5600::/56'],
    ['2001:DB8:1234:5700::1', '2001:db8:1234:5700::/56'],
    ['fe80::1%eth0', 'fe80::/56'],
    ['::1', '::/56'],
    ['not an ip', 'not an ip'],
  ];
  for (const [input, key] of cases) it(`${input} → ${key}`, () => expect(ipKey(input)).toBe(key));
  it('one key per address, however it is spelled (core parser: leading zeros are decimal, ports, brackets)', () => {
    expect(ipKey('010.1.1.1')).toBe(ipKey('10.1.1.1'));
    expect(ipKey('010.001.001.001')).toBe('10.1.1.1');
    expect(ipKey('10.1.1.1:8080')).toBe('10.1.1.1');
    expect(ipKey('[2001:db8::1]:443')).toBe(ipKey('2001:DB8:0:0::1'));
    expect(ipKey('::ffff:010.0.0.1')).toBe('10.0.0.1');
    expect(normalizeIp('010.1.1.1')).toBe('10.1.1.1');
  });
  it('refuses bad ipKey options', () => {
    expect(() => ipKey('2001:db8::1', { ipv6Subnet: 0 })).toThrow(ConfigurationError);
    expect(() => ipKey('2001:db8::1', { ipv6Subnet: 129 })).toThrow('"ipv6Subnet"');
    expect(() => ipKey('2001:db8::1', { subnet: 48 } as never)).toThrow(/Unknown option "subnet"/);
  });
  it('groups by a configurable prefix', () => {
    expect(ipKey('2001:db8:1234:56ab::1', { ipv6Subnet: 64 })).toBe('2001:db8:1234:56ab::/64');
    expect(ipKey('2001:db8:1234:56ab::1', { ipv6Subnet: 48 })).toBe('2001:db8:1234::/48');
  });
  it('normalizes and rejects', () => {
    expect(normalizeIp('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(normalizeIp('1.2.3.256')).toBeUndefined();
    expect(normalizeIp('1::2::3')).toBeUndefined();
    expect(normalizeIp(undefined)).toBeUndefined();
  });
  it('honors the trusted-proxy setting for X-Forwarded-For', () => {
    const forwardedFor = '6.6.6.6, 203.0.113.9, 10.0.0.1';
    expect(clientIp({ remoteAddress: '10.0.0.2', forwardedFor })).toBe('10.0.0.2');
    expect(clientIp({ remoteAddress: '10.0.0.2', forwardedFor, trustProxy: false })).toBe('10.0.0.2');
    expect(clientIp({ remoteAddress: '10.0.0.2', forwardedFor, trustProxy: 2 })).toBe('203.0.113.9');
    expect(clientIp({ remoteAddress: '10.0.0.2', forwardedFor, trustProxy: 99 })).toBe('6.6.6.6');
    expect(clientIp({ remoteAddress: '10.0.0.2', forwardedFor, trustProxy: true })).toBe('6.6.6.6');
    expect(clientIp({ forwardedFor: '6.6.6.6, ::ffff:203.0.113.9', trustProxy: 1 })).toBe('203.0.113.9');
  });
});

describe('withRateLimit (Fetch)', () => {
  it('answers 429 problem+json with headers when limited, and decorates allowed responses', async () => {
    const handler = withRateLimit(() => new Response('ok'), { algorithm: 'fixed-window', limit: 2, windowMs: 60_000, trustProxy: 1 });
    const request = () => new Request('https://example.test/items', { headers: { 'x-forwarded-for': '203.0.113.9' } });
    const first = await handler(request());
    expect(await first.text()).toBe('ok');
    expect(first.headers.get('ratelimit')).toMatch(/^"rate-limit";r=1;t=\d+$/);
    expect(first.headers.get('ratelimit-policy')).toBe('"rate-limit";q=2;w=60');
    await handler(request());
    const limited = await handler(request());
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED', instance: '/items' });
    const other = await handler(new Request('https://example.test/items', { headers: { 'x-forwarded-for': '198.51.100.1' } }));
    expect(other.status).toBe(200);
  });

  it('uses tiers, keyGenerator, skip and copies immutable responses', async () => {
    const limiter = createRateLimiter({ algorithm: 'gcra', limit: 1, windowMs: 60_000 });
    const immutable = Response.redirect('https://example.test/next', 302);
    const handler = withRateLimit(() => immutable, { limiter, keyGenerator: (r) => r.headers.get('x-user') ?? 'anon', skip: (r) => r.method === 'OPTIONS' });
    const req = (method = 'GET') => new Request('https://example.test/', { method, headers: { 'x-user': 'u1' } });
    expect((await handler(req())).headers.get('ratelimit')).toContain('r=0');
    expect((await handler(req('OPTIONS'))).status).toBe(302);
    expect((await handler(req())).status).toBe(429);
    const strict = withRateLimit(() => new Response('ok'), { tier: 'strict', keyGenerator: () => 'x' });
    expect((await strict(req())).headers.get('ratelimit-policy')).toBe('"strict";q=10;w=60');
  });

  it("answers a store outage under onStoreError 'deny' with 503 SERVICE_UNAVAILABLE, not 429", async () => {
    const down = { apply: () => Promise.reject(new Error('down')) };
    const request = () => new Request('https://example.test/items', { headers: { 'x-forwarded-for': '203.0.113.9' } });
    let calls = 0;
    const ok = () => (calls++, new Response('ok'));
    for (const headers of ['both', false] as const) {
      const handler = withRateLimit(ok, { algorithm: 'fixed-window', limit: 1, windowMs: 60_000, store: down, onStoreError: 'deny', trustProxy: 1, headers });
      await expectOutage503(await handler(request()), '/items');
    }
    expect(calls).toBe(0);
    const open = withRateLimit(ok, { algorithm: 'fixed-window', limit: 1, windowMs: 60_000, store: down, onStoreError: 'allow', trustProxy: 1 });
    expect((await open(request())).status).toBe(200);
    // Insurance refusals are real (per-process) limits: still 429 with Retry-After.
    const insured = withRateLimit(ok, { algorithm: 'fixed-window', limit: 1, windowMs: 60_000, store: down, insurance: memoryStore(), onStoreError: 'deny', trustProxy: 1 });
    expect((await insured(request())).status).toBe(200);
    const limited = await insured(request());
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('requires a key source and a known tier', () => {
    expect(() => withRateLimit(() => new Response(''), { tier: 'standard' })).toThrow(ConfigurationError);
    expect(() => withRateLimit(() => new Response(''), { tier: 'nope' as never, keyGenerator: () => 'k' })).toThrow('"tier"');
  });
});

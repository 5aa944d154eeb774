import { ConfigurationError } from '@armor/errors';
import fc from 'fast-check';
import proxyAddr from 'proxy-addr';
import { describe, expect, it } from 'vitest';
import { expectOutage503 } from '../test/outage.js';
import { clientIp, compileTrustProxy, createRateLimiter, ipKey, memoryStore, normalizeIp, parseTrustProxy, rateLimitHeaders, withRateLimit, type TrustProxy } from './index.js';

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

/** Express's own compilation of its `trust proxy` setting (express/lib/utils.js compileTrust). */
function expressTrust(value: TrustProxy): (address: string, hop: number) => boolean {
  if (typeof value === 'function') return value;
  if (value === true) return () => true;
  if (typeof value === 'number') return (_a, i) => i < value;
  if (typeof value === 'string') return proxyAddr.compile(value.split(',').map((v) => v.trim()));
  return proxyAddr.compile(value === false ? [] : (value as string[]).slice());
}

describe('trustProxy: Express vocabulary, Express semantics (proxy-addr is the reference)', () => {
  const address = fc.constantFrom(
    '127.0.0.1', '127.8.9.1', '::1', '10.1.2.3', '172.16.5.4', '192.168.1.9', 'fc00::7', 'fd12::1', '169.254.3.3', 'fe80::2',
    '203.0.113.9', '198.51.100.4', '2001:db8::5', '8.8.8.8', '::ffff:10.9.9.9', '::ffff:203.0.113.77',
    '203.0.113.200', '127.0.0.0', 'fe80::1', '2001:db8:1::9', 'fe80::7%eth0', '::a00:1', '200.1.1.1',
  );
  const setting: fc.Arbitrary<TrustProxy> = fc.oneof(
    fc.boolean(),
    fc.integer({ min: 1, max: 5 }),
    fc.constantFrom('loopback', 'linklocal', 'uniquelocal', 'loopback, uniquelocal', 'loopback,linklocal,uniquelocal', '10.0.0.0/8', '10.0.0.0/8, 127.0.0.1', '203.0.113.0/24'),
    fc.subarray(['loopback', 'linklocal', 'uniquelocal', '10.1.2.3', '2001:db8::/32', '192.168.0.0/16'], { minLength: 1 }),
    // netmasks, IPv4-mapped entries and ranges (held IPv4 only from /96 on), single IPv6 hosts, zone ids
    fc.subarray(
      ['10.0.0.0/255.0.0.0', '203.0.113.0/255.255.255.128', '::ffff:10.9.9.9', '::ffff:203.0.113.0/120', '::ffff:0:0/96', '::ffff:0:0/80', '::1/128', 'fe80::1%eth0/64',
        'fd00::/8', '2001:db8::5', '8.8.8.8/32', '128.0.0.0/1', '127.0.0.1/31'],
      { minLength: 1 },
    ),
  );

  it('picks the same client as Express (proxyaddr) for random chains and settings', () => {
    fc.assert(
      fc.property(address, fc.array(address, { minLength: 1, maxLength: 6 }), setting, (peer, chain, trust) => {
        const forwardedFor = chain.join(', ');
        const req = { headers: { 'x-forwarded-for': forwardedFor }, socket: { remoteAddress: peer } };
        const expected = normalizeIp(proxyAddr(req as never, expressTrust(trust)));
        expect(clientIp({ remoteAddress: peer, forwardedFor, trustProxy: trust })).toBe(expected);
        expect(clientIp({ remoteAddress: peer, forwardedFor, trustProxy: compileTrustProxy(trust) })).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("'loopback' behind a local proxy keys each client separately (it keyed everyone as unknown-ip)", () => {
    const a = clientIp({ remoteAddress: '127.0.0.1', forwardedFor: '203.0.113.9', trustProxy: 'loopback' });
    const b = clientIp({ remoteAddress: '::ffff:127.0.0.1', forwardedFor: '198.51.100.4', trustProxy: 'loopback' });
    expect([a, b]).toEqual(['203.0.113.9', '198.51.100.4']);
    // a function, with hop indexes like Express's
    const hops: [string, number][] = [];
    expect(clientIp({ remoteAddress: '10.0.0.1', forwardedFor: '1.1.1.1, 10.0.0.2', trustProxy: (addr, i) => (hops.push([addr, i]), addr.startsWith('10.')) })).toBe('1.1.1.1');
    expect(hops).toEqual([['10.0.0.1', 0], ['10.0.0.2', 1]]);
  });

  it('refuses what Express would not accept, with a ConfigurationError naming trustProxy', () => {
    for (const bad of ['not-a-range', '10.0.0.0/33', '', ' , ', -1, 1.5, Number.NaN, {}, [], [42], null] as unknown[]) {
      expect(() => compileTrustProxy(bad as TrustProxy), JSON.stringify(bad)).toThrow(ConfigurationError);
      expect(() => compileTrustProxy(bad as TrustProxy)).toThrow('"trustProxy"');
      expect(() => withRateLimit(() => new Response(''), { tier: 'standard', trustProxy: bad as TrustProxy })).toThrow('"trustProxy"');
    }
  });

  it('withRateLimit: range settings key clients apart, and trustProxy: false without a keyGenerator is refused (one key for everyone)', async () => {
    const handler = withRateLimit(() => new Response('ok'), { algorithm: 'fixed-window', limit: 1, windowMs: 60_000, trustProxy: 'uniquelocal' });
    const as = (xff: string) => handler(new Request('https://example.test/', { headers: { 'x-forwarded-for': xff } })).then((r) => r.status);
    expect(await as('203.0.113.9, 10.0.0.5')).toBe(200);
    expect(await as('198.51.100.4, 10.0.0.5')).toBe(200);
    expect(await as('6.6.6.6, 203.0.113.9, 10.0.0.5')).toBe(429); // spoofed left part ignored
    expect(() => withRateLimit(() => new Response(''), { tier: 'standard', trustProxy: false })).toThrow('"trustProxy"');
  });
});

describe('one reading of trustProxy in every adapter; unknown clients are never silently one bucket', () => {
  it("a whole-number string ('1' from an env var) is a hop count everywhere, like the number", () => {
    const forwardedFor = '6.6.6.6, 203.0.113.9';
    for (const [text, hops] of [['1', 1], [' 2 ', 2], ['0', 0]] as const) {
      expect(parseTrustProxy(text)).toBe(hops);
      expect(clientIp({ remoteAddress: '10.0.0.2', forwardedFor, trustProxy: text })).toBe(clientIp({ remoteAddress: '10.0.0.2', forwardedFor, trustProxy: hops }));
      expect(clientIp({ forwardedFor, trustProxy: text })).toBe(clientIp({ forwardedFor, trustProxy: hops }));
    }
    // Without a peer address (Fetch) and with one (Express): the same client for '1'.
    expect(clientIp({ forwardedFor, trustProxy: '1' })).toBe('203.0.113.9');
    expect(clientIp({ remoteAddress: '127.0.0.1', forwardedFor, trustProxy: '1' })).toBe('203.0.113.9');
    expect(compileTrustProxy('1')('0.0.0.1', 5)).toBe(false); // not the address 0.0.0.1
    // A hop count inside a list of ranges is ambiguous: refused.
    for (const bad of ['1, loopback', ['loopback', '2'], '-1', '1.5']) {
      expect(() => compileTrustProxy(bad as TrustProxy), JSON.stringify(bad)).toThrow('"trustProxy"');
    }
    expect(() => withRateLimit(() => new Response(''), { tier: 'standard', trustProxy: '0' })).toThrow('"trustProxy"');
  });

  it("withRateLimit: a request without X-Forwarded-For is refused (400) by default and counted, never keyed 'unknown-ip'", async () => {
    const unknown: string[] = [];
    let calls = 0;
    const handler = withRateLimit(() => (calls++, new Response('ok')), {
      algorithm: 'fixed-window',
      limit: 1,
      windowMs: 60_000,
      trustProxy: 1,
      onUnknownClient: ({ request }) => unknown.push(new URL(request.url).pathname),
    });
    for (let i = 0; i < 3; i++) {
      const response = await handler(new Request('https://example.test/upload'));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ status: 400, code: 'BAD_REQUEST', instance: '/upload' });
    }
    const garbled = await handler(new Request('https://example.test/upload', { headers: { 'x-forwarded-for': 'not-an-address' } }));
    expect(garbled.status).toBe(400);
    expect(unknown).toEqual(['/upload', '/upload', '/upload', '/upload']);
    expect(calls).toBe(0);
    // Known clients are unaffected.
    expect((await handler(new Request('https://example.test/upload', { headers: { 'x-forwarded-for': '203.0.113.9' } }))).status).toBe(200);
  });

  it('withRateLimit: unknownClient: { key } puts unknown clients in one documented bucket of their own, counted', async () => {
    let counted = 0;
    const handler = withRateLimit(() => new Response('ok'), {
      algorithm: 'fixed-window',
      limit: 1,
      windowMs: 60_000,
      trustProxy: 1,
      unknownClient: { key: 'unknown-client:/upload' },
      onUnknownClient: () => counted++,
    });
    expect((await handler(new Request('https://example.test/upload'))).status).toBe(200);
    expect((await handler(new Request('https://example.test/upload'))).status).toBe(429);
    expect((await handler(new Request('https://example.test/upload', { headers: { 'x-forwarded-for': '203.0.113.9' } }))).status).toBe(200);
    expect(counted).toBe(2);
    for (const bad of ['share', { key: '' }, { key: 5 }, { kee: 'x' }]) {
      expect(() => withRateLimit(() => new Response(''), { tier: 'standard', trustProxy: 1, unknownClient: bad as never }), JSON.stringify(bad)).toThrow('"unknownClient"');
    }
    expect(() => withRateLimit(() => new Response(''), { tier: 'standard', trustProxy: 1, onUnknownClient: 'x' as never })).toThrow('"onUnknownClient"');
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

import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { errorMiddleware } from '@armor/errors/express';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { expectOutage503 } from '../test/outage.js';
import { createRateLimiter, memoryStore } from './index.js';
import { ipKey, rateLimit } from './express.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function listen(app: express.Express): Promise<string> {
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server!.once('listening', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('rateLimit() Express middleware over real sockets', () => {
  it('adds headers, then answers 429 problem+json from a RateLimitError', async () => {
    const app = express();
    app.use(rateLimit({ algorithm: 'fixed-window', limit: 2, windowMs: 60_000 }));
    app.get('/', (_req, res) => void res.send('ok'));
    const base = await listen(app);
    const first = await fetch(base);
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe('"rate-limit";q=2;w=60');
    expect(first.headers.get('ratelimit')).toMatch(/^"rate-limit";r=1;t=\d+$/);
    await fetch(base);
    const limited = await fetch(base);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED', title: 'Too Many Requests', instance: '/' });
  });

  it('per-route tiers, skip, keyGenerator, legacy headers and passToNext', async () => {
    const store = memoryStore();
    const app = express();
    app.get('/health', rateLimit({ tier: 'strict', store, skip: (req) => req.path === '/health' }), (_req, res) => void res.send('up'));
    app.post('/login', rateLimit({ tier: 'strict', store, headers: 'both' }), (_req, res) => void res.send('tried'));
    app.get('/api', rateLimit({ tier: 'api', store, keyGenerator: (req) => req.get('x-api-key') ?? 'anon' }), (_req, res) => void res.send('data'));
    const limiter = createRateLimiter({ algorithm: 'gcra', limit: 1, windowMs: 60_000, store, name: 'next' });
    app.get('/next', rateLimit({ limiter, passToNext: true }), (_req, res) => void res.send('ok'));
    app.use(errorMiddleware());
    const base = await listen(app);
    for (let i = 0; i < 20; i++) expect((await fetch(`${base}/health`)).status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 11; i++) statuses.push((await fetch(`${base}/login`, { method: 'POST' })).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.at(-1)).toBe(429);
    const login = await fetch(`${base}/login`, { method: 'POST' });
    expect(login.headers.get('x-ratelimit-limit')).toBe('10');
    expect(login.headers.get('ratelimit-policy')).toBe('"strict";q=10;w=60');
    const api = await fetch(`${base}/api`, { headers: { 'x-api-key': 'k1' } });
    // GCRA 600/min with bursts of 60: advertised as the bucket (60 per 6 s), agreeing with r and the limit.
    expect(api.headers.get('ratelimit-policy')).toBe('"api";q=60;w=6');
    expect(api.headers.get('ratelimit')).toMatch(/r=59;/);
    expect((await fetch(`${base}/next`)).status).toBe(200);
    const passed = await fetch(`${base}/next`);
    expect(passed.status).toBe(429);
    expect(await passed.json()).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('keys by client IP honoring trust proxy (Express setting or the trustProxy option)', async () => {
    const app = express();
    app.set('trust proxy', 1);
    app.get('/a', rateLimit({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000, name: 'a' }), (_req, res) => void res.send('ok'));
    app.get('/b', rateLimit({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000, name: 'b', trustProxy: 1 }), (_req, res) => void res.send('ok'));
    const base = await listen(app);
    for (const path of ['/a', '/b']) {
      const as = (xff: string) => fetch(`${base}${path}`, { headers: { 'x-forwarded-for': xff } }).then((r) => r.status);
      expect(await as('2001:db8:1:100::1')).toBe(200);
      expect(await as('2001:db8:1:1ff::2')).toBe(429); // same /56
      expect(await as('2001:db8:1:200::1')).toBe(200);
      expect(await as('spoofed, ::ffff:198.51.100.4')).toBe(200);
      expect(await as('198.51.100.4')).toBe(429); // IPv4-mapped unwrapped
    }
    expect(ipKey('::ffff:127.0.0.1')).toBe('127.0.0.1');
  });

  it("trustProxy: '1' (a string from an env var) is one hop, as in the Fetch adapter (it meant the address 0.0.0.1)", async () => {
    const app = express();
    app.get('/', rateLimit({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000, trustProxy: '1' }), (_req, res) => void res.send('ok'));
    const base = await listen(app);
    const as = (xff: string) => fetch(base, { headers: { 'x-forwarded-for': xff } }).then((r) => r.status);
    expect(await as('6.6.6.6, 203.0.113.9')).toBe(200);
    expect(await as('198.51.100.4')).toBe(200); // another client: its own bucket
    expect(await as('7.7.7.7, 203.0.113.9')).toBe(429); // same client (the one hop back)
  });

  it('a client that cannot be known (unparseable forwarded address) is refused with 400 by default, or keyed as configured, and counted', async () => {
    const app = express();
    const unknown: string[] = [];
    app.get('/refuse', rateLimit({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000, name: 'refuse', trustProxy: 1, onUnknownClient: ({ request }) => unknown.push(request.path) }), (_req, res) => void res.send('ok'));
    app.get('/keyed', rateLimit({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000, name: 'keyed', trustProxy: 1, unknownClient: { key: 'unknown-client:/keyed' }, onUnknownClient: ({ request }) => unknown.push(request.path) }), (_req, res) => void res.send('ok'));
    const base = await listen(app);
    const as = (path: string, xff: string) => fetch(`${base}${path}`, { headers: { 'x-forwarded-for': xff } });
    const refused = await as('/refuse', 'not-an-address');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ status: 400, code: 'BAD_REQUEST', instance: '/refuse' });
    expect((await as('/refuse', 'still-not-one')).status).toBe(400);
    expect((await as('/refuse', '203.0.113.9')).status).toBe(200);
    expect((await as('/keyed', 'garbage')).status).toBe(200);
    expect((await as('/keyed', 'other-garbage')).status).toBe(429); // one bucket for unknown clients of this route
    expect((await as('/keyed', '203.0.113.9')).status).toBe(200);
    expect(unknown).toEqual(['/refuse', '/refuse', '/keyed', '/keyed']);
  });

  it("trustProxy: 'loopback' (Express's vocabulary) keys each forwarded client apart (it keyed everyone as unknown-ip)", async () => {
    const app = express();
    app.get('/', rateLimit({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000, trustProxy: 'loopback' }), (_req, res) => void res.send('ok'));
    app.get('/csv', rateLimit({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000, name: 'csv', trustProxy: 'loopback, 10.0.0.0/8' }), (_req, res) => void res.send('ok'));
    const base = await listen(app);
    for (const path of ['/', '/csv']) {
      const as = (xff: string) => fetch(`${base}${path}`, { headers: { 'x-forwarded-for': xff } }).then((r) => r.status);
      expect(await as('203.0.113.9')).toBe(200);
      expect(await as('198.51.100.4')).toBe(200);
      expect(await as('203.0.113.9')).toBe(429);
    }
    expect(await fetch(`${base}/csv`, { headers: { 'x-forwarded-for': '192.0.2.1, 10.1.1.1' } }).then((r) => r.status)).toBe(200);
    expect(await fetch(`${base}/csv`, { headers: { 'x-forwarded-for': '192.0.2.1, 10.9.9.9' } }).then((r) => r.status)).toBe(429);
    expect(() => rateLimit({ tier: 'standard', trustProxy: 'loopbak' })).toThrow('"trustProxy"');
  });

  it('skipFailedRequests / skipSuccessfulRequests give points back after the response; cost may be a number or async', async () => {
    const app = express();
    const failures = createRateLimiter({ algorithm: 'fixed-window', limit: 2, windowMs: 60_000, name: 'failures-only' });
    const successes = createRateLimiter({ algorithm: 'fixed-window', limit: 2, windowMs: 60_000, name: 'successes-only' });
    app.get('/login', rateLimit({ limiter: failures, skipSuccessfulRequests: true }), (req, res) => void res.status(req.query['ok'] ? 200 : 401).send('x'));
    app.get('/work', rateLimit({ limiter: successes, skipFailedRequests: true }), (req, res) => void res.status(req.query['ok'] ? 200 : 500).send('x'));
    app.get('/custom', rateLimit({ algorithm: 'fixed-window', limit: 2, windowMs: 60_000, name: 'custom', skipFailedRequests: true, requestWasSuccessful: (_req, res) => res.statusCode !== 418 }), (_req, res) => void res.status(418).send('x'));
    app.get('/cost', rateLimit({ algorithm: 'fixed-window', limit: 10, windowMs: 60_000, name: 'cost', cost: 4 }), (_req, res) => void res.send('x'));
    app.get('/async-cost', rateLimit({ algorithm: 'fixed-window', limit: 10, windowMs: 60_000, name: 'async-cost', cost: async (req) => Number(req.query['n'] ?? 1) }), (_req, res) => void res.send('x'));
    const base = await listen(app);
    const get = (path: string) => fetch(`${base}${path}`).then(async (r) => (await r.text(), r.status));
    const settled = () => new Promise((r) => setTimeout(r, 30));
    // Only failed logins count: 5 successes, then 2 failures use the limit.
    for (let i = 0; i < 5; i++) expect(await get('/login?ok=1')).toBe(200);
    await settled();
    expect(await get('/login')).toBe(401);
    expect(await get('/login')).toBe(401);
    await settled();
    expect(await get('/login?ok=1')).toBe(429);
    // Failed work does not count.
    for (let i = 0; i < 5; i++) expect(await get('/work')).toBe(500);
    await settled();
    expect(await get('/work?ok=1')).toBe(200);
    expect(await get('/work?ok=1')).toBe(200);
    await settled();
    expect(await get('/work?ok=1')).toBe(429);
    for (let i = 0; i < 4; i++) expect(await get('/custom')).toBe(418);
    for (const expected of [200, 200, 429]) expect(await get('/cost')).toBe(expected);
    for (const [n, expected] of [[6, 200], [5, 429], [4, 200]] as const) expect(await get(`/async-cost?n=${n}`)).toBe(expected);
    expect(await get('/async-cost?n=11')).toBe(400); // RateLimitInputError (status 400): larger than the limit
  });

  it("onError: 'next' hands errors to the error middleware; passToNext stays as a deprecated alias; contradictions are refused", async () => {
    const app = express();
    app.get('/next', rateLimit({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000, name: 'n', onError: 'next' }), (_req, res) => void res.send('ok'));
    app.get('/respond', rateLimit({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000, name: 'r', onError: 'respond' }), (_req, res) => void res.send('ok'));
    app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(499).send(String((err as Error).name)));
    const base = await listen(app);
    await fetch(`${base}/next`);
    const passed = await fetch(`${base}/next`);
    expect([passed.status, await passed.text()]).toEqual([499, 'RateLimitError']);
    await fetch(`${base}/respond`);
    expect((await fetch(`${base}/respond`)).status).toBe(429);
    expect(() => rateLimit({ tier: 'standard', onError: 'next', passToNext: false })).toThrow('"passToNext"');
    expect(() => rateLimit({ tier: 'standard', onError: 'throw' as never })).toThrow('"onError"');
    expect(() => rateLimit({ tier: 'standard', skipFailedRequest: true } as never)).toThrow(/did you mean "skipFailedRequests"/);
    expect(() => rateLimit({ limiter: createRateLimiter({ algorithm: 'gcra', limit: 1, windowMs: 1_000 }), limit: 5 } as never)).toThrow('"limit"');
  });

  it("answers a store outage under onStoreError 'deny' with 503 SERVICE_UNAVAILABLE, never 429 or 500", async () => {
    const down = { apply: () => Promise.reject(new Error('down')) };
    const limited: unknown[] = [];
    const app = express();
    app.get('/deny', rateLimit({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000, name: 'deny', store: down, onStoreError: 'deny', headers: 'both', onLimited: (_req, r) => limited.push(r) }), (_req, res) => void res.send('ok'));
    app.get('/deny-bare', rateLimit({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000, name: 'bare', store: down, onStoreError: 'deny', headers: false }), (_req, res) => void res.send('ok'));
    app.get('/next', rateLimit({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000, name: 'next', store: down, onStoreError: 'deny', passToNext: true }), (_req, res) => void res.send('ok'));
    app.get('/allow', rateLimit({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000, name: 'allow', store: down, onStoreError: 'allow' }), (_req, res) => void res.send('ok'));
    app.get('/insured', rateLimit({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000, name: 'insured', store: down, insurance: memoryStore(), onStoreError: 'deny', onLimited: (req, r) => limited.push([req.path, r.allowed]) }), (_req, res) => void res.send('ok'));
    app.use(errorMiddleware());
    const base = await listen(app);

    for (const path of ['/deny', '/deny-bare']) {
      const body = await expectOutage503(await fetch(`${base}${path}`), path);
      expect(JSON.stringify(body)).not.toMatch(/RATE_LIMITED|down|onStoreError/);
    }
    expect(limited).toEqual([]);
    const passed = await fetch(`${base}/next`);
    expect(passed.status).toBe(503);
    expect(await passed.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect((await fetch(`${base}/allow`)).status).toBe(200);
    // Insurance keeps counting per process: its refusal is a real limit, so it stays a 429.
    expect((await fetch(`${base}/insured`)).status).toBe(200);
    const insured = await fetch(`${base}/insured`);
    expect(insured.status).toBe(429);
    expect(Number(insured.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await insured.json()).toMatchObject({ code: 'RATE_LIMITED' });
    // The middleware's onLimited(req, result) runs once, and is not handed to the limiter.
    expect(limited).toEqual([['/insured', false]]);
  });
});

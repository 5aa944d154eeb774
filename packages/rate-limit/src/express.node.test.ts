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
    expect(api.headers.get('ratelimit-policy')).toBe('"api";q=600;w=60');
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

/**
 * Every framework adapter of @armor/rate-limit passes the same scenarios over real sockets
 * (the adapter conformance suite of @armor/test-utils), plus each framework's conventions and
 * the configuration warnings with stable codes.
 */
import { adapterConformance, rateLimitScenarios, serveExpress, serveFastify, serveHono, serveRoutes } from '@armor/test-utils';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { RateLimitConfigWarning } from './adapter-kit.js';
import { rateLimit as expressRateLimit } from './express.js';
import { armorRateLimit } from './fastify.js';
import { rateLimit, type RateLimitVariables } from './hono.js';
import { createRateLimiter } from './limiter.js';
import { rateLimitProxy, withRateLimit } from './next.js';
import { memoryStore } from './stores/memory.js';

const policy = { algorithm: 'fixed-window', limit: 2, windowMs: 60_000 } as const;

adapterConformance(
  '@armor/rate-limit',
  {
    express: () => {
      const app = express();
      app.get('/limited', expressRateLimit({ ...policy }), (_req, res) => res.send('ok'));
      return serveExpress(app);
    },
    hono: () => {
      const app = new Hono();
      app.get('/limited', rateLimit({ ...policy }), (c) => c.text('ok'));
      return serveHono(app);
    },
    fastify: async () => {
      const app = Fastify();
      await app.register(armorRateLimit, { ...policy });
      app.get('/limited', async () => 'ok');
      return serveFastify(app);
    },
    next: () => serveRoutes({ '/limited': { GET: withRateLimit(() => new Response('ok'), { ...policy }) } }),
  },
  rateLimitScenarios,
);

describe('@armor/rate-limit/hono', () => {
  it('c.var.rateLimit is typed; headers are set after next()', async () => {
    const app = new Hono<{ Variables: RateLimitVariables }>();
    app.use(rateLimit({ ...policy, keyGenerator: () => 'k' }));
    app.get('/', (c) => c.json({ remaining: c.var.rateLimit.remaining }));
    const res = await app.request('/');
    expect(await res.json()).toEqual({ remaining: 1 });
    expect(res.headers.get('ratelimit')).toMatch(/r=1/);
  });

  it('onError: next throws the RateLimitError to app.onError', async () => {
    const app = new Hono();
    app.use(rateLimit({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000, keyGenerator: () => 'k', onError: 'next' }));
    app.get('/', (c) => c.text('ok'));
    app.onError((err, c) => c.text(`handled ${(err as { code?: string }).code}`, 418));
    await app.request('/');
    const res = await app.request('/');
    expect(res.status).toBe(418);
    expect(await res.text()).toBe('handled RATE_LIMITED');
  });

  it('without a socket address or trusted proxy the client is unknown: 400, never one shared key', async () => {
    const app = new Hono();
    app.use(rateLimit({ ...policy }));
    app.get('/', (c) => c.text('ok'));
    expect((await app.request('/')).status).toBe(400);
    const keyed = new Hono();
    keyed.use(rateLimit({ ...policy, trustProxy: 1 }));
    keyed.get('/', (c) => c.text('ok'));
    expect((await keyed.request('/', { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(200);
  });
});

describe('@armor/rate-limit/fastify', () => {
  it('config.armor false and config.armor.rateLimit false opt out; a route can bring its own limiter', async () => {
    const app = Fastify();
    await app.register(armorRateLimit, { algorithm: 'fixed-window', limit: 1, windowMs: 60_000 });
    app.get('/a', async (request) => ({ remaining: request.rateLimit?.remaining ?? null }));
    app.get('/off', { config: { armor: false } }, async (request) => ({ limited: request.rateLimit !== null }));
    app.get('/off2', { config: { armor: { rateLimit: false } } }, async () => 'ok');
    app.get('/own', { config: { armor: { rateLimit: { algorithm: 'fixed-window', limit: 3, windowMs: 1000 } } } }, async () => 'ok');
    expect(JSON.parse((await app.inject('/a')).body)).toEqual({ remaining: 0 });
    expect((await app.inject('/a')).statusCode).toBe(429);
    for (let i = 0; i < 3; i++) expect((await app.inject('/off')).statusCode).toBe(200);
    expect(JSON.parse((await app.inject('/off')).body)).toEqual({ limited: false });
    expect((await app.inject('/off2')).statusCode).toBe(200);
    const own = await app.inject('/own');
    expect(own.statusCode).toBe(200);
    expect(own.headers['ratelimit-policy']).toMatch(/3;w=1/);
    await app.close();
  });

  it('the hook option moves the limit (preHandler sees the parsed body); onError next reaches setErrorHandler', async () => {
    const app = Fastify();
    await app.register(armorRateLimit, { algorithm: 'fixed-window', limit: 1, windowMs: 60_000, hook: 'preHandler', keyGenerator: (request) => String((request.body as { user?: string } | undefined)?.user), onError: 'next' });
    app.setErrorHandler((error, _request, reply) => reply.code(418).send(`handled ${(error as { code?: string }).code}`));
    app.post('/', async () => 'ok');
    expect((await app.inject({ method: 'POST', url: '/', payload: { user: 'ann' } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/', payload: { user: 'bob' } })).statusCode).toBe(200);
    const res = await app.inject({ method: 'POST', url: '/', payload: { user: 'ann' } });
    expect(res.statusCode).toBe(418);
    expect(res.body).toBe('handled RATE_LIMITED');
    await app.close();
  });

  it('bad options reject ready() with a ConfigurationError naming the option', async () => {
    await expect(Fastify().register(armorRateLimit, { ...policy, hook: 'onSend' as never }).ready()).rejects.toThrow(/hook/);
    await expect(Fastify().register(armorRateLimit, { ...policy, limitt: 3 } as never).ready()).rejects.toThrow(/limit/);
  });
});

describe('@armor/rate-limit/next', () => {
  it('rateLimitProxy returns the refusal, or the headers for NextResponse.next()', async () => {
    const check = rateLimitProxy({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000 });
    const request = () => new Request('http://localhost/api', { headers: { 'x-forwarded-for': '198.51.100.7' } });
    const first = await check(request());
    expect(first.response).toBeUndefined();
    expect(first.headers['ratelimit']).toMatch(/r=0/);
    const second = await check(request());
    expect(second.response?.status).toBe(429);
    expect(second.response?.headers.get('content-type')).toContain('application/problem+json');
  });

  it('the key is the peer Next appends; spoofed earlier hops are ignored unless trusted', async () => {
    const check = rateLimitProxy({ algorithm: 'fixed-window', limit: 1, windowMs: 60_000 });
    const from = (xff: string) => check(new Request('http://localhost/', { headers: { 'x-forwarded-for': xff } }));
    expect((await from('1.1.1.1, 198.51.100.7')).response).toBeUndefined();
    expect((await from('2.2.2.2, 198.51.100.7')).response?.status).toBe(429);
  });
});

describe('configuration warnings with stable codes, reported once', () => {
  it('a permissive trustProxy', () => {
    const warnings: RateLimitConfigWarning[] = [];
    rateLimit({ ...policy, trustProxy: true, onConfigWarning: (w) => warnings.push(w) });
    rateLimitProxy({ ...policy, trustProxy: true, onConfigWarning: (w) => warnings.push(w) });
    expect(warnings.map((w) => w.code)).toEqual(['ERR_ARMOR_RL_PERMISSIVE_TRUST_PROXY', 'ERR_ARMOR_RL_PERMISSIVE_TRUST_PROXY']);
    expect(warnings[0]!.docs).toMatch(/^https:\/\/.+#configuration-warnings-err-armor-rl-permissive-trust-proxy$/);
  });

  it('a limiter applied twice to one request counts it once and warns once', async () => {
    const warnings: RateLimitConfigWarning[] = [];
    const limiter = createRateLimiter({ ...policy, name: 'twice' });
    const mw = rateLimit({ limiter, keyGenerator: () => 'k', onConfigWarning: (w) => warnings.push(w) });
    const app = new Hono<{ Variables: RateLimitVariables }>();
    app.use(mw);
    app.use('/x/*', mw);
    app.get('/x/y', (c) => c.json({ remaining: c.var.rateLimit.remaining }));
    expect(await (await app.request('/x/y')).json()).toEqual({ remaining: 1 });
    expect(await (await app.request('/x/y')).json()).toEqual({ remaining: 0 });
    expect(warnings.map((w) => w.code)).toEqual(['ERR_ARMOR_RL_DOUBLE_COUNT']);

    const fwarnings: RateLimitConfigWarning[] = [];
    const fl = createRateLimiter({ ...policy, name: 'twice-f' });
    const f = Fastify();
    await f.register(armorRateLimit, { limiter: fl, onConfigWarning: (w) => fwarnings.push(w) });
    await f.register(armorRateLimit, { limiter: fl, onConfigWarning: (w) => fwarnings.push(w) });
    f.get('/', async (request) => ({ remaining: request.rateLimit?.remaining }));
    expect(JSON.parse((await f.inject('/')).body)).toEqual({ remaining: 1 });
    expect(JSON.parse((await f.inject('/')).body)).toEqual({ remaining: 0 });
    expect(fwarnings.map((w) => w.code)).toEqual(['ERR_ARMOR_RL_DOUBLE_COUNT']);
    await f.close();
  });

  it('a store shared by two limiters with different windows under one prefix', () => {
    const warnings: RateLimitConfigWarning[] = [];
    const store = memoryStore();
    const onConfigWarning = (w: RateLimitConfigWarning) => warnings.push(w);
    rateLimit({ algorithm: 'fixed-window', limit: 5, windowMs: 1000, store, prefix: 'rl:', keyGenerator: () => 'k', onConfigWarning });
    rateLimit({ algorithm: 'fixed-window', limit: 5, windowMs: 1000, store, prefix: 'rl:', keyGenerator: () => 'k', onConfigWarning });
    rateLimit({ algorithm: 'fixed-window', limit: 5, windowMs: 60_000, store, prefix: 'other:', keyGenerator: () => 'k', onConfigWarning });
    expect(warnings).toEqual([]);
    rateLimit({ algorithm: 'fixed-window', limit: 5, windowMs: 60_000, store, prefix: 'rl:', keyGenerator: () => 'k', onConfigWarning });
    rateLimit({ algorithm: 'fixed-window', limit: 5, windowMs: 5_000, store, prefix: 'rl:', keyGenerator: () => 'k', onConfigWarning });
    expect(warnings.map((w) => w.code)).toEqual(['ERR_ARMOR_RL_STORE_REUSE']);
  });
});

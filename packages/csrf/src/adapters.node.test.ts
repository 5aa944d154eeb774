/**
 * Every framework adapter of @armor/csrf passes the same scenarios over real sockets (the
 * adapter conformance suite of @armor/test-utils), plus each framework's conventions.
 */
import { adapterConformance, csrfScenarios, serveExpress, serveFastify, serveHono, serveRoutes } from '@armor/test-utils';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { csrfProtection as expressCsrf } from './express.js';
import { armorCsrf } from './fastify.js';
import { csrfProtection } from './hono.js';
import { csrfProxy, withCsrf } from './next.js';

const secret = 'adapter-test-secret-that-is-32-bytes-or-more';


adapterConformance(
  '@armor/csrf',
  {
    express: () => {
      const app = express();
      const csrf = expressCsrf({ secret, getSessionId: (req) => req.get('x-session') });
      app.use(csrf);
      app.get('/csrf/token', async (req, res) => {
        res.json({ token: await csrf.issue(req, res) });
      });
      app.post('/csrf/submit', (_req, res) => res.send('ok'));
      return serveExpress(app);
    },
    hono: () => {
      const app = new Hono();
      const csrf = csrfProtection({ secret, getSessionId: (c) => c.req.header('x-session') });
      app.use(csrf);
      app.get('/csrf/token', async (c) => c.json({ token: await csrf.issue(c) }));
      app.post('/csrf/submit', (c) => c.text('ok'));
      return serveHono(app);
    },
    fastify: async () => {
      const app = Fastify();
      await app.register(armorCsrf, { secret, getSessionId: (request) => request.headers['x-session'] as string | undefined });
      app.get('/csrf/token', async (_request, reply) => ({ token: await reply.issueCsrfToken() }));
      app.post('/csrf/submit', async () => 'ok');
      return serveFastify(app);
    },
    next: () => {
      const options = { secret, getSessionId: (request: Request) => request.headers.get('x-session') ?? undefined };
      const submit = withCsrf(() => new Response('ok'), options);
      return serveRoutes({
        '/csrf/token': {
          GET: async (request) => {
            const { token, setCookie } = await submit.issue(request);
            return Response.json({ token }, { headers: { 'set-cookie': setCookie } });
          },
        },
        '/csrf/submit': { POST: submit },
      });
    },
  },
  csrfScenarios,
);

describe('@armor/csrf framework specifics', () => {
  it('Hono: the _csrf field of a form body counts, and the route can still read the body', async () => {
    const app = new Hono();
    const csrf = csrfProtection({ secret, getSessionId: () => 's' });
    app.use(csrf);
    let pair = '';
    app.get('/t', async (c) => c.text(await csrf.issue(c)));
    app.post('/f', async (c) => c.text(String((await c.req.parseBody())['amount'])));
    const issued = await app.request('/t');
    pair = (issued.headers.get('set-cookie') ?? '').split(';')[0]!;
    const token = await issued.text();
    const res = await app.request('/f', { method: 'POST', headers: { cookie: pair, 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${encodeURIComponent(token)}&amount=5` });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('5');
  });

  it('Fastify: config.armor.csrf false opts a route out; the preValidation hook reads the body field; bad options reject', async () => {
    const app = Fastify();
    await app.register(armorCsrf, { secret, getSessionId: () => 's', hook: 'preValidation' });
    app.get('/t', async (_request, reply) => reply.issueCsrfToken());
    app.post('/webhook', { config: { armor: { csrf: false } } }, async () => 'hook');
    app.post('/f', async () => 'ok');
    expect((await app.inject({ method: 'POST', url: '/webhook' })).statusCode).toBe(200);
    const issued = await app.inject('/t');
    const pair = String(issued.headers['set-cookie']).split(';')[0]!;
    const ok = await app.inject({ method: 'POST', url: '/f', headers: { cookie: pair }, payload: { _csrf: issued.body } });
    expect(ok.statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/f', headers: { cookie: pair }, payload: {} })).statusCode).toBe(403);
    await app.close();
    await expect(Fastify().register(armorCsrf, { secret, getSessionId: () => 's', hook: 'onSend' as never }).ready()).rejects.toThrow(/hook/);
    await expect(Fastify().register(armorCsrf, { secret } as never).ready()).rejects.toThrow(/getSessionId/);
  });

  it('Next: csrfProxy returns the refusal or undefined', async () => {
    const check = csrfProxy({ secret, getSessionId: () => 's' });
    expect(await check(new Request('http://localhost/', { method: 'GET' }))).toBeUndefined();
    const refused = await check(new Request('http://localhost/', { method: 'POST' }));
    expect(refused?.status).toBe(403);
  });
});

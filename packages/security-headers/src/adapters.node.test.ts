/**
 * Every framework adapter of @armor/security-headers passes the same scenarios over real
 * sockets (the adapter conformance suite of @armor/test-utils), plus each framework's conventions.
 */
import { adapterConformance, securityHeaderScenarios, serveExpress, serveFastify, serveHono, serveRoutes } from '@armor/test-utils';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { securityHeaders as expressHeaders } from './express.js';
import { armorSecurityHeaders } from './fastify.js';
import { securityHeaders, type SecurityHeadersVariables } from './hono.js';
import { getCspNonce, securityHeadersProxy, withSecurityHeaders } from './next.js';

const page = (nonce: string | null | undefined) => `<!doctype html><script nonce="${nonce}">console.log(1)</script>`;

adapterConformance(
  '@armor/security-headers',
  {
    express: () => {
      const app = express();
      app.use(expressHeaders({ preset: 'html' }));
      app.get('/page', (_req, res) => res.type('html').send(page((res.locals as { cspNonce?: string }).cspNonce)));
      return serveExpress(app);
    },
    hono: () => {
      const app = new Hono<{ Variables: SecurityHeadersVariables }>();
      app.use(securityHeaders({ preset: 'html' }));
      app.get('/page', (c) => c.html(page(c.var.cspNonce)));
      return serveHono(app);
    },
    fastify: async () => {
      const app = Fastify();
      await app.register(armorSecurityHeaders, { preset: 'html' });
      app.get('/page', (request, reply) => reply.type('text/html').send(page(request.cspNonce)));
      return serveFastify(app);
    },
    next: () =>
      serveRoutes({
        '/page': { GET: withSecurityHeaders((request) => new Response(page(getCspNonce(request)), { headers: { 'content-type': 'text/html' } }), { preset: 'html' }) },
      }),
  },
  securityHeaderScenarios,
);

describe('@armor/security-headers/hono', () => {
  it('headers cover answers made after next() (errors, not found); a route override replaces the set', async () => {
    const headers = securityHeaders({ preset: 'api' });
    const app = new Hono<{ Variables: SecurityHeadersVariables }>();
    app.use(headers);
    app.get('/embed', headers.override({ xFrameOptions: false }), (c) => c.text('embed'));
    app.get('/boom', () => {
      throw new Error('x');
    });
    const missing = await app.request('/nope');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-frame-options')).toBe('DENY');
    expect(missing.headers.get('cache-control')).toBe('no-store');
    expect((await app.request('/boom')).headers.get('x-content-type-options')).toBe('nosniff');
    const embed = await app.request('/embed');
    expect(embed.headers.get('x-frame-options')).toBeNull();
    expect(embed.headers.get('cache-control')).toBe('no-store');
  });

  it('immutable response headers are copied, not an error', async () => {
    const app = new Hono();
    app.use(securityHeaders());
    app.get('/', () => {
      const res = Response.redirect('http://localhost/elsewhere', 302); // immutable headers
      return res;
    });
    const res = await app.request('/');
    expect(res.status).toBe(302);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('@armor/security-headers/fastify', () => {
  it('config.armor false opts out; an override object changes the route; headers sent once when registered twice', async () => {
    const app = Fastify();
    await app.register(armorSecurityHeaders, { preset: 'html' });
    await app.register(armorSecurityHeaders, { preset: 'html' });
    app.get('/', (request, reply) => reply.send(request.cspNonce));
    app.get('/off', { config: { armor: false } }, async () => 'off');
    app.get('/embed', { config: { armor: { securityHeaders: { xFrameOptions: false } } } }, async () => 'embed');
    const res = await app.inject('/');
    const nonce = /'nonce-([^']+)'/.exec(String(res.headers['content-security-policy']))?.[1];
    expect(res.body).toBe(nonce);
    expect((await app.inject('/off')).headers['x-content-type-options']).toBeUndefined();
    const embed = await app.inject('/embed');
    expect(embed.headers['x-frame-options']).toBeUndefined();
    expect(embed.headers['x-content-type-options']).toBe('nosniff');
    await app.close();
  });

  it('the onSend hook covers errors and 404s; bad options reject ready()', async () => {
    const app = Fastify();
    await app.register(armorSecurityHeaders, { hook: 'onSend' });
    app.get('/boom', async () => {
      throw new Error('x');
    });
    expect((await app.inject('/boom')).headers['x-content-type-options']).toBe('nosniff');
    await app.close();
    await expect(Fastify().register(armorSecurityHeaders, { hook: 'onResponse' as never }).ready()).rejects.toThrow(/hook/);
    await expect(Fastify().register(armorSecurityHeaders, { xFrameOption: 'DENY' } as never).ready()).rejects.toThrow(/xFrameOptions/);
  });
});

describe('@armor/security-headers/next', () => {
  it('securityHeadersProxy: the nonce goes on the request (for Next) and the response', () => {
    const secure = securityHeadersProxy({ preset: 'html' });
    const { nonce, requestHeaders, headers } = secure(new Request('http://localhost/', { headers: { cookie: 'a=1' } }));
    expect(nonce).toBeTruthy();
    expect(requestHeaders.get('x-nonce')).toBe(nonce);
    expect(requestHeaders.get('content-security-policy')).toContain(`'nonce-${nonce}'`);
    expect(requestHeaders.get('cookie')).toBe('a=1');
    expect(headers['Content-Security-Policy']).toContain(`'nonce-${nonce}'`);
  });
});

/**
 * Every framework adapter of @armor/health passes the same scenarios over real sockets
 * (the adapter conformance suite of @armor/test-utils).
 */
import { adapterConformance, healthScenarios, serveExpress, serveFastify, serveHono, serveRoutes } from '@armor/test-utils';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { healthRouter } from './express.js';
import { armorHealth } from './fastify.js';
import { createHealth, type Health } from './health.js';
import { healthProbes } from './hono.js';
import { healthRoute } from './next.js';

function failingDb(): Health {
  const health = createHealth({
    checks: {
      db: {
        cacheMs: 0,
        check: () => {
          throw new Error('password=hunter2');
        },
      },
    },
  });
  health.markReady();
  return health;
}

adapterConformance(
  '@armor/health',
  {
    express: () => {
      const app = express();
      app.use(healthRouter(failingDb()));
      return serveExpress(app);
    },
    hono: () => {
      const app = new Hono();
      app.use(healthProbes(failingDb()));
      app.get('/after', (c) => c.text('after'));
      return serveHono(app);
    },
    fastify: async () => {
      const app = Fastify();
      await app.register(armorHealth, { health: failingDb() });
      return serveFastify(app);
    },
    next: () => {
      const health = failingDb();
      return serveRoutes({ '/health/live': healthRoute(health, 'live'), '/health/ready': healthRoute(health, 'ready') });
    },
  },
  healthScenarios,
);

describe('@armor/health framework specifics', () => {
  it('Hono: other paths and methods go on to the app; showDetails sees the context', async () => {
    const app = new Hono();
    app.use(healthProbes(failingDb(), { path: '/probes', showDetails: (c) => c.req.header('x-admin') === 'yes' }));
    app.get('/after', (c) => c.text('after'));
    app.post('/probes/live', (c) => c.text('posted'));
    expect(await (await app.request('/after')).text()).toBe('after');
    expect(await (await app.request('/probes/live', { method: 'POST' })).text()).toBe('posted');
    expect(await (await app.request('/probes/ready')).text()).not.toContain('hunter2');
    expect(await (await app.request('/probes/ready', { headers: { 'x-admin': 'yes' } })).text()).toContain('hunter2');
  });

  it('Fastify: a custom prefix, details for authorized callers only', async () => {
    const app = Fastify();
    await app.register(armorHealth, { health: failingDb(), path: '/probes', showDetails: (request) => request.headers['x-admin'] === 'yes' });
    expect((await app.inject('/probes/live')).statusCode).toBe(200);
    expect((await app.inject('/probes/ready')).body).not.toContain('hunter2');
    expect((await app.inject({ url: '/probes/ready', headers: { 'x-admin': 'yes' } })).body).toContain('hunter2');
    await app.close();
  });

  it('bad options are ConfigurationErrors naming the option', async () => {
    const health = failingDb();
    expect(() => healthProbes(health, { path: 3 } as never)).toThrow(/path/);
    expect(() => healthProbes(health, { showDetail: true } as never)).toThrow(/showDetails/);
    expect(() => healthRoute(health, 'alive' as never)).toThrow(/probe/);
    await expect(Fastify().register(armorHealth, { health, shwoDetails: true } as never).ready()).rejects.toThrow(/showDetails/);
  });
});

/**
 * Every framework adapter of @armor/metrics passes the same scenarios over real sockets (the
 * adapter conformance suite of @armor/test-utils), plus each framework's conventions.
 */
import { adapterConformance, metricsScenarios, serveExpress, serveFastify, serveHono, serveRoutes } from '@armor/test-utils';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { metricsEndpoint, metricsMiddleware as expressMetrics } from './express.js';
import { armorMetrics } from './fastify.js';
import { metricsHandler, metricsMiddleware } from './hono.js';
import { metricsRoute, withMetrics } from './next.js';
import { createRegistry } from './registry.js';

adapterConformance(
  '@armor/metrics',
  {
    express: () => {
      const registry = createRegistry();
      const app = express();
      app.use(expressMetrics({ registry }));
      app.get('/users/:id', (_req, res) => res.send('ok'));
      app.get('/metrics', metricsEndpoint(registry));
      return serveExpress(app);
    },
    hono: () => {
      const registry = createRegistry();
      const app = new Hono();
      app.use(metricsMiddleware({ registry }));
      app.get('/users/:id', (c) => c.text('ok'));
      app.get('/metrics', metricsHandler(registry));
      return serveHono(app);
    },
    fastify: async () => {
      const app = Fastify();
      await app.register(armorMetrics, { registry: createRegistry() });
      app.get('/users/:id', async () => 'ok');
      return serveFastify(app);
    },
    next: () => {
      const registry = createRegistry();
      const user = { GET: withMetrics(() => new Response('ok'), { registry, route: '/users/[id]' }) };
      return serveRoutes({ '/users/42': user, '/users/43': user, '/metrics': metricsRoute(registry) });
    },
  },
  metricsScenarios,
);

describe('@armor/metrics framework specifics', () => {
  it('Hono: unmatched requests and thrown errors are labelled (unmatched) / 5xx', async () => {
    const registry = createRegistry();
    const app = new Hono();
    app.use(metricsMiddleware({ registry }));
    app.get('/boom/:id', () => {
      throw new Error('x');
    });
    app.onError((_err, c) => c.text('handled', 500));
    await app.request('/nope/1');
    await app.request('/boom/1');
    const text = registry.metrics();
    expect(text).toContain('route="(unmatched)",status_class="4xx"');
    expect(text).toContain('route="/boom/:id",status_class="5xx"');
  });

  it('Fastify: config.armor.metrics false leaves a route out; 404s are (unmatched); bad options reject', async () => {
    const registry = createRegistry();
    const app = Fastify();
    await app.register(armorMetrics, { registry, path: false });
    app.get('/quiet', { config: { armor: { metrics: false } } }, async () => 'q');
    app.get('/loud/:id', async () => 'l');
    await app.inject('/quiet');
    await app.inject('/loud/1');
    await app.inject('/missing');
    const text = registry.metrics();
    expect(text).not.toContain('/quiet');
    expect(text).toContain('route="/loud/:id"');
    expect(text).toContain('route="(unmatched)",status_class="4xx"');
    expect((await app.inject('/metrics')).statusCode).toBe(404);
    await app.close();
    await expect(Fastify().register(armorMetrics, { registry, pth: '/m' } as never).ready()).rejects.toThrow(/path/);
  });

  it('Next: withMetrics needs the template; bad options throw', () => {
    const registry = createRegistry();
    expect(() => withMetrics(() => new Response('x'), { registry } as never)).toThrow(/route/);
    expect(() => metricsRoute({} as never)).toThrow(/registry/);
  });
});

/**
 * Every framework adapter of @armor/errors passes the same scenarios over real sockets
 * (the adapter conformance suite of @armor/test-utils).
 */
import { adapterConformance, errorScenarios, serveExpress, serveFastify, serveHono, serveRoutes } from '@armor/test-utils';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from './classes.js';
import { errorMiddleware, notFound } from './express.js';
import { armorErrors } from './fastify.js';
import { problemDetails, problemNotFound } from './hono.js';
import { withProblemDetails } from './next.js';

const boom = () => {
  throw new Error('db password is hunter2');
};
const teapot = () => {
  throw new NotFoundError('No such teapot');
};

adapterConformance(
  '@armor/errors',
  {
    express: () => {
      const app = express();
      app.get('/boom', boom);
      app.get('/teapot', teapot);
      app.use(notFound());
      app.use(errorMiddleware());
      return serveExpress(app);
    },
    hono: () => {
      const app = new Hono();
      app.get('/boom', boom);
      app.get('/teapot', teapot);
      app.notFound(problemNotFound());
      app.onError(problemDetails());
      return serveHono(app);
    },
    fastify: async () => {
      const app = Fastify();
      await app.register(armorErrors);
      app.get('/boom', async () => boom());
      app.get('/teapot', async () => teapot());
      return serveFastify(app);
    },
    next: () =>
      serveRoutes({
        '/boom': { GET: withProblemDetails(async () => boom()) },
        '/teapot': { GET: withProblemDetails(async () => teapot()) },
        // Next.js answers unknown paths itself; an app's catch-all route uses the wrapper:
        '/nowhere': { GET: withProblemDetails(async () => teapot()) },
      }),
  },
  errorScenarios,
);

describe('@armor/errors/fastify specifics', () => {
  it('a schema validation failure is a 400 problem with field paths, values not echoed', async () => {
    const app = Fastify();
    await app.register(armorErrors);
    app.post('/items', { schema: { body: { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 3 } } } } }, async () => ({ ok: true }));
    const res = await app.inject({ method: 'POST', url: '/items', payload: { name: 'toolongsecret' } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).not.toContain('toolongsecret');
    expect(JSON.parse(res.body)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', errors: [{ path: '/body/name' }] });
    const bad = await app.inject({ method: 'POST', url: '/items', headers: { 'content-type': 'application/json' }, payload: '{"name":' });
    expect(bad.statusCode).toBe(400);
    await app.close();
  });
});

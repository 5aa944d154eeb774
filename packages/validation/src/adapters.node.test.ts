/**
 * Every framework adapter of @armor/validation passes the same scenarios over real sockets (the
 * adapter conformance suite of @armor/test-utils), plus each framework's conventions.
 */
import { armorErrors } from '@armor/errors/fastify';
import { errorMiddleware } from '@armor/errors/express';
import { adapterConformance, bodyLimitScenarios, serveExpress, serveFastify, serveHono, serveRoutes } from '@armor/test-utils';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validate as expressValidate } from './express.js';
import { armorValidation } from './fastify.js';
import { validate } from './hono.js';
import { withValidation } from './next.js';

const body = z.object({ name: z.string().max(20) });
const maxBytes = 64 * 1024;

adapterConformance(
  '@armor/validation',
  {
    express: () => {
      const app = express();
      app.post('/items', express.json({ limit: maxBytes }), expressValidate({ body }), (req, res) => res.status(201).json(req.body));
      app.use(errorMiddleware());
      return serveExpress(app);
    },
    hono: () => {
      const app = new Hono();
      app.post('/items', validate({ body, maxBytes }), (c) => c.json(c.var.valid.body, 201));
      return serveHono(app);
    },
    fastify: async () => {
      const app = Fastify({ bodyLimit: maxBytes });
      await app.register(armorErrors);
      await app.register(armorValidation);
      app.post('/items', { config: { armor: { validation: { body } } } }, async (request, reply) => reply.code(201).send(request.body));
      return serveFastify(app);
    },
    next: () => serveRoutes({ '/items': { POST: withValidation({ body, maxBytes }, (valid) => Response.json(valid.body, { status: 201 })) } }),
  },
  bodyLimitScenarios,
);

describe('@armor/validation framework specifics', () => {
  it('Hono: query and params are validated and typed', async () => {
    const app = new Hono();
    app.get('/users/:id', validate({ params: z.object({ id: z.coerce.number() }), query: z.object({ tag: z.array(z.string()).or(z.string()) }) }), (c) => c.json({ id: c.var.valid.params.id + 1, tag: c.var.valid.query.tag }));
    const ok = await app.request('/users/41?tag=a&tag=b');
    expect(await ok.json()).toEqual({ id: 42, tag: ['a', 'b'] });
    expect((await app.request('/users/x?tag=a')).status).toBe(400);
  });

  it('Next: params come from the route context; a chunked body is capped while streaming', async () => {
    const route = withValidation({ params: z.object({ id: z.string().regex(/^\d+$/) }), body, maxBytes: 20 }, (valid) => Response.json(valid.params));
    const json = (text: string) => new Request('http://localhost/u/1', { method: 'POST', body: text, headers: { 'content-type': 'application/json' } });
    expect(await (await route(json('{"name":"a"}'), { params: Promise.resolve({ id: '7' }) })).json()).toEqual({ id: '7' });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new TextEncoder().encode('{"name":"aaaa"}'));
        controller.close();
      },
    });
    const chunked = new Request('http://localhost/u/1', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect((await route(chunked, { params: { id: '7' } })).status).toBe(413);
    expect((await route(json('{"name":'), { params: { id: '7' } })).status).toBe(400);
  });

  it('Fastify: bad options reject ready(); routes without config.armor.validation are untouched', async () => {
    await expect(Fastify().register(armorValidation, { hook: 'onRequest' as never }).ready()).rejects.toThrow(/hook/);
    const app = Fastify();
    await app.register(armorValidation);
    app.post('/raw', async (request) => request.body);
    expect(JSON.parse((await app.inject({ method: 'POST', url: '/raw', payload: { a: 1 } })).body)).toEqual({ a: 1 });
    await app.close();
  });
});

import { errorMiddleware } from '@armor/errors/express';
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { validate } from './express.js';
import { schemas } from './schemas.js';

let server: Server;
let base: string;

const Item = z.object({ name: schemas.safeString({ max: 20 }), tags: z.array(z.string()).max(3).default([]) });

beforeAll(async () => {
  const app = express();
  app.use(express.json({ limit: '2mb' }));
  app.post(
    '/projects/:id/items',
    validate({
      params: z.object({ id: schemas.id({ kind: 'numeric' }) }),
      query: schemas.pagination({ maxLimit: 50 }),
      body: z.object({ items: z.array(Item).min(1) }),
    }),
    (req, res) => {
      expectTypeOf(req.body.items[0]!.name).toEqualTypeOf<string>();
      expectTypeOf(req.query.limit).toEqualTypeOf<number>();
      expectTypeOf(req.params.id).toEqualTypeOf<string>();
      res.json({ id: req.params.id, limit: req.query.limit, items: req.body.items });
    },
  );
  app.get('/search', validate({ query: z.object({ q: schemas.safeString({ max: 50 }) }), onError: 'next' }), (req, res) => {
    res.json({ q: req.query.q });
  });
  app.post('/loose', validate({ body: z.unknown(), limits: { maxDepth: 5 } }), (_req, res) => {
    res.json({ ok: true });
  });
  app.use(errorMiddleware());
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

const post = (path: string, body: unknown) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('validate() over a real socket', () => {
  it('passes typed, parsed values to the handler', async () => {
    const res = await post('/projects/7/items?limit=5', { items: [{ name: '  Caf\u0065\u0301 ' }] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: '7', limit: 5, items: [{ name: 'Café', tags: [] }] });
  });

  it('answers 400 problem+json with every issue of every part', async () => {
    const res = await post('/projects/abc/items?limit=500', { items: [{ name: 'ok' }, { name: 'a\u202Eb', tags: [1] }] });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as { status: number; code: string; errors: { path: string; code: string }[]; instance: string };
    expect(problem.status).toBe(400);
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.instance).toBe('/projects/abc/items');
    expect(problem.errors.map((e) => e.path)).toEqual(['/params/id', '/query/limit', '/body/items/1/name', '/body/items/1/tags/0']);
  });

  it('rejects a 10,000-deep JSON body with 400, not a crash', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const res = await post('/loose', deep);
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: { code: string; path: string }[] };
    expect(problem.errors[0]?.code).toBe('too_deep');
    expect(problem.errors[0]?.path.startsWith('/body/0/0/0')).toBe(true);
  });

  it('rejects hostile bodies with 400: wrong types, NUL bytes, megabyte strings', async () => {
    for (const body of [{ items: 'x' }, { items: [{ name: 'a\0b' }] }, { items: [{ name: 'x'.repeat(1_000_000) }] }, [], 'null', '"str"']) {
      const res = await post('/projects/1/items', body);
      expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(400);
    }
  });

  it("onError: 'next' hands the ValidationError to the error middleware", async () => {
    const ok = await fetch(`${base}/search?q=hello`);
    expect(await ok.json()).toEqual({ q: 'hello' });
    const res = await fetch(`${base}/search?q=a&q=b`);
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { code: string; errors: { path: string }[] };
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors[0]?.path).toBe('/query/q');
  });
});

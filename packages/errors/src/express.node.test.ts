import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NotFoundError, RateLimitError, ValidationError } from './index.js';
import { errorMiddleware, notFound } from './express.js';

let server: Server;
let base: string;
const logged: unknown[] = [];

beforeAll(async () => {
  const app = express();
  app.use(express.json({ limit: '1kb' }));
  app.post('/echo', (req, res) => {
    res.json(req.body);
  });
  app.get('/missing', () => {
    throw new NotFoundError('Project not found');
  });
  app.get('/secret', () => {
    throw new Error('db password=hunter2 at 10.0.0.5');
  });
  app.get('/async', async () => {
    await Promise.resolve();
    throw new RateLimitError('Slow down', { retryAfterMs: 2500 });
  });
  app.get('/invalid', () => {
    throw new ValidationError('Invalid query', { issues: [{ path: '/limit', message: 'Too big', code: 'too_big' }] });
  });
  app.get('/string', () => {
    throw 'a string';
  });
  app.use(notFound());
  app.use(errorMiddleware({ logger: { error: (e) => logged.push(e), warn: vi.fn() } }));
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function problem(response: Response) {
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await response.json()) as Record<string, unknown>;
}

describe('errorMiddleware over real HTTP', () => {
  it('malformed JSON body → 400', async () => {
    const response = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a": }' });
    expect(response.status).toBe(400);
    const body = await problem(response);
    expect(body).toMatchObject({ status: 400, code: 'BAD_REQUEST', detail: 'Malformed request body', instance: '/echo' });
  });

  it('oversized body → 413', async () => {
    const response = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ big: 'x'.repeat(5000) }),
    });
    expect(response.status).toBe(413);
    expect(await problem(response)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('thrown NotFoundError → 404 with its message', async () => {
    const response = await fetch(`${base}/missing`);
    expect(response.status).toBe(404);
    expect(await problem(response)).toMatchObject({ code: 'NOT_FOUND', detail: 'Project not found', title: 'Not Found' });
  });

  it('thrown plain Error → 500 with a generic detail; the secret is logged, not sent', async () => {
    const response = await fetch(`${base}/secret`);
    expect(response.status).toBe(500);
    const text = await response.clone().text();
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('10.0.0.5');
    expect(await problem(response)).toMatchObject({ code: 'INTERNAL', detail: 'An internal error occurred.' });
    expect(JSON.stringify(logged)).toContain('hunter2');
  });

  it('async throw → 429 with Retry-After', async () => {
    const response = await fetch(`${base}/async`);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    await problem(response);
  });

  it('validation errors list their issues', async () => {
    const response = await fetch(`${base}/invalid`);
    expect(response.status).toBe(400);
    expect((await problem(response)).errors).toEqual([{ path: '/limit', message: 'Too big', code: 'too_big' }]);
  });

  it('thrown strings and unknown routes', async () => {
    expect((await fetch(`${base}/string`)).status).toBe(500);
    const response = await fetch(`${base}/nope`);
    expect(response.status).toBe(404);
    expect(await problem(response)).toMatchObject({ detail: 'Route not found' });
  });
});

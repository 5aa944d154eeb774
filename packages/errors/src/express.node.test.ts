import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuthenticationError, fromUnknown, GoneError, MethodNotAllowedError, NotFoundError, NotImplementedError, PreconditionFailedError, RateLimitError, ValidationError } from './index.js';
import { userMessage } from './client.js';
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

describe('protocol (issue 17 item 9) over real HTTP', () => {
  let server2: Server;
  let url = '';
  const logs: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    const app = express();
    app.get('/private', () => {
      throw new AuthenticationError('Sign in first');
    });
    app.get('/basic', () => {
      throw new AuthenticationError('Sign in first', { headers: { 'WWW-Authenticate': 'Basic realm="admin"' } });
    });
    app.route('/items').get((_req, res) => void res.send('ok')).all(() => {
      throw new MethodNotAllowedError('Use GET', { allow: ['GET', 'HEAD'] });
    });
    app.get('/gone', () => {
      throw new GoneError('Moved away');
    });
    app.get('/precondition', () => {
      throw new PreconditionFailedError('ETag mismatch');
    });
    app.get('/unprocessable', () => {
      throw Object.assign(new Error('Business rule refused it'), { status: 422, statusCode: 422, expose: true }); // an http-errors 422
    });
    app.get('/later', () => {
      throw new NotImplementedError();
    });
    app.get('/aborted', () => {
      throw new DOMException('The user aborted a request.', 'AbortError');
    });
    app.get('/late', (_req, res, next) => {
      res.write('partial');
      next(new Error('failed mid-stream'));
    });
    app.get('/injected', () => {
      throw new AuthenticationError('x', { headers: { 'x-bad': 'a\r\nset-cookie: pwned=1', 'content-type': 'text/html', 'x-good': 'yes' } });
    });
    app.use(
      errorMiddleware({
        wwwAuthenticate: 'Bearer realm="api"',
        logger: { error: (e) => logs.push(e), warn: (e) => logs.push(e) },
        headers: (error, context) => ({ 'x-error-code': error.code, 'x-instance': context.instance ?? '' }),
        format: (body) => ({ ...body, docs: `https://docs.example.com/${body.code}` }),
      }),
    );
    server2 = await new Promise<Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    url = `http://127.0.0.1:${(server2.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server2.close(() => resolve())));

  it('401 carries WWW-Authenticate (the handler default, or the error’s own); 405 carries Allow', async () => {
    const r401 = await fetch(`${url}/private`);
    expect(r401.status).toBe(401);
    expect(r401.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    expect((await fetch(`${url}/basic`)).headers.get('www-authenticate')).toBe('Basic realm="admin"');
    const r405 = await fetch(`${url}/items`, { method: 'DELETE' });
    expect(r405.status).toBe(405);
    expect(r405.headers.get('allow')).toBe('GET, HEAD');
    expect(await problem(r405)).toMatchObject({ code: 'METHOD_NOT_ALLOWED', detail: 'Use GET' });
  });

  it('the headers hook adds headers; the formatter reshapes the body; injected header values are dropped', async () => {
    const res = await fetch(`${url}/gone`);
    expect(res.headers.get('x-error-code')).toBe('GONE');
    expect(res.headers.get('x-instance')).toBe('/gone');
    expect(await problem(res)).toMatchObject({ status: 410, code: 'GONE', docs: 'https://docs.example.com/GONE' });
    const injected = await fetch(`${url}/injected`);
    expect(injected.headers.get('x-good')).toBe('yes');
    expect(injected.headers.get('x-bad')).toBeNull();
    expect(injected.headers.get('set-cookie')).toBeNull();
    expect(injected.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('codes for 410, 412, 422 (http-errors 422 keeps its own code) and 501', async () => {
    const codes: Array<[string, number, string]> = [
      ['/gone', 410, 'GONE'],
      ['/precondition', 412, 'PRECONDITION_FAILED'],
      ['/unprocessable', 422, 'UNPROCESSABLE_CONTENT'],
      ['/later', 501, 'NOT_IMPLEMENTED'],
    ];
    for (const [path, status, code] of codes) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(status);
      expect(await problem(res), path).toMatchObject({ status, code });
    }
  });

  it('a client AbortError is a 499, logged as a warning — not a 500 "on our side"', async () => {
    logs.length = 0;
    const res = await fetch(`${url}/aborted`);
    expect(res.status).toBe(499);
    const body = await problem(res);
    expect(body).toMatchObject({ code: 'CLIENT_CLOSED_REQUEST', title: 'Client Closed Request' });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ level: 'warn' });
    expect(userMessage(fromUnknown(new DOMException('x', 'AbortError')))).not.toMatch(/on our side/);
  });

  it('an error after the headers were sent is still logged', async () => {
    logs.length = 0;
    await fetch(`${url}/late`).then((r) => r.text()).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    expect(logs.some((l) => String(l.msg).includes('INTERNAL') && l.headersSent === true)).toBe(true);
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, RateLimitError, ValidationError, toProblemDetails, problemHeaders } from './index.js';
import { toConvexError } from './convex.js';
import { fieldErrors, fieldName, fromConvexError, fromResponse, isArmorError, isRetryable, normalizeClientError, parseRetryAfter, readProblem, retryDelay, userMessage } from './client.js';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const send = (status: number, headers: Record<string, string>, body: string) => res.writeHead(status, headers).end(body);
    const problem = (error: NotFoundError | RateLimitError | ValidationError) =>
      send(error.status, problemHeaders(error), JSON.stringify(toProblemDetails(error)));
    switch (req.url) {
      case '/not-found': return problem(new NotFoundError('Project not found'));
      case '/limited': return problem(new RateLimitError('Slow down', { retryAfterMs: 3000 }));
      case '/invalid':
        return problem(new ValidationError('Invalid body', { issues: [{ path: '/name', message: 'Required', code: 'invalid_type' }, { path: '/items/0/qty', message: 'Too small', code: 'too_small' }] }));
      case '/html': return send(502, { 'content-type': 'text/html' }, '<html><body><h1>502 Bad Gateway</h1></body></html>');
      case '/empty': return send(503, {}, '');
      case '/broken-json': return send(400, { 'content-type': 'application/problem+json' }, '{"code": "NOT_FO');
      case '/internal': return send(500, { 'content-type': 'application/problem+json' }, JSON.stringify({ status: 500, code: 'INTERNAL', detail: 'An internal error occurred.' }));
      case '/date-retry': return send(503, { 'retry-after': new Date(Date.now() + 5000).toUTCString() }, '');
      default: return send(404, {}, '');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('fromResponse with real fetch', () => {
  it('reads problem+json into the matching class', async () => {
    const error = await fromResponse(await fetch(`${base}/not-found`));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe('Project not found');
    expect(userMessage(error)).toBe('Project not found');
    expect(isRetryable(error)).toBe(false);
  });

  it('reads Retry-After', async () => {
    const error = await fromResponse(await fetch(`${base}/limited`));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(3000);
    expect(isRetryable(error)).toBe(true);
    expect(retryDelay(error)).toBe(3000);
    const dated = await fromResponse(await fetch(`${base}/date-retry`));
    expect(dated.retryAfterMs).toBeGreaterThan(3000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(5000);
  });

  it('readProblem reads the same fields without building an error', async () => {
    const problem = await readProblem(await fetch(`${base}/limited`));
    expect(problem).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfterMs: 3000, issues: [] });
    const found = await readProblem(await fetch(`${base}/not-found`));
    expect(found).toMatchObject({ status: 404, code: 'NOT_FOUND', detail: 'Project not found' });
    expect(isArmorError(found)).toBe(false);
    const html = await readProblem(await fetch(`${base}/html`));
    expect(html).toMatchObject({ status: 502, code: 'EXTERNAL_SERVICE_ERROR', detail: undefined, body: undefined });
    const invalid = await readProblem(await fetch(`${base}/invalid`));
    expect(invalid.issues.map((i) => i.path)).toEqual(['/name', '/items/0/qty']);
  });

  it('maps validation issues to form fields', async () => {
    const error = await fromResponse(await fetch(`${base}/invalid`));
    expect(error).toBeInstanceOf(ValidationError);
    expect(fieldErrors(error)).toEqual({ name: 'Required', 'items.0.qty': 'Too small' });
  });

  it('falls back on HTML, empty and broken bodies without throwing', async () => {
    const html = await fromResponse(await fetch(`${base}/html`));
    expect(html.code).toBe('EXTERNAL_SERVICE_ERROR');
    expect(html.status).toBe(502);
    expect(userMessage(html)).not.toContain('<html>');
    const empty = await fromResponse(await fetch(`${base}/empty`));
    expect(empty.code).toBe('SERVICE_UNAVAILABLE');
    expect(isRetryable(empty)).toBe(true);
    const broken = await fromResponse(await fetch(`${base}/broken-json`));
    expect(broken.code).toBe('BAD_REQUEST');
    const internal = await fromResponse(await fetch(`${base}/internal`));
    expect(userMessage(internal)).toBe('Something went wrong on our side. Please try again.');
    const consumed = await fetch(`${base}/not-found`);
    await consumed.text();
    expect((await fromResponse(consumed)).code).toBe('NOT_FOUND');
  });

  it('treats network failures as retryable with a clear message', async () => {
    const closed = `http://127.0.0.1:1/`;
    const thrown = await fetch(closed).catch((e: unknown) => e);
    expect(isRetryable(thrown)).toBe(true);
    expect(normalizeClientError(thrown).details).toEqual({ network: true });
    expect(userMessage(thrown)).toBe('You appear to be offline. Please check your connection.');
    expect(userMessage(thrown, { messages: { NETWORK: 'Hors ligne' } })).toBe('Hors ligne');
  });
});

describe('helpers', () => {
  it('fromConvexError reads Armor ConvexError data', () => {
    const error = fromConvexError(toConvexError(new ValidationError('bad', { issues: [{ path: '/body', message: 'Too long', code: 'too_big' }] })));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(fieldErrors(error)).toEqual({ body: 'Too long' });
    expect(fromConvexError(new Error('[CONVEX M(x)] Server Error')).code).toBe('INTERNAL');
  });
  it('userMessage overrides per code, functions included, and never leaks 5xx text', () => {
    const limited = new RateLimitError('x', { retryAfterMs: 2500 });
    expect(userMessage(limited, { messages: { RATE_LIMITED: (e) => `Attendez ${Math.ceil((e.retryAfterMs ?? 0) / 1000)} s` } })).toBe('Attendez 3 s');
    expect(userMessage(new Error('password=hunter2'))).toBe('Something went wrong on our side. Please try again.');
    expect(userMessage(new Error('x'), { messages: { INTERNAL: () => { throw new Error('bad override'); } } })).toContain('Something went wrong');
  });
  it('fieldName and parseRetryAfter', () => {
    expect(fieldName('')).toBe('_form');
    expect(fieldName('/a~1b/0')).toBe('a/b.0');
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('nonsense')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

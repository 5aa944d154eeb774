/**
 * The adapter conformance suite: the same scenarios, over real sockets, against every framework
 * adapter of a package (Express, Hono on `@hono/node-server`, Fastify, and a Next.js App Router
 * route handler served as the Fetch function it is). A package's test builds one app per framework
 * with the routes a scenario family names, and passes them here; a new adapter gets every
 * scenario for free.
 *
 * @module
 */
import type { AddressInfo } from 'node:net';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The frameworks the suite knows. */
export type Framework = 'express' | 'hono' | 'fastify' | 'next';

/** A running app. */
export interface Served {
  base: string;
  close(): Promise<void>;
}

const baseOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });

/** Serves an Express app on a free loopback port. */
export async function serveExpress(app: { listen(port: number, host: string, cb: () => void): Server }): Promise<Served> {
  let server!: Server;
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', resolve);
  });
  return { base: baseOf(server), close: () => closeServer(server) };
}

/** Serves a Hono app (anything with `fetch`) with `@hono/node-server`, passing its bindings (`c.env.incoming`). */
export async function serveHono(app: { fetch: (request: Request, env?: unknown) => Response | Promise<Response> }): Promise<Served> {
  let server!: Server;
  await new Promise<void>((resolve) => {
    // The node server's bindings (`c.env.incoming`, the socket) go on to the app, as in production.
    server = serve({ fetch: (request: Request, env: unknown) => app.fetch(request, env), port: 0, hostname: '127.0.0.1' }, () => resolve()) as Server;
  });
  return { base: baseOf(server), close: () => closeServer(server) };
}

/** Serves a Fastify instance. */
export async function serveFastify(app: { listen(options: { port: number; host: string }): Promise<string>; close(): Promise<unknown> }): Promise<Served> {
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    base: address,
    close: async () => {
      await app.close();
    },
  };
}

async function toRequest(req: IncomingMessage, base: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  // Next.js appends the socket's address to X-Forwarded-For before any handler runs.
  const peer = req.socket.remoteAddress;
  if (peer) headers.set('x-forwarded-for', headers.has('x-forwarded-for') ? `${headers.get('x-forwarded-for')}, ${peer}` : peer);
  const init: RequestInit = { method: req.method ?? 'GET', headers };
  if (chunks.length && req.method !== 'GET' && req.method !== 'HEAD') init.body = Buffer.concat(chunks);
  return new Request(new URL(req.url ?? '/', base), init);
}

/**
 * Serves Next.js App Router route handlers (`(request) => Response`) by path, the way Next calls
 * them: a Web `Request` in, a Web `Response` out, plus the client address Next puts in
 * `x-forwarded-for`. Unknown paths are 404 (as Next answers them, before any handler).
 */
export async function serveRoutes(routes: Record<string, Partial<Record<string, (request: Request) => Response | Promise<Response>>>>): Promise<Served> {
  let base = '';
  const server = createServer((req, res) => {
    void (async () => {
      const request = await toRequest(req, base);
      const path = new URL(request.url).pathname;
      const handler = routes[path]?.[req.method ?? 'GET'];
      const response = handler ? await handler(request) : new Response('Not Found', { status: 404 });
      res.statusCode = response.status;
      response.headers.forEach((value, key) => res.setHeader(key, value));
      res.end(Buffer.from(await response.arrayBuffer()));
    })().catch((error: unknown) => {
      res.statusCode = 599; // the harness itself failed: never a status an adapter would answer
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = baseOf(server);
  return { base, close: () => closeServer(server) };
}

/** One check against a running app. */
export interface Scenario {
  name: string;
  check(base: string): Promise<void>;
}

/** Runs every scenario against every framework's app. */
export function adapterConformance(pkg: string, apps: Partial<Record<Framework, () => Promise<Served>>>, scenarios: readonly Scenario[]): void {
  for (const [framework, start] of Object.entries(apps) as [Framework, () => Promise<Served>][]) {
    describe(`adapter conformance: ${pkg} on ${framework}`, () => {
      let served: Served;
      beforeAll(async () => {
        served = await start();
      });
      afterAll(() => served?.close());
      for (const scenario of scenarios) it(scenario.name, () => scenario.check(served.base));
    });
  }
}

async function problem(res: Response) {
  expect(res.headers.get('content-type') ?? '').toContain('application/problem+json');
  return (await res.json()) as { status: number; title?: string; detail?: string; type?: string; instance?: string };
}

/**
 * Errors: apps serve `GET /boom` (throws `new Error('db password is hunter2')`),
 * `GET /teapot` (throws `new NotFoundError('No such teapot')`) and nothing at `/nowhere`.
 */
export const errorScenarios: readonly Scenario[] = [
  {
    name: 'a thrown Error is a 500 problem+json that leaks nothing',
    async check(base) {
      const res = await fetch(`${base}/boom`);
      expect(res.status).toBe(500);
      const body = await problem(res);
      expect(body.status).toBe(500);
      expect(JSON.stringify(body)).not.toContain('hunter2');
    },
  },
  {
    name: 'an ArmorError keeps its status and its exposed detail',
    async check(base) {
      const res = await fetch(`${base}/teapot`);
      expect(res.status).toBe(404);
      expect(await problem(res)).toMatchObject({ status: 404, detail: 'No such teapot', instance: '/teapot' });
    },
  },
  {
    name: 'an unmatched route is a 404 problem+json',
    async check(base) {
      const res = await fetch(`${base}/nowhere`);
      expect(res.status).toBe(404);
      expect((await problem(res)).status).toBe(404);
    },
  },
];

/**
 * Rate limits: apps serve `GET /limited` behind a limiter of 2 requests per 60 s keyed by client
 * IP, answering 200 `ok` when allowed.
 */
export const rateLimitScenarios: readonly Scenario[] = [
  {
    name: 'the third request is a 429 problem+json with IETF RateLimit headers and Retry-After',
    async check(base) {
      const first = await fetch(`${base}/limited`);
      expect(first.status).toBe(200);
      expect(first.headers.get('ratelimit-policy') ?? '').toMatch(/2;w=60/);
      await fetch(`${base}/limited`);
      const third = await fetch(`${base}/limited`);
      expect(third.status).toBe(429);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(third.headers.get('ratelimit') ?? '').toMatch(/r=0/);
      expect((await problem(third)).status).toBe(429);
    },
  },
];

/**
 * Security headers: apps serve `GET /page`, an HTML page whose inline script carries the
 * request's CSP nonce (`<script nonce="…">`).
 */
export const securityHeaderScenarios: readonly Scenario[] = [
  {
    name: 'helmet-grade headers on every answer',
    async check(base) {
      const res = await fetch(`${base}/page`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('strict-transport-security') ?? '').toContain('max-age=');
      expect(res.headers.get('x-frame-options') ?? res.headers.get('content-security-policy') ?? '').toBeTruthy();
      expect(res.headers.get('x-powered-by')).toBeNull();
    },
  },
  {
    name: 'the CSP nonce in the header is the one in the page, and fresh per request',
    async check(base) {
      const nonces: string[] = [];
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${base}/page`);
        const csp = res.headers.get('content-security-policy') ?? '';
        const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
        expect(nonce, csp).toBeTruthy();
        expect(await res.text()).toContain(`nonce="${nonce}"`);
        nonces.push(nonce!);
      }
      expect(nonces[0]).not.toBe(nonces[1]);
    },
  },
];

/**
 * Health probes: apps serve the probes of a health instance at `/health` whose one critical
 * check (`db`) throws `new Error('password=hunter2')`, marked ready; so liveness passes and
 * readiness fails.
 */
export const healthScenarios: readonly Scenario[] = [
  {
    name: 'liveness is 200 application/health+json, no-store',
    async check(base) {
      const res = await fetch(`${base}/health/live`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type') ?? '').toContain('application/health+json');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toMatchObject({ status: 'pass' });
    },
  },
  {
    name: 'a failing critical check makes readiness 503 without leaking its message',
    async check(base) {
      const res = await fetch(`${base}/health/ready`);
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ status: 'fail' });
      expect(text).not.toContain('hunter2');
    },
  },
  {
    name: 'HEAD answers the status without a body',
    async check(base) {
      const res = await fetch(`${base}/health/live`, { method: 'HEAD' });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('');
    },
  },
];

/** The `name=value` pair of a response's first `Set-Cookie` (what a browser would send back). */
function cookiePair(res: Response): string {
  const raw = res.headers.getSetCookie?.()[0] ?? res.headers.get('set-cookie') ?? '';
  return raw.split(';')[0]!;
}

/**
 * CSRF: the session is the `x-session` request header. Apps serve `GET /csrf/token` (issues a
 * token for the session: JSON `{ token }` plus its cookie) and `POST /csrf/submit` (200 `ok`
 * when the check passes), protected by a CSRF adapter with default settings.
 */
export const csrfScenarios: readonly Scenario[] = [
  {
    name: 'a POST with the cookie and the matching token header passes',
    async check(base) {
      const issued = await fetch(`${base}/csrf/token`, { headers: { 'x-session': 's1' } });
      expect(issued.status).toBe(200);
      const { token } = (await issued.json()) as { token: string };
      const res = await fetch(`${base}/csrf/submit`, { method: 'POST', headers: { 'x-session': 's1', cookie: cookiePair(issued), 'x-csrf-token': token } });
      expect(res.status).toBe(200);
    },
  },
  {
    name: 'a POST without a token is a 403 problem+json',
    async check(base) {
      const res = await fetch(`${base}/csrf/submit`, { method: 'POST', headers: { 'x-session': 's1' } });
      expect(res.status).toBe(403);
      expect((await problem(res)).status).toBe(403);
    },
  },
  {
    name: "another session's token is refused",
    async check(base) {
      const issued = await fetch(`${base}/csrf/token`, { headers: { 'x-session': 's1' } });
      const { token } = (await issued.json()) as { token: string };
      const res = await fetch(`${base}/csrf/submit`, { method: 'POST', headers: { 'x-session': 's2', cookie: cookiePair(issued), 'x-csrf-token': token } });
      expect(res.status).toBe(403);
    },
  },
  {
    name: 'a cross-site POST is refused even with a valid token',
    async check(base) {
      const issued = await fetch(`${base}/csrf/token`, { headers: { 'x-session': 's1' } });
      const { token } = (await issued.json()) as { token: string };
      const res = await fetch(`${base}/csrf/submit`, { method: 'POST', headers: { 'x-session': 's1', cookie: cookiePair(issued), 'x-csrf-token': token, origin: 'https://evil.example' } });
      expect(res.status).toBe(403);
    },
  },
];

/**
 * API-key scopes: apps authenticate every `/keys/*` request by API key (`Authorization: Bearer`
 * or `x-api-key`) and serve `GET /keys/projects` (200 JSON `{ id }` of the key) and
 * `POST /keys/projects` (requires the scope `projects:write`, answers 201). `reader` holds only
 * `projects:read`, `writer` also `projects:write`.
 */
export function apiKeyScenarios(keys: () => { reader: string; writer: string; readerId: string }): Scenario[] {
  return [
    {
      name: 'no key is a 401 problem+json with a Bearer challenge',
      async check(base) {
        const res = await fetch(`${base}/keys/projects`);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate') ?? '').toMatch(/^Bearer realm=/);
        expect((await problem(res)).status).toBe(401);
      },
    },
    {
      name: 'a valid key passes (Bearer or x-api-key) and the route sees which key it was',
      async check(base) {
        const { reader, readerId } = keys();
        const bearer = await fetch(`${base}/keys/projects`, { headers: { authorization: `Bearer ${reader}` } });
        expect(bearer.status).toBe(200);
        expect(await bearer.json()).toEqual({ id: readerId });
        expect((await fetch(`${base}/keys/projects`, { headers: { 'x-api-key': reader } })).status).toBe(200);
      },
    },
    {
      name: 'a key without the scope is a 403 insufficient_scope naming the scope; with it, the route runs',
      async check(base) {
        const { reader, writer } = keys();
        const res = await fetch(`${base}/keys/projects`, { method: 'POST', headers: { authorization: `Bearer ${reader}` } });
        expect(res.status).toBe(403);
        expect(res.headers.get('www-authenticate') ?? '').toContain('error="insufficient_scope", scope="projects:write"');
        const text = await res.text();
        expect(text).not.toContain(reader);
        expect((await fetch(`${base}/keys/projects`, { method: 'POST', headers: { authorization: `Bearer ${writer}` } })).status).toBe(201);
      },
    },
    {
      name: 'a forged key is a 401 invalid_token that does not echo it',
      async check(base) {
        const { reader } = keys();
        const forged = `${reader.slice(0, -4)}AAAA`;
        const res = await fetch(`${base}/keys/projects`, { headers: { authorization: `Bearer ${forged}` } });
        expect(res.status).toBe(401);
        expect(await res.text()).not.toContain(forged);
      },
    },
  ];
}

/**
 * Metrics route labels: apps record request metrics and serve `GET /users/:id` (200 `ok`) and
 * the scrape at `GET /metrics` (Prometheus text). Next.js route handlers name their template
 * after their folder (`/users/[id]`).
 */
export const metricsScenarios: readonly Scenario[] = [
  {
    name: 'requests are labelled by the route template, never the raw path; scrapes are not traffic',
    async check(base) {
      for (const id of ['42', '43']) expect((await fetch(`${base}/users/${id}`)).status).toBe(200);
      await fetch(`${base}/metrics`);
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type') ?? '').toMatch(/text\/plain|openmetrics/);
      const text = await res.text();
      expect(text).toMatch(/http_requests_total\{method="GET",route="\/users\/(?::id|\[id\])",status_class="2xx"\} 2\b/);
      expect(text).not.toContain('/users/42');
      expect(text).not.toMatch(/route="\/metrics"/);
    },
  },
  {
    name: 'an unknown path never becomes a label',
    async check(base) {
      await fetch(`${base}/no/such/path-7f3a`);
      const text = await (await fetch(`${base}/metrics`)).text();
      expect(text).not.toContain('path-7f3a');
    },
  },
];

/**
 * Body limits: apps serve `POST /items` validating the JSON body against
 * `z.object({ name: z.string().max(20) })` with the default structure limits and a 64 KiB
 * body limit, answering 201 with the parsed body.
 */
export const bodyLimitScenarios: readonly Scenario[] = [
  {
    name: 'a valid body passes and the route gets the parsed value',
    async check(base) {
      const res = await fetch(`${base}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'kettle', extra: 1 }) });
      expect(res.status).toBe(201);
      expect(await res.json()).toEqual({ name: 'kettle' });
    },
  },
  {
    name: 'a bad field is a 400 problem+json with its path, the value not echoed',
    async check(base) {
      const res = await fetch(`${base}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(30) + 'SECRETVALUE' }) });
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(text).not.toContain('SECRETVALUE');
      expect(JSON.parse(text)).toMatchObject({ status: 400, errors: [{ path: '/body/name' }] });
    },
  },
  {
    name: 'a body nested past the structure limit is a 400 before any schema runs',
    async check(base) {
      const deep = '['.repeat(100) + ']'.repeat(100);
      const res = await fetch(`${base}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"name":${deep}}` });
      expect(res.status).toBe(400);
      expect((await problem(res)).status).toBe(400);
    },
  },
  {
    name: 'a body over the byte limit is a 413 problem+json',
    async check(base) {
      const res = await fetch(`${base}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(100 * 1024) }) });
      expect(res.status).toBe(413);
      expect((await problem(res)).status).toBe(413);
    },
  },
];

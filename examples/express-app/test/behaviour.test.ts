import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, call, start, type Running } from './harness.js';

/** A real webhook receiver whose answers the test scripts. */
async function receiver() {
  const hits: string[] = [];
  let answer = (): number => 204;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push(body);
      res.statusCode = answer();
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`,
    hits,
    setAnswer: (fn: () => number) => (answer = fn),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe.each(BACKENDS)('service behaviour (%s)', (backend) => {
  let r: Running;
  let hook: Awaited<ReturnType<typeof receiver>>;
  let projectId: string;
  const sql: string[] = [];

  beforeAll(async () => {
    hook = await receiver();
    r = await start(backend, { env: { WEBHOOK_URL: hook.url }, tweak: (c) => (c.healthCacheMs = 0) });
    r.service.db.observe(async (text, run) => {
      sql.push(text.replace(/\s+/g, ' ').trim());
      return run();
    });
    projectId = (await call(r.base, 'POST', '/api/v1/projects', { key: r.key, body: { name: 'behaviour' } })).json.id;
  });
  afterAll(async () => {
    await r?.stop();
    await hook?.close();
  });

  it('stores sanitized HTML: no scripts, no event handlers, no javascript: URLs', async () => {
    const res = await call(r.base, 'POST', `/api/v1/projects/${projectId}/comments`, {
      key: r.key,
      body: { body: '<p onclick="x()">Hi <a href="javascript:alert(1)">there</a><script>alert(1)</script><img src=x onerror=alert(1)><b>bold</b></p>' },
    });
    expect(res.status).toBe(201);
    expect(res.json.html).not.toMatch(/<script|onclick|onerror|javascript:/i);
    expect(res.json.html).toContain('<b>bold</b>');
    const onlyScript = await call(r.base, 'POST', `/api/v1/projects/${projectId}/comments`, { key: r.key, body: { body: '<script>alert(1)</script>' } });
    expect(onlyScript.status).toBe(400);
  });

  it('lists comments with their authors in one batched users query (no N+1)', async () => {
    const project = await r.service.repos.projects.create({ tenantId: r.tenantId, name: 'n+1', createdBy: r.userId });
    const authors = [];
    for (let i = 0; i < 5; i++) authors.push(await r.service.repos.users.create({ tenantId: r.tenantId, email: `author${i}-${backend}@x.test`, name: `Author ${i}` }));
    for (let i = 0; i < 20; i++) await r.service.repos.comments.create({ projectId: project.id, authorId: authors[i % 5]!.id, html: `c${i}` });
    await call(r.base, 'GET', `/api/v1/projects/${project.id}`, { key: r.key }); // warm the API-key cache
    sql.length = 0;
    const before = r.service.db.queryCount;
    const res = await call(r.base, 'GET', `/api/v1/projects/${project.id}/comments?limit=20`, { key: r.key });
    expect(res.status).toBe(200);
    expect(res.json.items).toHaveLength(20);
    expect(new Set(res.json.items.map((c: { author: { name: string } }) => c.author.name)).size).toBe(5);
    const userQueries = sql.filter((s) => /FROM users WHERE id = ANY/.test(s));
    expect(userQueries).toHaveLength(1);
    // project check + one page of comments + one batch of authors
    expect(r.service.db.queryCount - before).toBe(3);
  });

  it('serves hot reads from the cache and invalidates on write', async () => {
    const path = `/api/v1/projects/${projectId}/comments?limit=50`;
    const first = await call(r.base, 'GET', path, { key: r.key });
    sql.length = 0;
    const second = await call(r.base, 'GET', path, { key: r.key });
    expect(second.json).toEqual(first.json);
    expect(sql.filter((s) => /FROM comments/.test(s))).toHaveLength(0);

    const created = await call(r.base, 'POST', `/api/v1/projects/${projectId}/comments`, { key: r.key, body: { body: 'fresh' } });
    const third = await call(r.base, 'GET', path, { key: r.key });
    expect(third.json.items[0].id).toBe(created.json.id);
    expect(third.json.items).toHaveLength(first.json.items.length + 1);

    expect((await call(r.base, 'GET', `/api/v1/comments/${created.json.id}`, { key: r.key })).status).toBe(200);
    sql.length = 0;
    expect((await call(r.base, 'GET', `/api/v1/comments/${created.json.id}`, { key: r.key })).status).toBe(200);
    expect(sql.filter((s) => /FROM comments/.test(s))).toHaveLength(0);
    expect((await call(r.base, 'DELETE', `/api/v1/comments/${created.json.id}`, { key: r.key })).status).toBe(204);
    expect((await call(r.base, 'GET', `/api/v1/comments/${created.json.id}`, { key: r.key })).status).toBe(404);
    const fourth = await call(r.base, 'GET', path, { key: r.key });
    expect(fourth.json.items.map((c: { id: string }) => c.id)).not.toContain(created.json.id);
  });

  it('retries the webhook and opens the breaker when it keeps failing', async () => {
    await r.service.webhook.idle();
    hook.hits.length = 0;
    let n = 0;
    hook.setAnswer(() => (++n <= 2 ? 503 : 204));
    await call(r.base, 'POST', `/api/v1/projects/${projectId}/comments`, { key: r.key, body: { body: 'retry me' } });
    await r.service.webhook.idle();
    expect(hook.hits).toHaveLength(3);
    expect(JSON.parse(hook.hits[2]!)).toMatchObject({ event: 'comment.created', payload: { html: 'retry me' } });

    hook.setAnswer(() => 500);
    hook.hits.length = 0;
    for (let i = 0; i < 3; i++) {
      const res = await call(r.base, 'POST', `/api/v1/projects/${projectId}/comments`, { key: r.key, body: { body: `down ${i}` } });
      expect(res.status).toBe(201); // a failing webhook never fails the request
      await r.service.webhook.idle();
    }
    expect(r.service.webhook.breaker.stats().state).toBe('open');
    expect(hook.hits.length).toBeLessThan(9); // the open breaker stopped calling
  });

  it('answers readiness 503 while the database is down', async () => {
    expect((await call(r.base, 'GET', '/health/ready')).status).toBe(200);
    if (r.pg) {
      await r.pg.stop();
      const down = await call(r.base, 'GET', '/health/ready');
      expect(down.status).toBe(503);
      expect(down.headers.get('content-type')).toMatch(/^application\/health\+json/);
      expect(down.json.status).toBe('fail');
      expect((await call(r.base, 'GET', '/health/live')).status).toBe(200);
      const api = await call(r.base, 'POST', '/api/v1/projects', { key: r.key, body: { name: 'while down' } });
      expect(api.status).toBe(500);
      expect(api.json.code).toBe('DATABASE_ERROR');
      expect(api.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
      await r.pg.start();
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await call(r.base, 'GET', '/health/ready')).status;
        if (status !== 200) await new Promise((res) => setTimeout(res, 100));
      }
      expect(status).toBe(200);
    } else {
      await r.service.db.close(); // PGlite is in-process: closing it is the outage
      const down = await call(r.base, 'GET', '/health/ready');
      expect(down.status).toBe(503);
      expect(down.json.status).toBe('fail');
      expect((await call(r.base, 'GET', '/health/live')).status).toBe(200);
    }
  });
});

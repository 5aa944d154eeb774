import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, call, newTenant, start, type Running } from './harness.js';

describe.each(BACKENDS)('HTTP contract (%s)', (backend) => {
  let r: Running;
  beforeAll(async () => {
    r = await start(backend);
  });
  afterAll(() => r?.stop());

  it('creates a project, comments on it, reads and lists comments', async () => {
    const created = await call(r.base, 'POST', '/api/v1/projects', { key: r.key, body: { name: '  Apollo  ' } });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ id: expect.any(String), name: 'Apollo', createdAt: expect.any(String) });
    expect(Number.isNaN(Date.parse(created.json.createdAt))).toBe(false);
    const projectId: string = created.json.id;

    const comment = await call(r.base, 'POST', `/api/v1/projects/${projectId}/comments`, { key: r.key, body: { body: 'hello <b>world</b>' } });
    expect(comment.status).toBe(201);
    expect(comment.json).toMatchObject({ id: expect.any(String), projectId, html: expect.any(String), author: { id: r.userId }, createdAt: expect.any(String) });

    const read = await call(r.base, 'GET', `/api/v1/comments/${comment.json.id}`, { key: r.key });
    expect(read.status).toBe(200);
    expect(read.json).toEqual(comment.json);

    for (let i = 0; i < 4; i++) await call(r.base, 'POST', `/api/v1/projects/${projectId}/comments`, { key: r.key, body: { body: `c${i}` } });
    const page1 = await call(r.base, 'GET', `/api/v1/projects/${projectId}/comments?limit=2`, { key: r.key });
    expect(page1.status).toBe(200);
    expect(page1.json.items).toHaveLength(2);
    expect(page1.json.items[0].html).toBe('c3');
    expect(typeof page1.json.nextCursor).toBe('string');
    const page2 = await call(r.base, 'GET', `/api/v1/projects/${projectId}/comments?limit=2&cursor=${page1.json.nextCursor}`, { key: r.key });
    expect(page2.json.items.map((c: { html: string }) => c.html)).toEqual(['c1', 'c0']);
    const page3 = await call(r.base, 'GET', `/api/v1/projects/${projectId}/comments?limit=2&cursor=${page2.json.nextCursor}`, { key: r.key });
    expect(page3.json.items).toHaveLength(1);
    expect(page3.json.nextCursor).toBeNull();
  });

  it('answers auth failures with 401/403 problem+json', async () => {
    const none = await call(r.base, 'POST', '/api/v1/projects', { body: { name: 'x' } });
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(none.json.code).toMatch(/^(UNAUTHENTICATED|API_KEY_INVALID)$/);
    const bad = await call(r.base, 'GET', '/api/v1/comments/00000000-0000-4000-8000-000000000000', { key: 'xapp_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA_AAAAAA' });
    expect(bad.status).toBe(401);
    const readOnly = await newTenant(r.service, `ro-${backend.length}`, ['projects:read']);
    const forbidden = await call(r.base, 'POST', '/api/v1/projects', { key: readOnly.key, body: { name: 'x' } });
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.code).toMatch(/^(FORBIDDEN|INSUFFICIENT_SCOPE)$/);
  });

  it('hides other tenants’ data (404)', async () => {
    const other = await newTenant(r.service, `other-${backend.length}`);
    const p = await call(r.base, 'POST', '/api/v1/projects', { key: other.key, body: { name: 'secret' } });
    const c = await call(r.base, 'POST', `/api/v1/projects/${p.json.id}/comments`, { key: other.key, body: { body: 'x' } });
    expect((await call(r.base, 'GET', `/api/v1/comments/${c.json.id}`, { key: r.key })).status).toBe(404);
    expect((await call(r.base, 'POST', `/api/v1/projects/${p.json.id}/comments`, { key: r.key, body: { body: 'x' } })).status).toBe(404);
  });

  it('answers validation errors with 400 and field paths', async () => {
    const res = await call(r.base, 'POST', '/api/v1/projects', { key: r.key, body: { name: '', extra: 1 } });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('VALIDATION_FAILED');
    expect(res.json.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['/body/name']));
    const q = await call(r.base, 'GET', `/api/v1/projects/00000000-0000-4000-8000-000000000000/comments?limit=1000`, { key: r.key });
    expect(q.status).toBe(400);
    expect(q.json.errors[0].path).toBe('/query/limit');
  });

  it('records an audit row with an anonymized IP for each mutation', async () => {
    const p = await call(r.base, 'POST', '/api/v1/projects', { key: r.key, body: { name: 'audited' } });
    const rows = await r.service.repos.audit.list({ entity: 'project', entityId: p.json.id });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'project.create', actorUserId: r.userId, tenantId: r.tenantId });
    expect(rows[0]!.ip).not.toBe('127.0.0.1');
    expect(rows[0]!.ip).toMatch(/^127\.0\.0\.0$/);
  });

  it('serves liveness and readiness as health+json', async () => {
    const live = await call(r.base, 'GET', '/health/live');
    expect(live.status).toBe(200);
    expect(live.headers.get('content-type')).toMatch(/^application\/health\+json/);
    const ready = await call(r.base, 'GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.json.status).toBe('pass');
  });
});

/**
 * The route table's observable answers, kept when its layers are grouped for speed: the operator
 * routes (favicon, /metrics, /monitoring*) answer the same for every method, letter case and
 * trailing slash; OPTIONS on them is not answered by a router's automatic `Allow` reply; the
 * 415 check and the JSON parser; one route per API path still answers each of its methods.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, start, type Running } from './harness.js';

const ADMIN = 'admin-key-for-tests-0123456789abcdef';

describe('route table (pglite)', () => {
  let r: Running;
  beforeAll(async () => {
    r = await start('pglite', { env: { ADMIN_API_KEY: ADMIN } });
  });
  afterAll(() => r?.stop());

  it('operator GET routes: any letter case and a trailing slash, HEAD as GET, other methods fall through', async () => {
    expect((await call(r.base, 'GET', '/METRICS/')).status).toBe(401);
    expect((await call(r.base, 'GET', '/Metrics', { key: ADMIN })).status).toBe(200);
    expect((await call(r.base, 'HEAD', '/favicon.ico')).status).toBe(200);
    expect((await call(r.base, 'GET', '/Monitoring/Snapshot', { key: ADMIN })).status).toBe(200);
    // Not a GET: no route here answers, the unknown-route answer does.
    expect((await call(r.base, 'POST', '/metrics', { key: ADMIN, body: {} })).status).toBe(404);
  });

  it('OPTIONS on an operator route is an unknown route (404), not an automatic Allow answer', async () => {
    for (const path of ['/metrics', '/favicon.ico', '/monitoring/snapshot']) {
      const res = await call(r.base, 'OPTIONS', path, { key: ADMIN });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('allow'), path).toBeNull();
    }
    // The /monitoring chain still asks for the admin key first, whatever the method.
    expect((await call(r.base, 'OPTIONS', '/monitoring/anything')).status).toBe(401);
  });

  it('bodies: 415 for a non-JSON body on POST, JSON parsed, a GET without a body untouched', async () => {
    const text = await call(r.base, 'POST', '/api/v1/projects', { key: r.key, raw: 'name=x', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    const created = await call(r.base, 'POST', '/api/v1/projects', { key: r.key, body: { name: 'routing' } });
    expect(created.status).toBe(201);
    expect((await call(r.base, 'GET', '/api/v1/projects', { key: r.key })).status).toBe(200);
  });

  it('one route per API path answers each of its methods and lists them for OPTIONS', async () => {
    const project = await call(r.base, 'POST', '/api/v1/projects', { key: r.key, body: { name: 'p' } });
    const projectId = (project.json as { id: string }).id;
    const comment = await call(r.base, 'POST', `/api/v1/projects/${projectId}/comments`, { key: r.key, body: { body: '<p>x</p>' } });
    expect(comment.status).toBe(201);
    const id = (comment.json as { id: string }).id;
    expect((await call(r.base, 'GET', `/api/v1/comments/${id}`, { key: r.key })).status).toBe(200);
    const options = await call(r.base, 'OPTIONS', `/api/v1/comments/${id}`, { key: r.key });
    expect(options.headers.get('allow')).toBe('DELETE, GET, HEAD');
    expect((await call(r.base, 'DELETE', `/api/v1/comments/${id}`, { key: r.key })).status).toBe(204);
    expect((await call(r.base, 'GET', `/api/v1/comments/${id}`, { key: r.key })).status).toBe(404);
  });
});

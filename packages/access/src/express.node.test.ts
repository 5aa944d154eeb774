import type { AddressInfo } from 'node:net';
import { createAuditLog, memoryAuditStore, type AuditEntry } from '@armor/audit';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePermission } from './express.js';
import { policy } from './fixture.js';
import { auditDenials, withPermission, type Principal } from './index.js';

type Role = 'viewer' | 'editor' | 'moderator' | 'admin';
const users: Record<string, Principal<Role>> = {
  ada: { id: 'ada', roles: ['editor'], tenantId: 't1' },
  bob: { id: 'bob', roles: ['viewer'], tenantId: 't1' },
  eve: { id: 'eve', roles: ['admin'], tenantId: 't2' },
};
const comments: Record<string, { id: string; tenantId: string; authorId: string }> = {
  c1: { id: 'c1', tenantId: 't1', authorId: 'ada' },
  c2: { id: 'c2', tenantId: 't1', authorId: 'bob' },
};
const auditLog = createAuditLog({ store: memoryAuditStore() });
let base: string;
let close: () => void;

beforeAll(async () => {
  const app = express();
  const principal = (req: express.Request) => users[String(req.header('x-user'))];
  app.patch(
    '/comments/:id',
    requirePermission(policy, 'update', 'comment', { principal, resource: (req) => comments[String(req.params.id)], onDeny: auditDenials(auditLog) }),
    (_req, res) => res.json({ updated: (res.locals as { resource: { id: string } }).resource.id }),
  );
  app.delete('/comments/:id', requirePermission(policy, 'delete', 'comment', { principal, resource: (req) => comments[String(req.params.id)], onError: 'next' }), (_req, res) => res.json({}));
  // Type-level checks (no resource): a principal known at once, and one that resolves later.
  // The first middleware marks whether the guard's next() ran in the same tick.
  const tick: express.RequestHandler = (_req, res, next) => {
    res.locals.tick = 'same';
    queueMicrotask(() => (res.locals.tick = 'later'));
    next();
  };
  const answer: express.RequestHandler = (_req, res) => {
    res.json({ tick: res.locals.tick });
  };
  app.post('/comments', tick, requirePermission(policy, 'create', 'comment', { principal }), answer);
  app.post('/comments-async', tick, requirePermission(policy, 'create', 'comment', { principal: async (req) => principal(req) }), answer);
  app.use((err: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(err.status ?? 500).json({ mine: true, status: err.status });
  });
  const server = app.listen(0);
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());

const call = (method: string, path: string, user?: string) => fetch(`${base}${path}`, { method, headers: user ? { 'x-user': user } : {} });

describe('requirePermission (Express, real sockets)', () => {
  it('lets the owner through and hands the loaded resource to the handler', async () => {
    const res = await call('PATCH', '/comments/c1', 'ada');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ updated: 'c1' });
  });

  it('problem+json without detail: 403 for another author or a lower role, 404 for another tenant; each denial audited', async () => {
    for (const [user, id, status] of [
      ['ada', 'c2', 403],
      ['eve', 'c1', 404],
      ['bob', 'c2', 403],
    ] as const) {
      const res = await call('PATCH', `/comments/${id}`, user);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const body = await res.text();
      expect(body).not.toMatch(/tenant|editor|viewer|admin|default|rule/);
    }
    await new Promise((r) => setTimeout(r, 20));
    const entries: AuditEntry[] = [];
    for await (const e of auditLog.entries()) entries.push(e);
    expect(entries.map((e) => [e.event.actor.id, e.event.metadata.reason])).toEqual([
      ['ada', 'default'],
      ['eve', 'tenant'],
      ['bob', 'default'],
    ]);
    expect(entries[1]!.event).toMatchObject({ action: 'access.denied', outcome: 'denied', targets: [{ type: 'comment', id: 'c1' }] });
  });

  it('401 without a principal, 404 for a missing resource', async () => {
    expect((await call('PATCH', '/comments/c1')).status).toBe(401);
    expect((await call('PATCH', '/comments/nope', 'ada')).status).toBe(404);
  });

  it("onError: 'next' hands the error to the app's handler", async () => {
    const res = await call('DELETE', '/comments/c2', 'ada');
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ mine: true, status: 403 });
  });

  it('type-level check: a principal known at once is decided in the same tick; a promised one after it resolves; both deny alike', async () => {
    const sync = await call('POST', '/comments', 'ada');
    expect(sync.status).toBe(200);
    expect(await sync.json()).toEqual({ tick: 'same' });
    const later = await call('POST', '/comments-async', 'ada');
    expect(later.status).toBe(200);
    expect(await later.json()).toEqual({ tick: 'later' });
    for (const path of ['/comments', '/comments-async']) {
      const denied = await call('POST', path, 'bob'); // a viewer cannot create
      expect(denied.status, path).toBe(403);
      expect(denied.headers.get('content-type'), path).toContain('application/problem+json');
      expect((await call('POST', path)).status, path).toBe(401);
    }
  });

  it('refuses an unknown action or bad options at construction', () => {
    expect(() => requirePermission(policy, 'fly' as 'read', 'comment', { principal: () => undefined })).toThrow(/not an action/);
    expect(() => requirePermission(policy, 'read', 'comment', { principal: () => undefined, onError: 'throw' as 'next' })).toThrow(/onError/);
    expect(() => requirePermission(policy, 'read', 'comment', { principle: () => undefined } as never)).toThrow(/principle/);
  });
});

describe('withPermission (Fetch)', () => {
  const handler = withPermission(policy, 'update', 'comment', { principal: (r) => users[r.headers.get('x-user') ?? ''], resource: () => comments.c1 }, () => new Response('ok'));
  it('answers like the Express adapter', async () => {
    expect((await handler(new Request('http://x/c1', { headers: { 'x-user': 'ada' } }))).status).toBe(200);
    const denied = await handler(new Request('http://x/c1', { headers: { 'x-user': 'bob' } }));
    expect(denied.status).toBe(403);
    expect(denied.headers.get('content-type')).toContain('application/problem+json');
    expect((await handler(new Request('http://x/c1'))).status).toBe(401);
  });
});

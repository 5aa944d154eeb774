/**
 * The access policy over real HTTP (issue 26, "Both examples use it"): a table of other-tenant,
 * escalation and hidden-field attempts, each refused, beside the allowed counterparts; denials
 * in the audit log; `/audit` and `/audit/verify` (issue 25) for admins only, scoped to the
 * caller's tenant, and a tampered row reported by the verification.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyMatrix } from '@armor/access';
import { policy } from '../src/access.js';
import { SCOPES } from '../src/auth.js';
import type { AuditRow } from '../src/db/repositories.js';
import { call, newTenant, start, type Running } from './harness.js';

const ADMIN = 'admin-key-for-the-access-test-0123456789';
const MEMBER_SCOPES = ['projects:read', 'projects:write', 'comments:read', 'comments:write'];

interface World {
  /** Keys by who holds them. */
  keys: Record<string, string>;
  ids: Record<string, string>;
}

interface Case {
  name: string;
  as: string | null;
  method: 'GET' | 'POST' | 'DELETE';
  path: (w: World) => string;
  body?: (w: World) => unknown;
  status: number;
}

/** Every row must be refused: 404 for another tenant's rows (existence not revealed), 403 for a denial, 400 for a field the caller may not set. */
const REFUSED: Case[] = [
  // ---- other tenant ---------------------------------------------------------------------------
  { name: 'read another tenant’s project', as: 'a1', method: 'GET', path: (w) => `/api/v1/projects/${w.ids.pB}`, status: 404 },
  { name: 'comment on another tenant’s project', as: 'a1', method: 'POST', path: (w) => `/api/v1/projects/${w.ids.pB}/comments`, body: () => ({ body: 'x' }), status: 404 },
  { name: 'list another tenant’s project comments', as: 'a1', method: 'GET', path: (w) => `/api/v1/projects/${w.ids.pB}/comments`, status: 404 },
  { name: 'read another tenant’s comment', as: 'a1', method: 'GET', path: (w) => `/api/v1/comments/${w.ids.cB}`, status: 404 },
  { name: 'delete another tenant’s comment', as: 'a1', method: 'DELETE', path: (w) => `/api/v1/comments/${w.ids.cB}`, status: 404 },
  { name: 'the other way round: B reads A’s comment', as: 'b1', method: 'GET', path: (w) => `/api/v1/comments/${w.ids.cA1}`, status: 404 },
  { name: 'B deletes A’s comment', as: 'b1', method: 'DELETE', path: (w) => `/api/v1/comments/${w.ids.cA2}`, status: 404 },
  { name: 'admin reads another tenant’s project (admins are tenant-bound too)', as: 'admin', method: 'GET', path: (w) => `/api/v1/projects/${w.ids.pB}`, status: 404 },
  { name: 'admin deletes another tenant’s comment', as: 'admin', method: 'DELETE', path: (w) => `/api/v1/comments/${w.ids.cB}`, status: 404 },
  { name: 'admin comments on another tenant’s project', as: 'admin', method: 'POST', path: (w) => `/api/v1/projects/${w.ids.pA}/comments`, body: () => ({ body: 'x' }), status: 404 },
  // ---- escalation -------------------------------------------------------------------------------
  { name: 'a member deletes another member’s comment', as: 'a2', method: 'DELETE', path: (w) => `/api/v1/comments/${w.ids.cA1}`, status: 403 },
  { name: 'a member’s key with the admin scope deletes another member’s comment', as: 'a1+admin', method: 'DELETE', path: (w) => `/api/v1/comments/${w.ids.cA2}`, status: 403 },
  { name: 'a member’s key with the admin scope revokes a key', as: 'a1+admin', method: 'POST', path: () => '/admin/keys/revoke', body: (w) => ({ key: w.keys.b1 }), status: 403 },
  { name: 'a member’s key with the admin scope rotates a key', as: 'a1+admin', method: 'POST', path: () => '/admin/keys/rotate', body: (w) => ({ key: w.keys.b1 }), status: 403 },
  { name: 'a member’s key with the admin scope reads the audit trail', as: 'a1+admin', method: 'GET', path: () => '/audit', status: 403 },
  { name: 'a member’s key with the admin scope verifies the audit trail', as: 'a1+admin', method: 'GET', path: () => '/audit/verify', status: 403 },
  { name: 'a member reads the audit trail', as: 'a1', method: 'GET', path: () => '/audit', status: 403 },
  { name: 'a member verifies the audit trail', as: 'a1', method: 'GET', path: () => '/audit/verify', status: 403 },
  { name: 'a member revokes their own key through /admin (operators only)', as: 'a1', method: 'POST', path: () => '/admin/keys/revoke', body: (w) => ({ key: w.keys.a1 }), status: 403 },
  { name: 'a read-only key creates a project', as: 'a1:ro', method: 'POST', path: () => '/api/v1/projects', body: () => ({ name: 'x' }), status: 403 },
  { name: 'a read-only key comments', as: 'a1:ro', method: 'POST', path: (w) => `/api/v1/projects/${w.ids.pA}/comments`, body: () => ({ body: 'x' }), status: 403 },
  { name: 'a read-only key deletes its owner’s own comment', as: 'a1:ro', method: 'DELETE', path: (w) => `/api/v1/comments/${w.ids.cA1}`, status: 403 },
  { name: 'a write-only key reads a comment', as: 'a1:wo', method: 'GET', path: (w) => `/api/v1/comments/${w.ids.cA1}`, status: 403 },
  { name: 'a write-only key lists projects', as: 'a1:wo', method: 'GET', path: () => '/api/v1/projects', status: 403 },
  { name: 'the admin user’s key without the admin scope reads the audit trail', as: 'admin:ro', method: 'GET', path: () => '/audit', status: 403 },
  { name: 'the admin user’s key without the admin scope revokes a key', as: 'admin:ro', method: 'POST', path: () => '/admin/keys/revoke', body: (w) => ({ key: w.keys.b1 }), status: 403 },
  { name: 'the admin user’s read-only key deletes a comment', as: 'admin:ro', method: 'DELETE', path: (w) => `/api/v1/comments/${w.ids.cM}`, status: 403 },
  { name: 'no key reads the audit trail', as: null, method: 'GET', path: () => '/audit', status: 401 },
  { name: 'no key verifies the audit trail', as: null, method: 'GET', path: () => '/audit/verify', status: 401 },
  // ---- hidden fields (a field the caller may not set or pick) ------------------------------------
  { name: 'create a project in another tenant (tenantId in the body)', as: 'a1', method: 'POST', path: () => '/api/v1/projects', body: (w) => ({ name: 'x', tenantId: w.ids.tenantB }), status: 400 },
  { name: 'create a project as someone else (createdBy in the body)', as: 'a1', method: 'POST', path: () => '/api/v1/projects', body: (w) => ({ name: 'x', createdBy: w.ids.a2 }), status: 400 },
  { name: 'comment as someone else (authorId in the body)', as: 'a1', method: 'POST', path: (w) => `/api/v1/projects/${w.ids.pA}/comments`, body: (w) => ({ body: 'x', authorId: w.ids.a2 }), status: 400 },
  { name: 'comment into another project (projectId in the body)', as: 'a1', method: 'POST', path: (w) => `/api/v1/projects/${w.ids.pA}/comments`, body: (w) => ({ body: 'x', projectId: w.ids.pB }), status: 400 },
  { name: 'ask for a hidden field (?fields=createdBy)', as: 'a1', method: 'GET', path: (w) => `/api/v1/projects/${w.ids.pA}?fields=createdBy`, status: 400 },
  { name: 'admin reads another tenant’s audit stream (?stream=)', as: 'admin', method: 'GET', path: (w) => `/audit?stream=${w.ids.tenantA}`, status: 400 },
  { name: 'admin verifies another tenant’s audit stream (?stream=)', as: 'admin', method: 'GET', path: (w) => `/audit/verify?stream=${w.ids.tenantA}`, status: 400 },
  { name: 'rename a tenant through the projects list (?tenantId=)', as: 'a1', method: 'GET', path: (w) => `/api/v1/projects?tenantId=${w.ids.tenantB}`, status: 400 },
];

/** The allowed counterparts: the same routes, by someone the policy lets through. */
const ALLOWED: Case[] = [
  { name: 'read an own-tenant project', as: 'a1', method: 'GET', path: (w) => `/api/v1/projects/${w.ids.pA}`, status: 200 },
  { name: 'another member of the tenant reads it', as: 'a2', method: 'GET', path: (w) => `/api/v1/projects/${w.ids.pA}`, status: 200 },
  { name: 'comment on an own-tenant project', as: 'a2', method: 'POST', path: (w) => `/api/v1/projects/${w.ids.pA}/comments`, body: () => ({ body: 'ok' }), status: 201 },
  { name: 'read an own-tenant comment', as: 'a2', method: 'GET', path: (w) => `/api/v1/comments/${w.ids.cA1}`, status: 200 },
  { name: 'a read-only key reads', as: 'a1:ro', method: 'GET', path: (w) => `/api/v1/comments/${w.ids.cA1}`, status: 200 },
  { name: 'the admin reads the audit trail of its tenant', as: 'admin', method: 'GET', path: () => '/audit', status: 200 },
  { name: 'the admin verifies it', as: 'admin', method: 'GET', path: () => '/audit/verify', status: 200 },
  { name: 'the admin user’s own admin-scoped key reads it', as: 'admin:key', method: 'GET', path: () => '/audit', status: 200 },
];

describe('access policy over HTTP: other-tenant, escalation and hidden-field attempts (PGlite)', () => {
  let r: Running;
  const w: World = { keys: {}, ids: {} };
  const key = (as: string | null) => (as === null ? undefined : (w.keys[as] ?? ((): never => { throw new Error(`no key ${as}`); })()));

  beforeAll(async () => {
    r = await start('pglite', { env: { ADMIN_API_KEY: ADMIN } });
    const s = r.service;
    w.ids.tenantA = r.tenantId;
    w.ids.a1 = r.userId;
    w.keys.a1 = r.key;
    const a2 = await s.repos.users.create({ tenantId: r.tenantId, email: 'a2@example.test', name: 'A2' });
    w.ids.a2 = a2.id;
    w.keys.a2 = await s.createApiKey(a2.id, MEMBER_SCOPES);
    w.keys['a1+admin'] = await s.createApiKey(r.userId, [...SCOPES]);
    w.keys['a1:ro'] = await s.createApiKey(r.userId, ['projects:read', 'comments:read']);
    w.keys['a1:wo'] = await s.createApiKey(r.userId, ['projects:write', 'comments:write']);
    const b = await newTenant(s, 'access-b');
    w.ids.tenantB = b.tenantId;
    w.keys.b1 = b.key;
    w.keys.admin = ADMIN;
    w.keys['admin:key'] = await s.createApiKey(s.admin.userId, [...SCOPES]);
    w.keys['admin:ro'] = await s.createApiKey(s.admin.userId, ['projects:read', 'comments:read']);
    const m = await s.repos.users.create({ tenantId: s.admin.tenantId, email: 'm@example.test', name: 'M' });
    w.keys.m = await s.createApiKey(m.id, MEMBER_SCOPES);

    const post = async (as: string, path: string, body: unknown) => {
      const res = await call(r.base, 'POST', path, { key: key(as), body });
      expect(res.status, path).toBe(201);
      return res.json.id as string;
    };
    w.ids.pA = await post('a1', '/api/v1/projects', { name: 'A project' });
    w.ids.cA1 = await post('a1', `/api/v1/projects/${w.ids.pA}/comments`, { body: 'by a1' });
    w.ids.cA2 = await post('a2', `/api/v1/projects/${w.ids.pA}/comments`, { body: 'by a2' });
    w.ids.pB = await post('b1', '/api/v1/projects', { name: 'B project' });
    w.ids.cB = await post('b1', `/api/v1/projects/${w.ids.pB}/comments`, { body: 'by b1' });
    w.ids.pM = await post('m', '/api/v1/projects', { name: 'admin-tenant project' });
    w.ids.cM = await post('m', `/api/v1/projects/${w.ids.pM}/comments`, { body: 'by m' });
  });
  afterAll(() => r?.stop());

  it('the table has at least 30 refused cases', () => {
    expect(REFUSED.length).toBeGreaterThanOrEqual(30);
  });

  it.each(REFUSED.map((c) => [c.name, c] as const))('refused: %s', async (_name, c) => {
    const res = await call(r.base, c.method, c.path(w), { key: key(c.as), ...(c.body ? { body: c.body(w) } : {}) });
    expect(res.status).toBe(c.status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // A refusal never explains itself to the client (no rule, role or reason).
    expect(res.text).not.toMatch(/own-comments|delete-own-comments|moderate|operate-keys|audit-trail|"reason"|"rule"/);
  });

  it.each(ALLOWED.map((c) => [c.name, c] as const))('allowed: %s', async (_name, c) => {
    const res = await call(r.base, c.method, c.path(w), { key: key(c.as), ...(c.body ? { body: c.body(w) } : {}) });
    expect(res.status, res.text).toBe(c.status);
  });

  it('ownership: a member deletes their own comment; an admin any comment of its tenant', async () => {
    expect((await call(r.base, 'DELETE', `/api/v1/comments/${w.ids.cA2}`, { key: key('a2') })).status).toBe(204);
    expect((await call(r.base, 'DELETE', `/api/v1/comments/${w.ids.cM}`, { key: key('admin') })).status).toBe(204);
  });

  it('lists filter in the database: only the caller’s tenant; the hidden field only for admins', async () => {
    const mine = await call(r.base, 'GET', '/api/v1/projects', { key: key('a1') });
    expect(mine.status).toBe(200);
    const ids = (mine.json.items as { id: string }[]).map((p) => p.id);
    expect(ids).toContain(w.ids.pA);
    expect(ids).not.toContain(w.ids.pB);
    expect(ids).not.toContain(w.ids.pM);
    expect(mine.json.items[0]).not.toHaveProperty('createdBy');
    const one = await call(r.base, 'GET', `/api/v1/projects/${w.ids.pA}`, { key: key('a1') });
    expect(one.json).not.toHaveProperty('createdBy');
    const admin = await call(r.base, 'GET', `/api/v1/projects/${w.ids.pM}`, { key: key('admin') });
    expect(admin.json).toHaveProperty('createdBy');
  });

  it('the operator (admin) revokes any tenant’s key through /admin', async () => {
    const spare = await r.service.createApiKey(w.ids.a2!, ['projects:read']);
    const res = await call(r.base, 'POST', '/admin/keys/revoke', { key: ADMIN, body: { key: spare } });
    expect(res.status).toBe(200);
  });

  it('denials are audit events in the denied user’s tenant stream, with the deciding reason', async () => {
    expect((await call(r.base, 'DELETE', `/api/v1/comments/${w.ids.cA1}`, { key: key('a2') })).status).toBe(403);
    let denied: AuditRow[] = [];
    for (let i = 0; i < 50 && denied.length === 0; i++) {
      const page = await r.service.repos.audit.page(w.ids.tenantA!, 200);
      denied = page.items.filter((e) => e.action === 'access.denied' && e.actorUserId === w.ids.a2);
      if (denied.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(denied[0]).toMatchObject({ outcome: 'denied', details: { reason: 'default', action: 'delete', resource: 'comment' } });
  });

  it('GET /audit pages through the caller’s tenant stream only, newest first', async () => {
    const first = await call(r.base, 'GET', '/audit?limit=2', { key: ADMIN });
    expect(first.status).toBe(200);
    expect(first.json.stream).toBe(r.service.admin.tenantId);
    expect(first.json.items).toHaveLength(2);
    expect(first.json.items[0].seq).toBeGreaterThan(first.json.items[1].seq);
    expect(first.json.items.every((e: { tenantId: string }) => e.tenantId === r.service.admin.tenantId)).toBe(true);
    const next = await call(r.base, 'GET', `/audit?limit=2&before=${first.json.nextBefore}`, { key: ADMIN });
    expect(next.json.items[0].seq).toBeLessThan(first.json.items[1].seq);
  });

  it('GET /audit/verify: clean after checkpoints; a tampered row is reported', async () => {
    await r.service.audit.checkpointAll();
    const clean = await call(r.base, 'GET', '/audit/verify', { key: ADMIN });
    expect(clean.json).toMatchObject({ ok: true, findings: [], unanchored: 0 });
    expect(clean.json.checkpoints).toBeGreaterThan(0);
    const stream = r.service.admin.tenantId;
    await r.service.db.query("UPDATE armor_audit_entries SET event = replace(event, 'project.create', 'project.crea7e') WHERE stream = $1 AND seq = 1", [stream]);
    const tampered = await call(r.base, 'GET', '/audit/verify', { key: ADMIN });
    expect(tampered.status).toBe(200);
    expect(tampered.json.ok).toBe(false);
    expect(tampered.json.findings).toContainEqual({ kind: 'row_hash_mismatch', seq: 1 });
  });

  it('the policy prints as a role × action matrix', () => {
    const matrix = policyMatrix(policy);
    expect(matrix).toMatch(/audit:read/);
    expect(matrix.split('\n').length).toBeGreaterThan(3);
  });
});

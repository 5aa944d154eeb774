import { ConfigurationError } from '@armor/errors';
import { describe, expect, it } from 'vitest';
import { policy } from './fixture.js';
import { AccessDeniedError, assertAllowed, checkPolicyTable, definePolicy, policyMatrix, principalFromApiKey, toProblem } from './test-exports.js';

const ada = { id: 'ada', roles: ['editor'] as const, tenantId: 't1' };
const bob = { id: 'bob', roles: ['viewer'] as const, tenantId: 't1' };
const mod = { id: 'mo', roles: ['moderator'] as const, tenantId: 't1' };
const root = { id: 'root', roles: ['admin'] as const, tenantId: 't1' };
const p = (x: { id: string; roles: readonly ('viewer' | 'editor' | 'moderator' | 'admin')[]; tenantId?: string; scopes?: string[] }) => ({ ...x, roles: [...x.roles] });

describe('decisions', () => {
  it('denies by default', () => {
    expect(policy.explain(p(bob), 'delete', 'comment', { tenantId: 't1' })).toMatchObject({ allowed: false, reason: 'default' });
  });
  it('roles inherit', () => {
    expect(policy.can(p(ada), 'read', 'comment', { tenantId: 't1', hidden: false })).toBe(true);
    expect(policy.explain(p(root), 'update', 'comment', { tenantId: 't1', authorId: 'x' })).toMatchObject({ allowed: true, rule: 'moderate', role: 'moderator' });
  });
  it('ownership conditions use the principal', () => {
    expect(policy.can(p(ada), 'update', 'comment', { tenantId: 't1', authorId: 'ada' })).toBe(true);
    expect(policy.can(p(ada), 'update', 'comment', { tenantId: 't1', authorId: 'bob' })).toBe(false);
  });
  it('explicit deny beats allow, and says which rule', () => {
    expect(policy.explain(p(root), 'delete', 'project', { tenantId: 't1', status: 'active' })).toMatchObject({ allowed: false, reason: 'deny', rule: 'no-delete-active', role: 'admin' });
    expect(policy.can(p(root), 'delete', 'project', { tenantId: 't1', status: 'archived' })).toBe(true);
    expect(policy.explain(p(mod), 'delete', 'comment', { tenantId: 't1', score: 150 })).toMatchObject({ reason: 'deny', rule: 'keep-popular' });
  });
  it('tenant isolation comes first: even an admin cannot touch another tenant', () => {
    expect(policy.explain(p(root), 'read', 'project', { tenantId: 't2' })).toMatchObject({ allowed: false, reason: 'tenant' });
    expect(policy.explain({ id: 'x', roles: ['admin'] }, 'read', 'project', { tenantId: 't1' })).toMatchObject({ reason: 'tenant' });
    expect(policy.explain(p(root), 'read', 'project', {})).toMatchObject({ reason: 'tenant' }); // a resource without a tenant is nobody's
  });
  it('field permissions: which fields a principal may read or write', () => {
    expect(policy.permittedFields(p(bob), 'read', 'project', { tenantId: 't1' })).toEqual(['id', 'name', 'status']);
    expect(policy.can(p(bob), 'read', 'project', { tenantId: 't1' }, { field: 'budget' })).toBe(false);
    const own = { tenantId: 't1', ownerId: 'ada', status: 'draft' };
    expect(policy.can(p(ada), 'update', 'project', own)).toBe(true);
    expect(policy.explain(p(ada), 'update', 'project', own, { field: 'budget' })).toMatchObject({ allowed: false, rule: 'editors-never-touch-budget' });
    expect(policy.permittedFields(p(ada), 'update', 'project', own)).toEqual(['id', 'tenantId', 'ownerId', 'name', 'status']);
  });
  it('a condition on a missing principal attribute never allows and always denies (fails closed)', () => {
    const noId = { roles: ['editor'], tenantId: 't1' } as unknown as Parameters<typeof policy.can>[0];
    expect(policy.can(noId, 'update', 'comment', { tenantId: 't1', authorId: undefined })).toBe(false);
  });
  it('unknown roles grant nothing', () => {
    expect(policy.can({ id: 'x', roles: ['superuser' as 'admin'], tenantId: 't1' }, 'read', 'project', { tenantId: 't1' })).toBe(false);
  });
});

describe('API keys and sessions, one model', () => {
  it('scopes narrow the owner’s roles; a key never exceeds its owner', () => {
    const key = principalFromApiKey(p(ada), ['comment:*']);
    expect(policy.can(key, 'update', 'comment', { tenantId: 't1', authorId: 'ada' })).toBe(true);
    expect(policy.explain(key, 'read', 'project', { tenantId: 't1' })).toMatchObject({ allowed: false, reason: 'scope' });
    // A key scoped to everything still cannot do what the owner's role cannot.
    const wide = principalFromApiKey(p(bob), ['*']);
    expect(policy.can(wide, 'delete', 'comment', { tenantId: 't1' })).toBe(false);
    expect(policy.can(wide, 'update', 'project', { tenantId: 't1', ownerId: 'bob', status: 'draft' })).toBe(false);
  });
});

describe('assertAllowed', () => {
  it('throws a 403 whose problem details leak nothing', () => {
    let error: unknown;
    try {
      assertAllowed(policy, p(bob), 'delete', 'project', { tenantId: 't1', status: 'draft' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect((error as AccessDeniedError).decision).toMatchObject({ reason: 'default', action: 'delete' });
    const problem = JSON.stringify(toProblem(error));
    expect(problem).toContain('"status":403');
    expect(problem).not.toMatch(/default|delete|viewer|tenant/);
  });
});

describe('definitions are checked', () => {
  const base = { resources: { doc: { actions: ['read'], fields: ['ownerId'] } } };
  it.each([
    [{ ...base, roles: { a: { allow: [{ resource: 'nope', actions: ['read'] }] } } }, 'roles.a.allow[0].resource'],
    [{ ...base, roles: { a: { allow: [{ resource: 'doc', actions: ['write'] }] } } }, '"write" is not an action of doc'],
    [{ ...base, roles: { a: { allow: [{ resource: 'doc', actions: ['read'], when: { owner: 'x' } }] } } }, 'roles.a.allow[0].when.owner'],
    [{ ...base, roles: { a: { allow: [{ resource: 'doc', actions: ['read'], when: { ownerId: { like: 'x' } } }] } } }, 'is not an operator'],
    [{ ...base, roles: { a: { allow: [{ resource: 'doc', actions: ['read'], when: { ownerId: { lt: 'b' } } }] } } }, 'numbers only'],
    [{ ...base, roles: { a: { inherits: ['b'] }, b: { inherits: ['a'] } } }, 'cycle'],
    [{ ...base, roles: { a: { inherits: ['ghost'] } } }, 'unknown role'],
    [{ ...base, roles: { a: { allow: [{ resource: 'doc', actions: ['read'], whenn: {} }] } } }, 'whenn'],
    [{ resources: { doc: { actions: [] } }, roles: {} }, 'resources.doc.actions'],
    [{ ...base, roles: {}, tenant: { field: 'tenantId' } }, 'tenant'],
  ])('%#: a bad definition names the problem', (def, text) => {
    expect(() => definePolicy(def as never)).toThrow(ConfigurationError);
    expect(() => definePolicy(def as never)).toThrow(text);
  });
  it('an unknown action or type at call time (untyped code) is a ConfigurationError', () => {
    expect(() => policy.can(p(bob), 'fly' as 'read', 'project')).toThrow(/not an action of project/);
    expect(() => policy.can(p(bob), 'read', 'spaceship' as 'project')).toThrow(/not a declared resource type/);
  });
});

describe('policy tests as data, and the matrix', () => {
  it('a table of expected decisions reports only the mismatches', () => {
    const failures = checkPolicyTable(policy, [
      { principal: p(ada), action: 'update', resource: { type: 'comment', tenantId: 't1', authorId: 'ada' }, expect: 'allow' },
      { principal: p(ada), action: 'update', resource: { type: 'comment', tenantId: 't2', authorId: 'ada' }, expect: 'deny' },
      { name: 'wrong on purpose', principal: p(bob), action: 'delete', resource: { type: 'comment', tenantId: 't1' }, expect: 'allow' },
      { principal: p(bob), action: 'fly', resource: { type: 'comment' }, expect: 'allow' },
    ]);
    expect(failures.map((f) => f.case.name ?? f.case.action)).toEqual(['wrong on purpose', 'fly']);
    expect(failures[0]!.decision.reason).toBe('default');
  });
  it('prints a role × action matrix', () => {
    const matrix = policyMatrix(policy);
    expect(matrix.split('\n')[0]).toContain('project:read');
    expect(matrix).toMatch(/\| viewer \| if \|/);
    expect(matrix).toMatch(/\| admin \| ✓ \| if \| if \| ✓ \|/); // update: a field is withheld; delete: not when active
  });
});

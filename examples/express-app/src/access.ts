/**
 * Who may do what, in one `@armor/access` policy: the service's resources (projects, comments,
 * API keys, the audit trail), its two roles (`member`, every user; `admin`, the built-in admin
 * user that owns `ADMIN_API_KEY` and the keys made with `keys:create --admin`), tenant isolation
 * on every resource, and ownership conditions. API keys map onto the same actions: a key's
 * scopes only narrow its owner's role ({@link SCOPE_ACTIONS}), so a member's key that carries
 * the `admin` scope still cannot do what an admin can.
 *
 * Route handlers never compare tenants or roles themselves: they call {@link AccessControl}
 * (`requirePermission` guards, `assertAllowed` on loaded rows, `accessibleWhere` for lists).
 * A resource of another tenant answers 404 (its existence is not revealed); any other denial
 * answers 403 without detail and becomes an `access.denied` audit event (`auditDenials`).
 *
 * @module
 */
import type { RequestHandler, Response } from 'express';
import { AccessDeniedError, auditDenials, definePolicy, principalFromApiKey, type ActionOf, type Decision, type FieldOf, type Policy, type Principal as AccessPrincipal } from '@armor/access';
import { requirePermission } from '@armor/access/express';
import type { AuditLog } from '@armor/audit';
import { AuthenticationError, NotFoundError } from '@armor/errors';
import { SYSTEM_STREAM } from './audit.js';
import type { Principal } from './auth.js';

/** The service's policy. `policyMatrix(policy)` prints it as a role × action table. */
export const policy = definePolicy({
  resources: {
    project: { actions: ['read', 'create'], fields: ['tenantId', 'createdBy', 'name', 'createdAt'] },
    comment: { actions: ['read', 'create', 'delete'], fields: ['tenantId', 'projectId', 'authorId', 'html'] },
    api_key: { actions: ['create', 'revoke', 'rotate'], fields: ['tenantId', 'userId'] },
    audit: { actions: ['read', 'verify'], fields: ['tenantId', 'ip'] },
  },
  tenant: { field: 'tenantId', principal: 'tenantId' },
  roles: {
    member: {
      allow: [
        // Field-level: who created a project is for admins only.
        { resource: 'project', actions: ['read'], fields: ['tenantId', 'name', 'createdAt'], id: 'read-projects' },
        { resource: 'project', actions: ['create'], id: 'create-projects' },
        { resource: 'comment', actions: ['read', 'create'], id: 'comments' },
        { resource: 'comment', actions: ['delete'], when: { authorId: { principal: 'id' } }, id: 'delete-own-comments' },
        { resource: 'api_key', actions: ['revoke', 'rotate'], when: { userId: { principal: 'id' } }, id: 'own-keys' },
      ],
    },
    admin: {
      inherits: ['member'],
      allow: [
        { resource: 'project', actions: ['read'], id: 'read-projects-all-fields' },
        { resource: 'comment', actions: ['delete'], id: 'moderate-comments' },
        // Operators manage every tenant's keys from /admin (a type-level check: no row is passed).
        { resource: 'api_key', actions: '*', id: 'operate-keys' },
        { resource: 'audit', actions: '*', id: 'audit-trail' },
      ],
    },
  },
});

/** The policy's resource declarations, roles and resource types. */
export type AppResources = typeof policy extends Policy<infer R, string> ? R : never;
export type Role = typeof policy extends Policy<AppResources, infer Role> ? Role : never;
export type ResourceType = keyof AppResources & string;

/**
 * What each API-key scope of the service (`auth.ts` `SCOPES`) lets a key do, in the policy's
 * `type:action` terms. Scopes narrow the owner's role; they never add to it.
 */
export const SCOPE_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  'projects:read': ['project:read'],
  'projects:write': ['project:create'],
  'comments:read': ['comment:read'],
  'comments:write': ['comment:create', 'comment:delete'],
  admin: ['api_key:*', 'audit:*'],
};

// One roles array per role, shared by every principal: the policy caches its rule index per
// roles array, so a fresh array per request would miss that cache every time.
const ADMIN_ROLES: readonly Role[] = Object.freeze(['admin']);
const MEMBER_ROLES: readonly Role[] = Object.freeze(['member']);

/** The policy principal of an authenticated request (a session has its role in full; a key, narrowed by its scopes). */
export function accessPrincipal(p: Principal, admin: { userId: string }): AccessPrincipal<Role> {
  const owner: AccessPrincipal<Role> = { id: p.userId, roles: p.userId === admin.userId ? ADMIN_ROLES : MEMBER_ROLES, tenantId: p.tenantId };
  if (p.via === 'session') return owner;
  return principalFromApiKey(owner, p.scopes.flatMap((s) => SCOPE_ACTIONS[s] ?? []));
}

/** Access checks bound to the service (see the module comment). */
export interface AccessControl {
  /** The request's policy principal; 401 without one. */
  principal(res: Response): AccessPrincipal<Role>;
  /** A route guard (`requirePermission`): the principal's roles and key scopes allow `action` on `type`. */
  require<T extends ResourceType>(action: ActionOf<AppResources, T>, type: T): RequestHandler;
  /**
   * Checks `action` on a loaded row (`assertAllowed`, with the denial audited): another
   * tenant's row throws `NotFoundError(notFound)`, any other denial a 403 `AccessDeniedError`.
   */
  assert<T extends ResourceType>(res: Response, action: ActionOf<AppResources, T>, type: T, row: Readonly<Partial<Record<FieldOf<AppResources, T>, unknown>>>, notFound: string): void;
}

/** Builds the access checks; denials go to `auditLog`, in the stream of the denied user's tenant. */
export function accessControl(options: { admin: { userId: string }; auditLog: AuditLog; onAuditError?: (error: unknown) => void }): AccessControl {
  // Users never change tenant: remember each principal's tenant (bounded) so that a denial,
  // which names only the user, is appended to that tenant's stream.
  const tenantOf = new Map<string, string>();
  const remember = (principal: AccessPrincipal<Role>) => {
    if (tenantOf.size >= 10_000) tenantOf.clear();
    tenantOf.set(principal.id, String(principal.tenantId));
  };
  const onDeny: (decision: Decision, target?: { id?: unknown }) => void = auditDenials(
    { append: (event) => options.auditLog.append(event, { stream: tenantOf.get(String(event.actor.id)) ?? SYSTEM_STREAM }) },
    options.onAuditError ? { onError: options.onAuditError } : {},
  );
  // The policy principal of each authenticated principal, made once: a request asks for it in
  // its route guard and again in `assert`, and authentication reuses one principal per key.
  const made = new WeakMap<Principal, AccessPrincipal<Role>>();
  const principal = (res: Response): AccessPrincipal<Role> => {
    const p = res.locals.principal;
    if (!p) throw new AuthenticationError();
    let ap = made.get(p);
    if (ap === undefined) {
      ap = accessPrincipal(p, options.admin);
      made.set(p, ap);
      remember(ap);
    }
    return ap;
  };
  return {
    principal,
    require: (action, type) =>
      requirePermission(policy, action, type, { principal: (_req, res) => principal(res), onDeny, onError: 'next' }),
    assert(res, action, type, row, notFound) {
      const ap = principal(res);
      // `can` allocates nothing; the explanation is built only for a denial.
      if (policy.can(ap, action, type, row)) return;
      const decision = policy.explain(ap, action, type, row);
      if (decision.reason === 'tenant') throw new NotFoundError(notFound);
      onDeny(decision, row as { id?: unknown });
      throw new AccessDeniedError(decision);
    },
  };
}


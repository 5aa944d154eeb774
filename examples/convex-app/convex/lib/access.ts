/**
 * Who may do what, in one `@armor/access` policy: anyone reads projects and comments; a
 * signed-in user (with a `users` row) creates them, renames and deletes their own projects, and
 * deletes their own comments or any comment on a project they own. Functions never compare ids
 * themselves: they call `assertPermission` (from `@armor/access/convex`, which throws the
 * Armor `ConvexError`: 401 without a principal, 403 without detail for a denial) on the loaded
 * document, and lists filter with `accessibleFilter`.
 *
 * Denials are not audit events here: a Convex mutation that throws rolls back every write,
 * an audit append included (the client sees the 403; `monitoring.reportClientError` groups it).
 */
import { definePolicy, type Principal } from '@armor/access';
import type { Doc } from '../_generated/dataModel';
import type { QueryCtx } from '../_generated/server';
import { currentUser } from './armor';

/** The app's policy. */
export const policy = definePolicy({
  resources: {
    project: { actions: ['read', 'create', 'update', 'delete'], fields: ['ownerId', 'name'] },
    comment: { actions: ['read', 'create', 'delete'], fields: ['authorId', 'projectId', 'projectOwnerId'] },
  },
  roles: {
    anyone: {
      allow: [
        { resource: 'project', actions: ['read'], id: 'public-reads' },
        { resource: 'comment', actions: ['read'], id: 'public-reads' },
      ],
    },
    user: {
      inherits: ['anyone'],
      allow: [
        { resource: 'project', actions: ['create'], id: 'create-projects' },
        { resource: 'project', actions: ['update', 'delete'], when: { ownerId: { principal: 'id' } }, id: 'own-projects' },
        { resource: 'comment', actions: ['create'], id: 'comment' },
        {
          resource: 'comment',
          actions: ['delete'],
          when: { anyOf: [{ authorId: { principal: 'id' } }, { projectOwnerId: { principal: 'id' } }] },
          id: 'own-or-moderated-comments',
        },
      ],
    },
  },
});

export type Role = 'anyone' | 'user';

/** Callers without a `users` row (signed out, or signed in before `users.ensure`): readers only. */
export const ANONYMOUS: Principal<Role> = Object.freeze({ id: 'anonymous', roles: ['anyone'] as const });

/** The principal of a caller with a `users` row (`id` is the row id), else {@link ANONYMOUS}. */
export function principalOfUser(user: Doc<'users'> | null): Principal<Role> {
  return user ? { id: user._id, roles: ['user'] } : ANONYMOUS;
}

/** The caller's principal (see {@link principalOfUser}). */
export async function principalOf(ctx: Pick<QueryCtx, 'auth' | 'db'>): Promise<Principal<Role>> {
  return principalOfUser(await currentUser(ctx));
}

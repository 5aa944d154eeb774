// Type tests: checked by `tsc --noEmit` (pnpm typecheck). Each @ts-expect-error must be an error,
// or the type check fails — so a loosened type is caught.
import { expectTypeOf } from 'vitest';
import { policy } from './fixture.js';
import { accessibleWhere, definePolicy, type FieldOf } from './index.js';

const principal = { id: 'u', roles: ['editor' as const], tenantId: 't1' };

policy.can(principal, 'update', 'comment', { authorId: 'u' });
// @ts-expect-error 'archive' is an action of project, not of comment
policy.can(principal, 'archive', 'comment');
// @ts-expect-error unknown resource type
policy.can(principal, 'read', 'invoice');
// @ts-expect-error unknown field in a resource
policy.can(principal, 'read', 'comment', { author: 'u' });
// @ts-expect-error field permission on an undeclared field
policy.can(principal, 'read', 'project', {}, { field: 'secret' });
// @ts-expect-error unknown role
policy.can({ id: 'u', roles: ['owner'] }, 'read', 'project');
// @ts-expect-error unknown action in a SQL filter
accessibleWhere(policy, principal, 'fly', 'project');

expectTypeOf(policy.permittedFields(principal, 'read', 'project')).toEqualTypeOf<('id' | 'tenantId' | 'ownerId' | 'name' | 'budget' | 'status')[]>();
expectTypeOf<FieldOf<typeof policy.definition.resources, 'comment'>>().toEqualTypeOf<'id' | 'tenantId' | 'authorId' | 'body' | 'hidden' | 'score'>();

definePolicy({
  resources: { doc: { actions: ['read'], fields: ['ownerId'] } },
  roles: {
    // @ts-expect-error an action the resource does not have
    a: { allow: [{ resource: 'doc', actions: ['write'] }] },
  },
});
definePolicy({
  resources: { doc: { actions: ['read'], fields: ['ownerId'] } },
  roles: {
    // @ts-expect-error a condition on an undeclared field
    a: { allow: [{ resource: 'doc', actions: ['read'], when: { owner: 'x' } }] },
  },
});
definePolicy({
  resources: { doc: { actions: ['read'] } },
  roles: {
    a: { inherits: ['b'] },
    // @ts-expect-error inheriting an undeclared role
    b: { inherits: ['c'] },
  },
});

// A rule on every resource type (the README's super-admin form) type-checks; with conditions it does not.
definePolicy({
  resources: { doc: { actions: ['read'], fields: ['ownerId'] }, note: { actions: ['edit'] } },
  roles: { root: { allow: [{ resource: '*', actions: '*' }] } },
});
definePolicy({
  resources: { doc: { actions: ['read'], fields: ['ownerId'] } },
  roles: {
    // @ts-expect-error conditions on '*' rules are per type, not on '*'
    root: { allow: [{ resource: '*', actions: '*', when: { ownerId: 'x' } }] },
  },
});

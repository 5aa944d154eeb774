// The policy the tests share: projects and comments in tenants, with inheritance, conditions,
// explicit denies and field permissions. (Not exported from the package.)
import { definePolicy } from './policy.js';

export const policy = definePolicy({
  resources: {
    project: { actions: ['read', 'update', 'delete', 'archive'], fields: ['id', 'tenantId', 'ownerId', 'name', 'budget', 'status'] },
    comment: { actions: ['read', 'create', 'update', 'delete'], fields: ['id', 'tenantId', 'authorId', 'body', 'hidden', 'score'] },
  },
  tenant: { field: 'tenantId', principal: 'tenantId' },
  roles: {
    viewer: {
      allow: [
        { resource: 'project', actions: ['read'], fields: ['id', 'name', 'status'], id: 'viewer-reads-project-basics' },
        { resource: 'comment', actions: ['read'], when: { hidden: { ne: true } } },
      ],
    },
    editor: {
      inherits: ['viewer'],
      allow: [
        { resource: 'comment', actions: ['create'] },
        { resource: 'comment', actions: ['update', 'delete'], when: { authorId: { principal: 'id' } }, id: 'edit-own-comment' },
        { resource: 'project', actions: ['update'], when: { ownerId: { principal: 'id' }, status: { in: ['draft', 'active'] } } },
      ],
      deny: [{ resource: 'project', actions: ['update'], fields: ['budget'], id: 'editors-never-touch-budget' }],
    },
    moderator: {
      inherits: ['viewer'],
      allow: [{ resource: 'comment', actions: ['read', 'update', 'delete'], id: 'moderate' }],
      deny: [{ resource: 'comment', actions: ['delete'], when: { score: { gte: 100 } }, id: 'keep-popular' }],
    },
    admin: {
      inherits: ['editor', 'moderator'],
      allow: [{ resource: 'project', actions: '*', id: 'admin-projects' }],
      deny: [{ resource: 'project', actions: ['delete'], when: { status: 'active' }, id: 'no-delete-active' }],
    },
  },
});

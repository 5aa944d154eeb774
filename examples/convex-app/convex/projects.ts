import { NotFoundError } from '@armor/errors';
import { accessibleFilter } from '@armor/access';
import { assertPermission } from '@armor/access/convex';
import { schemas } from '@armor/validation';
import { z } from 'zod';
import type { Doc, Id } from './_generated/dataModel';
import { policy, principalOf, principalOfUser } from './lib/access';
import { armorMutation, armorQuery, currentUser } from './lib/armor';

const projectName = schemas.safeString({ max: 100 }).pipe(z.string().min(1, 'Name is required'));
const convexId = z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, 'Invalid id');

/** Creates a project owned by the signed-in caller (never an argument). Rate-limited per user (`standard`), audited. */
export const create = armorMutation({
  name: 'projects.create',
  args: z.object({ name: projectName }),
  rateLimit: { tier: 'standard' },
  handler: async (ctx, { name }): Promise<Id<'projects'>> => {
    const owner = await currentUser(ctx);
    assertPermission(policy, principalOfUser(owner), 'create', 'project');
    return ctx.db.insert('projects', { name, ownerId: owner!._id, createdAt: Date.now() });
  },
  audit: (_args, id) => ({ target: `projects/${id}` }),
});

/** Renames a project: its owner only (`own-projects`); anyone else is refused (403), nothing written. */
export const rename = armorMutation({
  name: 'projects.rename',
  args: z.object({ id: convexId, name: projectName }),
  rateLimit: { tier: 'standard' },
  handler: async (ctx, { id, name }): Promise<null> => {
    const projectId = ctx.db.normalizeId('projects', id);
    const project = projectId ? await ctx.db.get(projectId) : null;
    if (!project) throw new NotFoundError('Project not found');
    assertPermission(policy, principalOfUser(await currentUser(ctx)), 'update', 'project', project);
    await ctx.db.patch(project._id, { name });
    return null;
  },
  audit: (args) => ({ target: `projects/${args.id}` }),
});

/** One project (public read). */
export const get = armorQuery({
  args: z.object({ id: convexId }),
  handler: async (ctx, { id }): Promise<Doc<'projects'>> => {
    const projectId = ctx.db.normalizeId('projects', id);
    const project = projectId ? await ctx.db.get(projectId) : null;
    if (!project) throw new NotFoundError('Project not found');
    assertPermission(policy, await principalOf(ctx), 'read', 'project', project);
    return project;
  },
});

/**
 * The projects the signed-in caller may change (the policy's `update`: their own), read through
 * index `by_owner` and filtered by the policy (`accessibleFilter`); empty when signed out.
 */
export const mine = armorQuery({
  args: z.object({}),
  handler: async (ctx): Promise<Doc<'projects'>[]> => {
    const owner = await currentUser(ctx);
    if (!owner) return [];
    const principal = principalOfUser(owner);
    return ctx.db
      .query('projects')
      .withIndex('by_owner', (q) => q.eq('ownerId', owner._id))
      .filter(accessibleFilter(policy, principal, 'update', 'project'))
      .take(100);
  },
});

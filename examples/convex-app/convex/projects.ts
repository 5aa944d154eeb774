import { NotFoundError } from '@armor/errors';
import { schemas } from '@armor/validation';
import { z } from 'zod';
import type { Id } from './_generated/dataModel';
import { armorAction, armorMutation, armorQuery } from './lib/armor';
import { api } from './_generated/api';

const projectName = schemas.safeString({ max: 100 }).pipe(z.string().min(1, 'Name is required'));
const convexId = z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, 'Invalid id');

/** Creates a project owned by `ownerId`. Rate-limited (`standard` tier), audited. */
export const create = armorMutation({
  name: 'projects.create',
  args: z.object({ name: projectName, ownerId: convexId }),
  rateLimit: { tier: 'standard' },
  audit: (_args, id) => ({ target: `projects/${id}` }),
  handler: async (ctx, { name, ownerId }) => {
    const owner = ctx.db.normalizeId('users', ownerId);
    if (!owner || !(await ctx.db.get(owner))) throw new NotFoundError('Owner not found');
    return ctx.db.insert('projects', { name, ownerId: owner, createdAt: Date.now() });
  },
});

/** One project. */
export const get = armorQuery({
  args: z.object({ id: convexId }),
  handler: async (ctx, { id }) => {
    const projectId = ctx.db.normalizeId('projects', id);
    const project = projectId ? await ctx.db.get(projectId) : null;
    if (!project) throw new NotFoundError('Project not found');
    return project;
  },
});

/** Projects of an owner (index `by_owner`). */
export const listByOwner = armorQuery({
  args: z.object({ ownerId: convexId }),
  handler: async (ctx, { ownerId }) => {
    const owner = ctx.db.normalizeId('users', ownerId);
    if (!owner) return [];
    return ctx.db
      .query('projects')
      .withIndex('by_owner', (q) => q.eq('ownerId', owner))
      .take(100);
  },
});

/**
 * An action (timed, errors recorded server-side): counts a project's comments by reading
 * through the public query.
 */
export const summary = armorAction({
  name: 'projects.summary',
  args: z.object({ id: convexId }),
  handler: async (ctx, { id }): Promise<{ id: string; name: string; comments: number }> => {
    const project = await ctx.runQuery(api.projects.get, { id });
    const page = await ctx.runQuery(api.comments.listByProject, { projectId: id, limit: 100 });
    return { id: project._id as Id<'projects'>, name: project.name, comments: page.items.length };
  },
});

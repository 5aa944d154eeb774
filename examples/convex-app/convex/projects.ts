import { NotFoundError } from '@armor/errors';
import { schemas } from '@armor/validation';
import { z } from 'zod';
import type { Doc, Id } from './_generated/dataModel';
import { armorMutation, armorQuery } from './lib/armor';

const projectName = schemas.safeString({ max: 100 }).pipe(z.string().min(1, 'Name is required'));
const convexId = z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, 'Invalid id');

/** Creates a project owned by `ownerId`. Rate-limited (`standard` tier), audited. */
export const create = armorMutation({
  name: 'projects.create',
  args: z.object({ name: projectName, ownerId: convexId }),
  rateLimit: { tier: 'standard' },
  handler: async (ctx, { name, ownerId }): Promise<Id<'projects'>> => {
    const owner = ctx.db.normalizeId('users', ownerId);
    if (!owner || !(await ctx.db.get(owner))) throw new NotFoundError('Owner not found');
    return ctx.db.insert('projects', { name, ownerId: owner, createdAt: Date.now() });
  },
  audit: (_args, id) => ({ target: `projects/${id}` }),
});

/** One project. */
export const get = armorQuery({
  args: z.object({ id: convexId }),
  handler: async (ctx, { id }): Promise<Doc<'projects'>> => {
    const projectId = ctx.db.normalizeId('projects', id);
    const project = projectId ? await ctx.db.get(projectId) : null;
    if (!project) throw new NotFoundError('Project not found');
    return project;
  },
});

/** Projects of an owner (index `by_owner`). */
export const listByOwner = armorQuery({
  args: z.object({ ownerId: convexId }),
  handler: async (ctx, { ownerId }): Promise<Doc<'projects'>[]> => {
    const owner = ctx.db.normalizeId('users', ownerId);
    if (!owner) return [];
    return ctx.db
      .query('projects')
      .withIndex('by_owner', (q) => q.eq('ownerId', owner))
      .take(100);
  },
});

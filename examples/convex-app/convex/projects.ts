import { NotFoundError } from '@armor/errors';
import { schemas } from '@armor/validation';
import { z } from 'zod';
import type { Doc, Id } from './_generated/dataModel';
import { armorMutation, armorQuery, currentUser, requireUser } from './lib/armor';

const projectName = schemas.safeString({ max: 100 }).pipe(z.string().min(1, 'Name is required'));
const convexId = z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, 'Invalid id');

/** Creates a project owned by the signed-in caller (never an argument). Rate-limited per user (`standard`), audited. */
export const create = armorMutation({
  name: 'projects.create',
  args: z.object({ name: projectName }),
  rateLimit: { tier: 'standard' },
  handler: async (ctx, { name }): Promise<Id<'projects'>> => {
    const owner = await requireUser(ctx);
    return ctx.db.insert('projects', { name, ownerId: owner._id, createdAt: Date.now() });
  },
  audit: (_args, id) => ({ target: `projects/${id}` }),
});

/** One project (public read). */
export const get = armorQuery({
  args: z.object({ id: convexId }),
  handler: async (ctx, { id }): Promise<Doc<'projects'>> => {
    const projectId = ctx.db.normalizeId('projects', id);
    const project = projectId ? await ctx.db.get(projectId) : null;
    if (!project) throw new NotFoundError('Project not found');
    return project;
  },
});

/** The signed-in caller's projects (index `by_owner`); empty when signed out. */
export const mine = armorQuery({
  args: z.object({}),
  handler: async (ctx): Promise<Doc<'projects'>[]> => {
    const owner = await currentUser(ctx);
    if (!owner) return [];
    return ctx.db
      .query('projects')
      .withIndex('by_owner', (q) => q.eq('ownerId', owner._id))
      .take(100);
  },
});

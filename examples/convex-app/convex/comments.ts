import { NotFoundError } from '@armor/errors';
import { schemas } from '@armor/validation';
import { z } from 'zod';
import { armorMutation, armorQuery } from './lib/armor';

const convexId = z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, 'Invalid id');

/** Adds a comment; the body is sanitized HTML (`schemas.html`). Rate-limited, audited. */
export const add = armorMutation({
  name: 'comments.add',
  args: z.object({ projectId: convexId, authorId: convexId, body: schemas.html({ max: 10_000 }) }),
  rateLimit: { tier: 'standard' },
  handler: async (ctx, { projectId, authorId, body }) => {
    const project = ctx.db.normalizeId('projects', projectId);
    const author = ctx.db.normalizeId('users', authorId);
    if (!project || !(await ctx.db.get(project))) throw new NotFoundError('Project not found');
    if (!author || !(await ctx.db.get(author))) throw new NotFoundError('Author not found');
    return ctx.db.insert('comments', { projectId: project, authorId: author, html: body, createdAt: Date.now() });
  },
  audit: (args, id) => ({ target: `comments/${id}`, summary: `project=${args.projectId}` }),
});

/** A page of a project's comments, newest first, with their authors (index `by_project`). */
export const listByProject = armorQuery({
  args: z.object({ projectId: convexId, limit: z.number().int().min(1).max(100).default(20), before: z.number().optional() }),
  handler: async (ctx, { projectId, limit, before }) => {
    const project = ctx.db.normalizeId('projects', projectId);
    if (!project) throw new NotFoundError('Project not found');
    const rows = await ctx.db
      .query('comments')
      .withIndex('by_project', (q) => (before === undefined ? q.eq('projectId', project) : q.eq('projectId', project).lt('createdAt', before)))
      .order('desc')
      .take(limit + 1);
    const page = rows.slice(0, limit);
    const authorIds = [...new Set(page.map((c) => c.authorId))];
    const authors = new Map((await Promise.all(authorIds.map((id) => ctx.db.get(id)))).filter((u) => u !== null).map((u) => [u._id, u.name]));
    return {
      items: page.map((c) => ({ id: c._id, projectId: c.projectId, html: c.html, author: authors.get(c.authorId) ?? 'unknown', createdAt: c.createdAt })),
      nextCursor: rows.length > limit ? page[page.length - 1]!.createdAt : null,
    };
  },
});

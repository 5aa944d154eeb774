import { NotFoundError } from '@armor/errors';
import { schemas } from '@armor/validation';
import { z } from 'zod';
import { assertPermission } from '@armor/access/convex';
import { policy, principalOfUser } from './lib/access';
import { armorMutation, armorQuery, currentUser } from './lib/armor';

const convexId = z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, 'Invalid id');

/**
 * Adds a comment by the signed-in caller (the author is the caller's identity, never an
 * argument); the body is sanitized HTML (`schemas.html`). Rate-limited per user, audited.
 */
export const add = armorMutation({
  name: 'comments.add',
  args: z.object({ projectId: convexId, body: schemas.html({ max: 10_000 }) }),
  rateLimit: { tier: 'standard' },
  handler: async (ctx, { projectId, body }) => {
    const author = await currentUser(ctx);
    const principal = principalOfUser(author);
    assertPermission(policy, principal, 'create', 'comment');
    const project = ctx.db.normalizeId('projects', projectId);
    if (!project || !(await ctx.db.get(project))) throw new NotFoundError('Project not found');
    return ctx.db.insert('comments', { projectId: project, authorId: author!._id, html: body, createdAt: Date.now() });
  },
  audit: (args, id) => ({ target: `comments/${id}`, summary: `project=${args.projectId}` }),
});

/**
 * Deletes a comment: its author, or the owner of its project (`own-or-moderated-comments`);
 * anyone else is refused (403) and nothing is written.
 */
export const remove = armorMutation({
  name: 'comments.remove',
  args: z.object({ id: convexId }),
  rateLimit: { tier: 'standard' },
  handler: async (ctx, { id }): Promise<null> => {
    const commentId = ctx.db.normalizeId('comments', id);
    const comment = commentId ? await ctx.db.get(commentId) : null;
    if (!comment) throw new NotFoundError('Comment not found');
    const project = await ctx.db.get(comment.projectId);
    assertPermission(policy, principalOfUser(await currentUser(ctx)), 'delete', 'comment', {
      authorId: comment.authorId,
      projectId: comment.projectId,
      projectOwnerId: project?.ownerId ?? null,
    });
    await ctx.db.delete(comment._id);
    return null;
  },
  audit: (args) => ({ target: `comments/${args.id}` }),
});

/**
 * Pagination options as Convex's `paginationOptsValidator` has them, bounded: `usePaginatedQuery`
 * sends `id` and, for reactive page boundaries, `endCursor`, so they are kept, not stripped.
 */
const paginationOpts = z.object({
  numItems: z.number().int().min(1).max(100),
  cursor: z.string().max(10_000).nullable(),
  // exactOptional: Convex's PaginationOptions has exact optional fields (no `undefined`).
  endCursor: z.string().max(10_000).nullable().exactOptional(),
  id: z.number().exactOptional(),
  maximumRowsRead: z.number().int().positive().exactOptional(),
  maximumBytesRead: z.number().int().positive().exactOptional(),
});

/**
 * A page of a project's comments (public read), newest first, with their authors (index `by_project`), for
 * `usePaginatedQuery`. Paged with Convex's `.paginate()`: its opaque cursor is a position in
 * the index — `(projectId, createdAt)` plus the `_creationTime` and `_id` every Convex index
 * ends with — so comments sharing a `createdAt` millisecond are neither skipped nor repeated
 * across pages (a cursor of `createdAt` alone would be).
 */
export const listByProject = armorQuery({
  args: z.object({ projectId: convexId, paginationOpts }),
  handler: async (ctx, { projectId, paginationOpts }) => {
    const project = ctx.db.normalizeId('projects', projectId);
    if (!project) throw new NotFoundError('Project not found');
    const result = await ctx.db
      .query('comments')
      .withIndex('by_project', (q) => q.eq('projectId', project))
      .order('desc')
      .paginate(paginationOpts);
    const authorIds = [...new Set(result.page.map((c) => c.authorId))];
    const authors = new Map((await Promise.all(authorIds.map((id) => ctx.db.get(id)))).filter((u) => u !== null).map((u) => [u._id, u.name]));
    return {
      ...result,
      page: result.page.map((c) => ({ id: c._id, projectId: c.projectId, html: c.html, author: authors.get(c.authorId) ?? 'unknown', createdAt: c.createdAt })),
    };
  },
});

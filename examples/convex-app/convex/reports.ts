import { z } from 'zod';
import { api } from './_generated/api';
import { armorAction, sessionIdSchema } from './lib/armor';

const convexId = z.string().min(1).max(64).regex(/^[a-z0-9]+$/i, 'Invalid id');

/**
 * An action (timed, errors recorded server-side, rate-limited with the `strict` tier through
 * the internal `rateLimit.consume` mutation): counts a project's comments by paging through
 * the public query. A public read: signed-in callers are limited per user, anonymous ones per
 * `sessionId` (and by the per-IP anonymous ceiling).
 */
export const projectSummary = armorAction({
  name: 'reports.projectSummary',
  args: z.object({ id: convexId, sessionId: sessionIdSchema.optional() }),
  access: 'anyone',
  rateLimit: { tier: 'strict' },
  handler: async (ctx, { id }): Promise<{ id: string; name: string; comments: number }> => {
    const project = await ctx.runQuery(api.projects.get, { id });
    // Every page (each its own query), following the cursor until the end.
    let comments = 0;
    let cursor: string | null = null;
    for (;;) {
      const result: { page: unknown[]; isDone: boolean; continueCursor: string } = await ctx.runQuery(api.comments.listByProject, {
        projectId: id,
        paginationOpts: { numItems: 100, cursor },
      });
      comments += result.page.length;
      if (result.isDone) break;
      cursor = result.continueCursor;
    }
    return { id: project._id, name: project.name, comments };
  },
});

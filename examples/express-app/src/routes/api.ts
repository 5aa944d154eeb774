/**
 * `/api/v1`: Bearer API keys, the per-IP failed-authentication limit in front of key lookup,
 * then the `api` tier per key; a scope per route; projects and comments (cached reads,
 * keyset pagination, batched author lookups).
 *
 * @module
 */
import express from 'express';
import { z } from 'zod';
import { NotFoundError } from '@armor/errors';
import { getLoaders } from '@armor/cache/express';
import { decodeCursor, repositories } from '../db/repositories.js';
import { principalOf, type Authentication } from '../http/authenticate.js';
import type { RateLimits } from '../http/rate-limits.js';
import { parse } from '../http/validate.js';
import type { Services } from '../services.js';
import { anonymizeIp, commentBody, commentParams, listQuery, noQuery, present, projectBody, projectParams, projectTag, v, type Operations, type PresentedComment } from './operations.js';

/** The `/api/v1` router. */
export function apiRouter(services: Services, auth: Authentication, limits: RateLimits, ops: Operations): express.Router {
  const { db, repos, cache, loaders } = services;
  const api = express.Router();
  api.use(limits.authFailureLimit, auth.requireKey, limits.apiLimit);

  api.post('/projects', auth.requireScope('projects:write'), v({ body: projectBody, query: noQuery }), ops.createProject);

  api.get('/projects/:projectId', auth.requireScope('projects:read'), v({ params: projectParams, query: noQuery }), async (req, res) => {
    const p = principalOf(res);
    const { projectId } = req.params as z.output<typeof projectParams>;
    const project = await repos.projects.get(p.tenantId, projectId);
    if (!project) throw new NotFoundError('Project not found');
    res.json({ id: project.id, name: project.name, createdAt: project.createdAt });
  });

  api.post('/projects/:projectId/comments', auth.requireScope('comments:write'), v({ params: projectParams, body: commentBody, query: noQuery }), ops.createComment);

  api.get('/projects/:projectId/comments', auth.requireScope('comments:read'), v({ params: projectParams, query: listQuery }), async (req, res) => {
    const p = principalOf(res);
    const { projectId } = req.params as z.output<typeof projectParams>;
    const query = req.query as unknown as z.output<typeof listQuery>;
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !cursor) parse(z.object({ cursor: z.never({ error: 'is not a valid cursor' }) }), { cursor: query.cursor }, '/query');
    const project = await repos.projects.get(p.tenantId, projectId);
    if (!project) throw new NotFoundError('Project not found');
    const { user } = getLoaders(res, loaders);
    const page = await cache.getOrSet(
      `comments:${projectId}:${query.limit}:${query.cursor ?? ''}`,
      async () => {
        const rows = await repos.comments.listByProject(projectId, query.limit, cursor);
        // One batched users query for every author on the page (no N+1).
        const authors = await Promise.all(rows.items.map((c) => user.load(c.authorId)));
        return { items: rows.items.map((c, i) => present(c, authors[i])), nextCursor: rows.nextCursor };
      },
      { tags: [projectTag(projectId)] },
    );
    res.json(page);
  });

  api.get('/comments/:id', auth.requireScope('comments:read'), v({ params: commentParams, query: noQuery }), async (req, res) => {
    const p = principalOf(res);
    const { id } = req.params as z.output<typeof commentParams>;
    // One lookup: getOrSet answers a hit (a cached `null`, "no such comment", included) or loads once.
    const found = (await cache.getOrSet(`comment:${id}`, async () => {
      const comment = await repos.comments.getAnyTenant(id);
      if (!comment) return null;
      const author = await getLoaders(res, loaders).user.load(comment.authorId);
      return { tenantId: comment.tenantId, comment: present(comment, author) };
    })) as { tenantId: string; comment: PresentedComment } | null;
    if (!found || found.tenantId !== p.tenantId) throw new NotFoundError('Comment not found');
    res.json(found.comment);
  });

  api.delete('/comments/:id', auth.requireScope('comments:write'), v({ params: commentParams, query: noQuery }), async (req, res) => {
    const p = principalOf(res);
    const { id } = req.params as z.output<typeof commentParams>;
    const deleted = await db.transaction(async (tx) => {
      const r = repositories(tx);
      const comment = await r.comments.delete(p.tenantId, id);
      if (comment) await r.audit.record({ tenantId: p.tenantId, actorUserId: p.userId, actorKeyId: p.keyId, action: 'comment.delete', entity: 'comment', entityId: id, ip: anonymizeIp(req.ip), details: { projectId: comment.projectId } });
      return comment;
    });
    if (!deleted) throw new NotFoundError('Comment not found');
    await cache.delete(`comment:${id}`);
    await cache.invalidateTag(projectTag(deleted.projectId));
    res.status(204).end();
  });

  return api;
}

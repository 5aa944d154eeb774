/**
 * `/api/v1`: Bearer API keys, the per-IP failed-authentication limit in front of key lookup,
 * then the `api` tier per key; projects and comments (cached reads, keyset pagination, batched
 * author lookups). Every route is guarded by the access policy (`access.ts`): a
 * `requirePermission` guard per route (the key's scopes narrow its owner's role), then
 * `assert` on the loaded row (tenant isolation, ownership), `accessibleWhere` for lists.
 *
 * @module
 */
import express from 'express';
import { z } from 'zod';
import { NotFoundError } from '@armor/errors';
import { getLoaders } from '@armor/cache/express';
import { accessibleWhere } from '@armor/access';
import { policy, type AccessControl } from '../access.js';
import { decodeCursor, repositories } from '../db/repositories.js';
import { principalOf, type Authentication } from '../http/authenticate.js';
import type { RateLimits } from '../http/rate-limits.js';
import { series } from '../http/middleware.js';
import { parse } from '../http/validate.js';
import type { Services } from '../services.js';
import { anonymizeIp, commentBody, commentParams, listQuery, noQuery, present, projectBody, projectParams, projectTag, v, type Operations, type PresentedComment } from './operations.js';

/** The `/api/v1` router. */
export function apiRouter(services: Services, auth: Authentication, limits: RateLimits, ops: Operations, access: AccessControl): express.Router {
  const { db, repos, cache, loaders } = services;
  const api = express.Router();
  api.use(series(limits.authFailureLimit, auth.requireKey, limits.apiLimit));

  /** A project as the caller may see it: the fields the policy lets them read. */
  const showProject = (res: express.Response, project: { id: string; tenantId: string; name: string; createdAt: string; createdBy: string | null }) => {
    const fields = new Set(policy.permittedFields(access.principal(res), 'read', 'project', project));
    return { id: project.id, name: project.name, createdAt: project.createdAt, ...(fields.has('createdBy') ? { createdBy: project.createdBy } : {}) };
  };

  // One route per path, its methods dispatched inside it: a request walks four route layers, not
  // seven. The paths never overlap, so the order only decides how many patterns a request is
  // tested against: the hottest (a comment by id, the cached read) comes first.
  const commentById = api.route('/comments/:id');
  const projectList = api.route('/projects');
  const projectById = api.route('/projects/:projectId');
  const projectComments = api.route('/projects/:projectId/comments');

  projectList.post(access.require('create', 'project'), v({ body: projectBody, query: noQuery }), ops.createProject);

  // Lists filter in the database: only the rows the policy lets the caller read are loaded.
  projectList.get(access.require('read', 'project'), v({ query: listQuery }), async (req, res) => {
    const query = req.query as unknown as z.output<typeof listQuery>;
    const where = accessibleWhere(policy, access.principal(res), 'read', 'project', { columns: { tenantId: 'tenant_id', createdBy: 'created_by', createdAt: 'created_at' } });
    const rows = await repos.projects.listWhere(where, query.limit);
    res.json({ items: rows.map((p) => showProject(res, p)) });
  });

  projectById.get(access.require('read', 'project'), v({ params: projectParams, query: noQuery }), async (req, res) => {
    const { projectId } = req.params as z.output<typeof projectParams>;
    const project = await repos.projects.getAnyTenant(projectId);
    if (!project) throw new NotFoundError('Project not found');
    access.assert(res, 'read', 'project', project, 'Project not found');
    res.json(showProject(res, project));
  });

  projectComments.post(access.require('create', 'comment'), v({ params: projectParams, body: commentBody, query: noQuery }), ops.createComment);

  projectComments.get(access.require('read', 'comment'), v({ params: projectParams, query: listQuery }), async (req, res) => {
    const { projectId } = req.params as z.output<typeof projectParams>;
    const query = req.query as unknown as z.output<typeof listQuery>;
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !cursor) parse(z.object({ cursor: z.never({ error: 'is not a valid cursor' }) }), { cursor: query.cursor }, '/query');
    const project = await repos.projects.getAnyTenant(projectId);
    if (!project) throw new NotFoundError('Project not found');
    // Comments have no tenant of their own: a project's comments are readable where the project is.
    access.assert(res, 'read', 'comment', { tenantId: project.tenantId, projectId }, 'Project not found');
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

  commentById.get(access.require('read', 'comment'), v({ params: commentParams, query: noQuery }), async (req, res) => {
    const { id } = req.params as z.output<typeof commentParams>;
    // One lookup: getOrSet answers a hit (a cached `null`, "no such comment", included) or loads once.
    const found = (await cache.getOrSet(`comment:${id}`, async () => {
      const comment = await repos.comments.getAnyTenant(id);
      if (!comment) return null;
      const author = await getLoaders(res, loaders).user.load(comment.authorId);
      return { tenantId: comment.tenantId, comment: present(comment, author) };
    })) as { tenantId: string; comment: PresentedComment } | null;
    if (!found) throw new NotFoundError('Comment not found');
    access.assert(res, 'read', 'comment', { tenantId: found.tenantId, projectId: found.comment.projectId, authorId: found.comment.author.id }, 'Comment not found');
    res.json(found.comment);
  });

  // No type-level guard: deleting is allowed by a condition on the row (the author), so the
  // check needs the loaded comment (a type-level check cannot satisfy a condition).
  commentById.delete(v({ params: commentParams, query: noQuery }), async (req, res) => {
    const p = principalOf(res);
    const { id } = req.params as z.output<typeof commentParams>;
    const existing = await repos.comments.getAnyTenant(id);
    if (!existing) throw new NotFoundError('Comment not found');
    // Members delete their own comments; admins any comment of their tenant.
    access.assert(res, 'delete', 'comment', existing, 'Comment not found');
    const deleted = await db.transaction(async (tx) => {
      const r = repositories(tx, services.audit.log);
      const comment = await r.comments.delete(existing.tenantId, id);
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

/**
 * What `/api/v1` and the browser routes share: the request schemas, the validation helper, the
 * public shape of a comment, and the two writes both expose (create a project, add a comment).
 *
 * @module
 */
import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { NotFoundError } from '@armor/errors';
import { getLoaders } from '@armor/cache/express';
import { schemas } from '@armor/validation';
import { validate } from '@armor/validation/express';
import { anonymizeIp as anonymize } from '@armor/privacy';
import { repositories, type Comment, type User } from '../db/repositories.js';
import { principalOf } from '../http/authenticate.js';
import type { AccessControl } from '../access.js';
import type { Services } from '../services.js';

export const projectParams = z.object({ projectId: schemas.id() }).strict();
export const commentParams = z.object({ id: schemas.id() }).strict();
export const projectBody = z.object({ name: schemas.safeString({ min: 1, max: 200 }) }).strict();
/** The comment body is HTML, sanitized on parse (allowlist, no scripts or event handlers). */
export const commentBody = z
  .object({ body: schemas.html({ max: 20_000 }).refine((html) => html.trim().length > 0, 'must contain some content after sanitization') })
  .strict();
export const listQuery = schemas.pagination({ maxLimit: 100, defaultLimit: 20 }).strict();
export const noQuery = z.object({}).strict();
export const loginBody = z.object({ email: schemas.email(), password: z.string().min(1).max(1024) }).strict();

/** Validation on every route; failures go to the central error handler (problem+json). */
export const v = (parts: { body?: z.ZodType; query?: z.ZodType; params?: z.ZodType }): RequestHandler =>
  validate({ ...parts, onError: 'next' }) as unknown as RequestHandler;

/** IPs are stored and logged anonymized (IPv4 /24, IPv6 /48) — never the full address. */
export const anonymizeIp = (ip: string | undefined): string | null => (ip ? (anonymize(ip) ?? null) : null);

/** A comment as clients see it (and as the cache stores it, with its tenant for the access check). */
export interface PresentedComment {
  id: string;
  projectId: string;
  html: string;
  author: { id: string; name: string };
  createdAt: string;
}

/** The public shape of a comment. */
export function present(comment: Comment, author: User | undefined): PresentedComment {
  return {
    id: comment.id,
    projectId: comment.projectId,
    html: comment.html,
    author: author ? { id: author.id, name: author.name } : { id: comment.authorId, name: 'unknown' },
    createdAt: comment.createdAt,
  };
}

/** The cache tag of a project's comment pages (invalidated on every comment write). */
export const projectTag = (projectId: string): string => `project:${projectId}:comments`;

/** The handlers both route sets expose. */
export interface Operations {
  createProject: (req: Request, res: Response) => Promise<void>;
  createComment: (req: Request, res: Response) => Promise<void>;
}

/**
 * Builds the shared write handlers (a transaction with its audit entry each). Access: the
 * routes' `requirePermission` guards, then `access.assert` on the project a comment goes to.
 */
export function operations({ db, repos, cache, loaders, webhook, audit }: Services, access: AccessControl): Operations {
  return {
    async createProject(req, res) {
      const p = principalOf(res);
      const { name } = req.body as z.output<typeof projectBody>;
      const project = await db.transaction(async (tx) => {
        const r = repositories(tx, audit.log);
        const created = await r.projects.create({ tenantId: p.tenantId, name, createdBy: p.userId });
        await r.audit.record({ tenantId: p.tenantId, actorUserId: p.userId, actorKeyId: p.keyId, action: 'project.create', entity: 'project', entityId: created.id, ip: anonymizeIp(req.ip), details: { name } });
        return created;
      });
      res.status(201).json({ id: project.id, name: project.name, createdAt: project.createdAt });
    },

    async createComment(req, res) {
      const p = principalOf(res);
      const { projectId } = req.params as z.output<typeof projectParams>;
      const { body: html } = req.body as z.output<typeof commentBody>;
      const project = await repos.projects.getAnyTenant(projectId);
      if (!project) throw new NotFoundError('Project not found');
      access.assert(res, 'create', 'comment', { tenantId: project.tenantId, projectId, authorId: p.userId }, 'Project not found');
      const comment = await db.transaction(async (tx) => {
        const r = repositories(tx, audit.log);
        const created = await r.comments.create({ projectId, authorId: p.userId, html });
        await r.audit.record({ tenantId: p.tenantId, actorUserId: p.userId, actorKeyId: p.keyId, action: 'comment.create', entity: 'comment', entityId: created.id, ip: anonymizeIp(req.ip), details: { projectId } });
        return created;
      });
      await cache.invalidateTag(projectTag(projectId));
      const author = await getLoaders(res, loaders).user.load(comment.authorId);
      const presented = present(comment, author);
      void webhook.notify('comment.created', presented);
      res.status(201).json(presented);
    },
  };
}

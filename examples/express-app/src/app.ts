/**
 * Builds the service from a validated {@link AppConfig}: database (PGlite or PostgreSQL),
 * migrations, and the Express 5 app with every Armor package composed. `server.ts` boots it;
 * tests and the benchmark call {@link createService} directly and listen on port 0.
 *
 * @module
 */
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { AuthenticationError, AuthorizationError, BadRequestError, NotFoundError } from '@armor/errors';
import { errorMiddleware, notFound } from '@armor/errors/express';
import { z } from 'zod';
import type { AppConfig } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { migrate } from './db/migrations.js';
import { decodeCursor, repositories, type Comment, type Repositories, type User } from './db/repositories.js';
import { hashPassword, newSessionId, sha256, SCOPES, verifyPassword, type Principal, type Scope } from './auth.js';
import { hashKey, issueKey, parseKey, verifyKey } from './keys.js';
import { parse, text, uuid } from './http/validate.js';
import { anonymizeIp, installClientErrorHandler, jsonLogger, readCookie, rejectDeepJson, requireJsonBody, sanitizeHtml } from './http/middleware.js';

/** A running service: the Express app plus what tests and the server need. */
export interface Service {
  app: express.Express;
  config: AppConfig;
  db: Database;
  repos: Repositories;
  /** The built-in admin principal (owner of the admin key and the demo data). */
  admin: { userId: string; tenantId: string };
  /** Issues an API key for `userId` and returns the plain key (shown once). */
  createApiKey(userId: string, scopes: readonly string[], name?: string): Promise<string>;
  /** Listens on `port` (0 = any) and `host`; registers the server for graceful shutdown. */
  listen(port?: number, host?: string): Promise<Server>;
  /** Stops background work and closes the database and Redis. */
  close(): Promise<void>;
}

/** Things tests (and the bench) may inject instead of building from config. */
export interface ServiceOverrides {
  db?: Database;
  /** Skip migrations (the caller ran them). */
  skipMigrations?: boolean;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      principal?: Principal;
    }
  }
}

const projectBody = z.object({ name: text(200) }).strict();
const commentBody = z
  .object({
    body: z
      .string()
      .min(1, 'must not be empty')
      .max(20_000, 'must be at most 20000 characters')
      .refine((s) => !s.includes('\u0000'), 'must not contain NUL characters'),
  })
  .strict();
const listQuery = z
  .object({
    limit: z
      .string()
      .regex(/^\d{1,3}$/, 'must be an integer between 1 and 100')
      .transform(Number)
      .pipe(z.number().int().min(1, 'must be an integer between 1 and 100').max(100, 'must be an integer between 1 and 100'))
      .optional(),
    cursor: z.string().max(512, 'is not a valid cursor').optional(),
  })
  .strict();
const loginBody = z.object({ email: z.email().max(320), password: z.string().min(1).max(1024) }).strict();

/** Creates the service: opens the database, migrates, ensures the admin user, builds the app. */
export async function createService(config: AppConfig, overrides: ServiceOverrides = {}): Promise<Service> {
  const db = overrides.db ?? (await openDatabase(config.database.kind === 'postgres' ? { kind: 'postgres', url: config.database.url } : { kind: 'pglite', dataDir: config.database.dataDir }));
  if (!overrides.skipMigrations) await migrate(db);
  const repos = repositories(db);
  const admin = await ensureAdmin(repos);
  const adminKeyHash = config.adminApiKey ? hashKey(config.adminApiKey) : undefined;

  const servers: Server[] = [];

  async function createApiKey(userId: string, scopes: readonly string[], name = 'default'): Promise<string> {
    const issued = issueKey();
    await repos.apiKeys.create({ userId, name, lookup: issued.lookup, hash: issued.hash, scopes });
    return issued.key;
  }

  // ---- authentication ------------------------------------------------------------------------
  async function authenticateKey(req: Request): Promise<Principal> {
    const header = req.get('authorization');
    if (!header) throw new AuthenticationError('Missing Authorization: Bearer <api key>', { details: { scheme: 'Bearer' } });
    const m = /^Bearer ([\x21-\x7e]{1,200})$/.exec(header);
    if (!m) throw new AuthenticationError('Malformed Authorization header; expected "Bearer <api key>"');
    const key = m[1]!;
    if (adminKeyHash && verifyKey(key, adminKeyHash)) {
      return { userId: admin.userId, tenantId: admin.tenantId, keyId: null, scopes: SCOPES, via: 'admin-key' };
    }
    const parsed = parseKey(key);
    const record = parsed ? await repos.apiKeys.byLookup(parsed.lookup) : undefined;
    if (!record || !verifyKey(key, record.hash)) throw new AuthenticationError('Invalid API key');
    if (record.revokedAt) throw new AuthenticationError('API key revoked');
    if (record.expiresAt && Date.parse(record.expiresAt) <= Date.now()) throw new AuthenticationError('API key expired');
    return { userId: record.userId, tenantId: record.tenantId, keyId: record.id, scopes: record.scopes, via: 'api-key' };
  }

  const requireKey = async (req: Request, res: Response, next: NextFunction) => {
    res.locals.principal = await authenticateKey(req);
    next();
  };

  const requireScope = (scope: Scope) => (_req: Request, res: Response, next: NextFunction) => {
    const p = res.locals.principal;
    if (!p) throw new AuthenticationError();
    if (!p.scopes.includes(scope)) throw new AuthorizationError(`This API key lacks the "${scope}" scope`, { details: { scope } });
    next();
  };

  const requireSession = async (req: Request, res: Response, next: NextFunction) => {
    const sid = readCookie(req, 'sid');
    const user = sid ? await repos.sessions.find(sha256(sid)) : undefined;
    if (!user) throw new AuthenticationError('Sign in first (POST /auth/login)');
    res.locals.principal = { userId: user.id, tenantId: user.tenantId, keyId: null, scopes: ['projects:read', 'projects:write', 'comments:read', 'comments:write'], via: 'session' };
    next();
  };

  // ---- domain operations (shared by /api/v1 and the browser routes) ---------------------------
  const principalOf = (res: Response): Principal => {
    const p = res.locals.principal;
    if (!p) throw new AuthenticationError();
    return p;
  };

  async function audit(req: Request, p: Principal, action: string, entity: string, entityId: string, details?: Record<string, unknown>) {
    await repos.audit.record({
      tenantId: p.tenantId,
      actorUserId: p.userId,
      actorKeyId: p.keyId,
      action,
      entity,
      entityId,
      ip: anonymizeIp(req.ip),
      details,
    });
  }

  async function createProject(req: Request, res: Response) {
    const p = principalOf(res);
    const { name } = parse(projectBody, req.body, '/body');
    const project = await db.transaction(async (tx) => {
      const r = repositories(tx);
      const created = await r.projects.create({ tenantId: p.tenantId, name, createdBy: p.userId });
      await r.audit.record({ tenantId: p.tenantId, actorUserId: p.userId, actorKeyId: p.keyId, action: 'project.create', entity: 'project', entityId: created.id, ip: anonymizeIp(req.ip), details: { name } });
      return created;
    });
    res.status(201).json({ id: project.id, name: project.name, createdAt: project.createdAt });
  }

  async function createComment(req: Request, res: Response) {
    const p = principalOf(res);
    const { projectId } = parse(z.object({ projectId: uuid }), req.params, '/params');
    const { body } = parse(commentBody, req.body, '/body');
    const project = await repos.projects.get(p.tenantId, projectId);
    if (!project) throw new NotFoundError('Project not found');
    const html = sanitizeHtml(body);
    const comment = await db.transaction(async (tx) => {
      const r = repositories(tx);
      const created = await r.comments.create({ projectId, authorId: p.userId, html });
      await r.audit.record({ tenantId: p.tenantId, actorUserId: p.userId, actorKeyId: p.keyId, action: 'comment.create', entity: 'comment', entityId: created.id, ip: anonymizeIp(req.ip), details: { projectId } });
      return created;
    });
    const [author] = await repos.users.byIds([comment.authorId]);
    res.status(201).json(present(comment, author));
  }

  // ---- app ------------------------------------------------------------------------------------
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');

  app.get('/health/live', (_req, res) => {
    res.type('application/health+json').json({ status: 'pass' });
  });
  app.get('/health/ready', async (_req, res) => {
    try {
      await db.ping();
      res.type('application/health+json').json({ status: 'pass' });
    } catch (error) {
      res.status(503).type('application/health+json').json({ status: 'fail', output: `database: ${(error as Error).message}` });
    }
  });

  app.use(requireJsonBody);
  app.use(express.json({ limit: config.bodyLimit, strict: true }));
  app.use(rejectDeepJson(32));

  // API (Bearer API keys)
  const api = express.Router();
  api.use(requireKey);
  api.post('/projects', requireScope('projects:write'), createProject);
  api.get('/projects/:projectId', requireScope('projects:read'), async (req, res) => {
    const p = principalOf(res);
    const { projectId } = parse(z.object({ projectId: uuid }), req.params, '/params');
    const project = await repos.projects.get(p.tenantId, projectId);
    if (!project) throw new NotFoundError('Project not found');
    res.json({ id: project.id, name: project.name, createdAt: project.createdAt });
  });
  api.post('/projects/:projectId/comments', requireScope('comments:write'), createComment);
  api.get('/projects/:projectId/comments', requireScope('comments:read'), async (req, res) => {
    const p = principalOf(res);
    const { projectId } = parse(z.object({ projectId: uuid }), req.params, '/params');
    const query = parse(listQuery, req.query, '/query');
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !cursor) parse(z.never({ error: 'is not a valid cursor' }), undefined, '/query');
    const project = await repos.projects.get(p.tenantId, projectId);
    if (!project) throw new NotFoundError('Project not found');
    const page = await repos.comments.listByProject(projectId, query.limit ?? 20, cursor);
    const authors = await repos.users.byIds([...new Set(page.items.map((c) => c.authorId))]);
    const byId = new Map(authors.map((a) => [a.id, a]));
    res.json({ items: page.items.map((c) => present(c, byId.get(c.authorId))), nextCursor: page.nextCursor });
  });
  api.get('/comments/:id', requireScope('comments:read'), async (req, res) => {
    const p = principalOf(res);
    const { id } = parse(z.object({ id: uuid }), req.params, '/params');
    const comment = await repos.comments.get(p.tenantId, id);
    if (!comment) throw new NotFoundError('Comment not found');
    const [author] = await repos.users.byIds([comment.authorId]);
    res.json(present(comment, author));
  });
  app.use('/api/v1', api);

  // Browser routes (cookie session)
  app.post('/auth/login', async (req, res) => {
    const { email, password } = parse(loginBody, req.body, '/body');
    const user = await repos.users.byEmail(email);
    const ok = await verifyPassword(password, user?.passwordHash ?? null);
    if (!user || !ok) throw new AuthenticationError('Wrong email or password');
    const sid = newSessionId();
    await repos.sessions.create(sha256(sid), user.id, new Date(Date.now() + 8 * 3600_000));
    res.cookie('sid', sid, { httpOnly: true, sameSite: 'lax', secure: config.env === 'production', path: '/', maxAge: 8 * 3600_000 });
    res.json({ user: { id: user.id, name: user.name, email: user.email } });
  });
  app.get('/auth/session', requireSession, (_req, res) => {
    const p = principalOf(res);
    res.json({ userId: p.userId });
  });
  app.post('/auth/logout', requireSession, async (req, res) => {
    const sid = readCookie(req, 'sid');
    if (sid) await repos.sessions.delete(sha256(sid));
    res.clearCookie('sid', { path: '/' });
    res.status(204).end();
  });
  app.post('/web/projects', requireSession, createProject);
  app.post('/web/projects/:projectId/comments', requireSession, createComment);

  app.use(notFound());
  // Express's router marks undecodable path parameters (`%E0%A4%A`) with status 400 but no `expose`.
  app.use((error: unknown, _req: Request, _res: Response, next: NextFunction) => {
    next(error instanceof URIError ? new BadRequestError('Malformed percent-encoding in the URL', { cause: error }) : error);
  });
  app.use(errorMiddleware({ logger: config.env === 'test' ? undefined : jsonLogger() }));

  return {
    app,
    config,
    db,
    repos,
    admin,
    createApiKey,
    async listen(port = config.port, host = config.host) {
      const server = await new Promise<Server>((resolve, reject) => {
        const s = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(s)));
      });
      installClientErrorHandler(server);
      servers.push(server);
      return server;
    },
    async close() {
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      await db.close();
    },
  };
}

/** The public shape of a comment. */
function present(comment: Comment, author: User | undefined) {
  return {
    id: comment.id,
    projectId: comment.projectId,
    html: comment.html,
    author: author ? { id: author.id, name: author.name } : { id: comment.authorId, name: 'unknown' },
    createdAt: comment.createdAt,
  };
}

async function ensureAdmin(repos: Repositories): Promise<{ userId: string; tenantId: string }> {
  const existing = await repos.users.byEmail('admin@armor.local');
  if (existing) return { userId: existing.id, tenantId: existing.tenantId };
  const tenant = await repos.tenants.create('Armor admin');
  try {
    const user = await repos.users.create({ tenantId: tenant.id, email: 'admin@armor.local', name: 'Admin' });
    return { userId: user.id, tenantId: tenant.id };
  } catch (error) {
    // Another instance created it concurrently.
    const again = await repos.users.byEmail('admin@armor.local');
    if (again) return { userId: again.id, tenantId: again.tenantId };
    throw error;
  }
}

export { hashPassword };

/**
 * Builds the service from a validated {@link AppConfig}: database (PGlite or PostgreSQL),
 * migrations, and the Express 5 app with every Armor package composed. `server.ts` boots it;
 * tests and the benchmark call {@link createService} directly and listen on port 0.
 *
 * @module
 */
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import { AuthenticationError, AuthorizationError, BadRequestError, isArmorError, NotFoundError } from '@armor/errors';
import { errorMiddleware, notFound } from '@armor/errors/express';
import { z } from 'zod';
import { Redis } from 'ioredis';
import { createCache, createLoader, loaderScope, memoryStore, redisStore, tieredStore, type Cache } from '@armor/cache';
import { getLoaders, loaderMiddleware } from '@armor/cache/express';
import { createHealth, type Health } from '@armor/health';
import { healthRouter } from '@armor/health/express';
import { securityHeaders } from '@armor/security-headers/express';
import { csrfProtection } from '@armor/csrf/express';
import { memoryStore as rateLimitMemoryStore, redisStore as rateLimitRedisStore, tiers, type RateLimiter, createRateLimiter } from '@armor/rate-limit';
import { ipKey, rateLimit } from '@armor/rate-limit/express';
import { schemas } from '@armor/validation';
import { validate } from '@armor/validation/express';
import { createMonitor, createRegistry, instrumentCache, instrumentRateLimiter, instrumentResilience, recordError, trackOperation, type Monitor, type Registry } from '@armor/metrics';
import { metricsEndpoint, metricsMiddleware, monitoringEndpoint } from '@armor/metrics/express';
import { collectProcessMetrics } from '@armor/metrics/node';
import { createWebhook, type Webhook } from './webhook.js';
import type { AppConfig } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { migrate, MIGRATIONS } from './db/migrations.js';
import { precompressed } from './http/precompressed.js';
import { decodeCursor, repositories, type Comment, type Repositories, type User } from './db/repositories.js';
import { hashPassword, newSessionId, sha256, SCOPES, verifyPassword, type Principal, type Scope } from './auth.js';
import { hashKey, issueKey, KEY_PREFIX } from './keys.js';
import { ApiKeyError, createApiKeyVerifier, type VerifiedApiKey } from '@armor/api-keys';
import { requireScopes } from '@armor/api-keys/express';
import { anonymizeIp as anonymize, createRedactor } from '@armor/privacy';
import { timingSafeEqual } from 'node:crypto';
import { parse } from './http/validate.js';
import { hasBody, installClientErrorHandler, jsonLogger, readCookie, requireJsonBody } from './http/middleware.js';

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
  health: Health;
  registry: Registry;
  monitor: Monitor;
  cache: Cache;
  webhook: Webhook;
  redis: Redis | undefined;
  /** Stops background work and closes the database and Redis. */
  close(): Promise<void>;
}

/** Things tests (and the bench) may inject instead of building from config. */
export interface ServiceOverrides {
  db?: Database;
  /** Used for the webhook (tests inject a counting fetch). @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Skip migrations (the caller ran them). */
  skipMigrations?: boolean;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      principal?: Principal;
      /** Set by the first request-rate limiter a request passes (`api` or `standard`): one charge per request. */
      rateLimitCharged?: boolean;
    }
  }
}

const projectParams = z.object({ projectId: schemas.id() }).strict();
const commentParams = z.object({ id: schemas.id() }).strict();
const projectBody = z.object({ name: schemas.safeString({ min: 1, max: 200 }) }).strict();
/** The comment body is HTML, sanitized on parse (allowlist, no scripts or event handlers). */
const commentBody = z
  .object({ body: schemas.html({ max: 20_000 }).refine((html) => html.trim().length > 0, 'must contain some content after sanitization') })
  .strict();
const listQuery = schemas.pagination({ maxLimit: 100, defaultLimit: 20 }).strict();
const noQuery = z.object({}).strict();
const loginBody = z.object({ email: schemas.email(), password: z.string().min(1).max(1024) }).strict();

/** A comment as clients see it (and as the cache stores it, with its tenant for the access check). */
/** What the API-key cache holds per key id. */
interface CachedKey {
  hash: string;
  scopes: string[];
  expiresAt: number | null;
  revokedAt: number | null;
  userId: string;
  tenantId: string;
  keyId: string;
}

/** IPs are stored and logged anonymized (IPv4 /24, IPv6 /48) — never the full address. */
const anonymizeIp = (ip: string | undefined): string | null => (ip ? (anonymize(ip) ?? null) : null);

interface PresentedComment {
  id: string;
  projectId: string;
  html: string;
  author: { id: string; name: string };
  createdAt: string;
}

/** Creates the service: opens the database, migrates, ensures the admin user, builds the app. */
export async function createService(config: AppConfig, overrides: ServiceOverrides = {}): Promise<Service> {
  const db = overrides.db ?? (await openDatabase(config.database.kind === 'postgres' ? { kind: 'postgres', url: config.database.url } : { kind: 'pglite', dataDir: config.database.dataDir }));
  if (!overrides.skipMigrations) await migrate(db, MIGRATIONS, { release: config.release });
  const repos = repositories(db);
  const admin = await ensureAdmin(repos);
  const adminKeyHash = config.adminApiKey ? Buffer.from(await hashKey(config.adminApiKey), 'hex') : undefined;
  const log = jsonLogger();
  const quiet = config.env === 'test';

  // ---- metrics: registry, process metrics, a trackOperation around every query --------------
  const registry = createRegistry({ defaultLabels: { service: 'express-app' } });
  const stopProcessMetrics = collectProcessMetrics(registry);
  const stopQueryTracking = db.observe((sql, run) => trackOperation(queryName(sql), run, { registry, slowMs: config.slowQueryMs, summary: sql }));

  // ---- shared state: Redis (optional), caches, loaders, health, webhook ----------------------
  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000 }) : undefined;
  redis?.on('error', () => undefined); // reported by the health check, not as an unhandled event
  const cacheStore = () =>
    redis ? tieredStore({ l1: memoryStore({ max: 10_000 }), l2: redisStore({ client: redis, prefix: 'express-app:cache:' }) }) : memoryStore({ max: 10_000 });
  /** Hot reads (comments, comment pages); invalidated by tag on every write. */
  const cache: Cache = createCache({ name: 'reads', namespace: 'reads', ttlMs: config.cacheTtlMs, store: cacheStore() });
  /** API-key records by lookup id, so authentication is not a query per request. */
  const keyCache = createCache<CachedKey | null>({ name: 'api-keys', namespace: 'keys', ttlMs: 30_000, store: cacheStore() });

  const loaders = loaderScope({
    user: () =>
      createLoader<string, User>(
        async (ids: readonly string[]) => {
          const rows = await repos.users.byIds(ids);
          const byId = new Map(rows.map((u) => [u.id, u]));
          return ids.map((id) => byId.get(id) ?? new NotFoundError(`User ${id} not found`));
        },
        { maxBatchSize: 100 },
      ),
  });

  const health = createHealth({
    version: '0.0.0',
    releaseId: config.release,
    serviceId: 'express-app',
    readyOnFirstPass: true,
    checks: {
      database: { check: () => db.ping(), timeoutMs: 2000, cacheMs: config.healthCacheMs, componentType: 'datastore' },
      ...(redis
        ? { redis: { check: async () => (await redis.ping()) === 'PONG', timeoutMs: 1000, cacheMs: config.healthCacheMs, componentType: 'datastore' } }
        : {}),
    },
  });

  const webhook = createWebhook({
    url: config.webhookUrl,
    ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
    onError: (error) => {
      if (!quiet && !config.demo) log.warn({ msg: 'webhook delivery failed', error: (error as Error).message, code: (error as { code?: string }).code });
    },
  });

  // ---- rate limits: `auth` on login, `authFailures` per IP before key authentication, `api`
  // per key, `standard` per IP elsewhere. Each request is charged once by `api` or `standard`.
  const { ip: _authIpTier, ...authAccountTier } = tiers.auth;
  const rateStore = redis ? rateLimitRedisStore({ client: redis }) : rateLimitMemoryStore();
  const limiters: Record<'auth' | 'api' | 'standard' | 'authFailures', RateLimiter> = {
    // The account half of the auth tier (the per-IP half, `tiers.auth.ip`, is not a limiter option).
    auth: createRateLimiter({ ...authAccountTier, ...config.rateLimits.auth, name: 'auth', store: rateStore }),
    api: createRateLimiter({ ...tiers.api, ...config.rateLimits.api, name: 'api', store: rateStore }),
    standard: createRateLimiter({ ...tiers.standard, ...config.rateLimits.standard, name: 'standard', store: rateStore }),
    authFailures: createRateLimiter({ ...tiers.standard, ...config.rateLimits.authFailures, name: 'authFailures', store: rateStore }),
  };
  const clientKey = (req: Request) => ipKey(req.ip ?? req.socket.remoteAddress ?? 'unknown');
  const authLimit = rateLimit({
    limiter: limiters.auth,
    passToNext: true,
    // Per account and address, so one attacker cannot lock everybody out.
    keyGenerator: (req) => `${clientKey(req)}:${String((req.body as { email?: unknown } | undefined)?.email ?? '').toLowerCase().slice(0, 320)}`,
  });
  /** Runs `limit` unless an earlier limiter already charged this request (so an unknown route costs one point, not two). */
  const once = (limit: express.RequestHandler): express.RequestHandler => (req, res, next) => {
    if (res.locals.rateLimitCharged) return next();
    res.locals.rateLimitCharged = true;
    return limit(req, res, next);
  };
  const apiLimit = once(rateLimit({ limiter: limiters.api, onError: 'next', keyGenerator: (req) => `key:${req.res?.locals.principal?.keyId ?? 'admin'}` }));
  const standardLimit = once(rateLimit({ limiter: limiters.standard, onError: 'next', keyGenerator: clientKey }));
  /**
   * Per IP, in front of API-key and admin authentication: every attempt takes a point first
   * (so a flood is refused before any key lookup), and only failed authentications (401) keep it.
   */
  const authFailureLimit = rateLimit({
    limiter: limiters.authFailures,
    onError: 'next',
    keyGenerator: clientKey,
    headers: false,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
  });

  // ---- CSRF on the cookie-session browser routes ---------------------------------------------
  const secureCookies = config.env === 'production';
  const csrf = csrfProtection({
    secrets: [config.sessionSecret],
    getSessionId: (req) => readCookie(req, 'sid'),
    cookie: secureCookies ? {} : { name: 'armor-csrf', secure: false, sameSite: 'strict' },
    onError: 'next',
  });

  const monitor = createMonitor({
    registry,
    health,
    windowMs: 15 * 60_000,
    resolutionMs: 10_000,
    service: { name: 'express-app', version: config.release, instance: `${process.pid}` },
  });
  const unbridge = [
    instrumentCache(cache, { registry }),
    instrumentCache(keyCache, { registry }),
    instrumentResilience(webhook.breaker, { registry }),
    ...Object.values(limiters).map((l) => instrumentRateLimiter(l, { registry })),
  ];

  const servers: Server[] = [];

  async function createApiKey(userId: string, scopes: readonly string[], name = 'default'): Promise<string> {
    const issued = await issueKey();
    await repos.apiKeys.create({ userId, name, lookup: issued.lookup, hash: issued.hash, scopes });
    return issued.key;
  }

  // ---- authentication ------------------------------------------------------------------------
  /** @armor/api-keys verifier: format + checksum, lookup (cached), timing-safe hash, revocation, expiry. */
  const verifyKey = createApiKeyVerifier({
    prefixes: [KEY_PREFIX],
    lookup: (id: string) =>
      keyCache.getOrSet(id, async () => {
        const row = await repos.apiKeys.byLookup(id);
        if (!row) return null;
        return {
          hash: row.hash,
          scopes: row.scopes,
          expiresAt: row.expiresAt ? Date.parse(row.expiresAt) : null,
          revokedAt: row.revokedAt ? Date.parse(row.revokedAt) : null,
          userId: row.userId,
          tenantId: row.tenantId,
          keyId: row.id,
        };
      }),
  });

  /** The key of `Authorization: Bearer <key>`; throws when the header is missing or malformed. */
  function bearerKey(header: string | undefined): string {
    if (!header) throw new ApiKeyError('UNAUTHENTICATED', 'API key required (Authorization: Bearer <api key>)');
    const m = /^Bearer ([\x21-\x7e]{1,200})$/.exec(header);
    if (!m) throw new ApiKeyError('API_KEY_INVALID', 'Malformed Authorization header; expected "Bearer <api key>"', { details: { reason: 'format' } });
    return m[1]!;
  }

  /** Authenticates a presented key: the admin key (timing-safe), or a stored API key through @armor/api-keys. */
  async function authenticateKey(key: string): Promise<{ principal: Principal; verified: VerifiedApiKey }> {
    if (adminKeyHash && key.length === config.adminApiKey?.length) {
      const presented = Buffer.from(await hashKey(key), 'hex');
      if (timingSafeEqual(presented, adminKeyHash)) {
        return {
          principal: { userId: admin.userId, tenantId: admin.tenantId, keyId: null, scopes: SCOPES, via: 'admin-key' },
          verified: { id: 'admin', prefix: KEY_PREFIX, scopes: SCOPES, record: { hash: '', scopes: SCOPES } },
        };
      }
    }
    const verified = await verifyKey(key);
    const r = verified.record;
    return { principal: { userId: r.userId, tenantId: r.tenantId, keyId: r.keyId, scopes: verified.scopes, via: 'api-key' }, verified };
  }

  /** Bearer API keys; the verified key is stored where `@armor/api-keys/express`' `requireScopes` reads it. */
  // A 401 leaves with `WWW-Authenticate: Bearer` (the error handler adds it to every 401).
  const requireKey = async (req: Request, res: Response, next: NextFunction) => {
    const { principal, verified } = await authenticateKey(bearerKey(req.get('authorization')));
    res.locals.principal = principal;
    (res.locals as { apiKey?: VerifiedApiKey }).apiKey = verified;
    next();
  };

  const requireScope = (scope: Scope) => requireScopes(scope);

  const requireSession = async (req: Request, res: Response, next: NextFunction) => {
    const sid = readCookie(req, 'sid');
    const user = sid ? await repos.sessions.find(sha256(sid)) : undefined;
    if (!user) throw new AuthenticationError('Sign in first (POST /auth/login)');
    res.locals.principal = { userId: user.id, tenantId: user.tenantId, keyId: null, scopes: ['projects:read', 'projects:write', 'comments:read', 'comments:write'], via: 'session' };
    next();
  };

  /** `/metrics` and `/monitoring*`: the admin key (or any key with the `admin` scope), unless DEMO=1. */
  const requireAdmin = async (req: Request, res: Response, next: NextFunction) => {
    if (config.demo) return next();
    // Browsers cannot send a Bearer header when navigating to /monitoring: accept HTTP Basic with
    // the key as password. The key is read from either form; the request is left as it came.
    let p: Principal;
    try {
      const header = req.get('authorization');
      const basic = /^Basic ([A-Za-z0-9+/=]{1,800})$/.exec(header ?? '');
      let key: string;
      if (basic) {
        const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
        key = decoded.slice(decoded.indexOf(':') + 1);
        if (!/^[\x21-\x7e]{1,200}$/.test(key)) throw new ApiKeyError('API_KEY_INVALID', 'Malformed key in the Basic credentials', { details: { reason: 'format' } });
      } else {
        key = bearerKey(header);
      }
      p = (await authenticateKey(key)).principal;
    } catch (error) {
      // Ask browsers for Basic credentials (the error's own header; the handler would say Bearer).
      if (isArmorError(error) && error.status === 401) {
        throw new AuthenticationError(error.message, { cause: error, headers: { 'www-authenticate': 'Basic realm="Armor monitoring (password: admin API key)", charset="UTF-8"' } });
      }
      throw error;
    }
    if (!p.scopes.includes('admin')) throw new AuthorizationError('The admin API key is required', { details: { scope: 'admin' } });
    res.locals.principal = p;
    next();
  };

  const principalOf = (res: Response): Principal => {
    const p = res.locals.principal;
    if (!p) throw new AuthenticationError();
    return p;
  };

  /** Validation on every route; failures go to the central error handler (problem+json). */
  const v = (parts: { body?: z.ZodType; query?: z.ZodType; params?: z.ZodType }) =>
    validate({ ...parts, onError: 'next' }) as unknown as express.RequestHandler;

  // ---- domain operations (shared by /api/v1 and the browser routes) ---------------------------
  const projectTag = (projectId: string) => `project:${projectId}:comments`;

  async function createProject(req: Request, res: Response) {
    const p = principalOf(res);
    const { name } = req.body as z.output<typeof projectBody>;
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
    const { projectId } = req.params as z.output<typeof projectParams>;
    const { body: html } = req.body as z.output<typeof commentBody>;
    const project = await repos.projects.get(p.tenantId, projectId);
    if (!project) throw new NotFoundError('Project not found');
    const comment = await db.transaction(async (tx) => {
      const r = repositories(tx);
      const created = await r.comments.create({ projectId, authorId: p.userId, html });
      await r.audit.record({ tenantId: p.tenantId, actorUserId: p.userId, actorKeyId: p.keyId, action: 'comment.create', entity: 'comment', entityId: created.id, ip: anonymizeIp(req.ip), details: { projectId } });
      return created;
    });
    await cache.invalidateTag(projectTag(projectId));
    const author = await getLoaders(res, loaders).user.load(comment.authorId);
    const presented = present(comment, author);
    void webhook.notify('comment.created', presented);
    res.status(201).json(presented);
  }

  // ---- app ------------------------------------------------------------------------------------
  const app = express();
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');
  // securityHeaders() removes it from every response anyway; not setting it saves that work.
  app.disable('x-powered-by');

  app.use(metricsMiddleware({ registry }));
  const headers = securityHeaders({ preset: 'api' });
  app.use(headers);
  app.use(healthRouter(health));
  // Browsers ask for /favicon.ico on every page: answer with an icon, not a 404 error group.
  app.get(['/favicon.ico', '/favicon.svg'], (_req, res) => {
    res.type('image/svg+xml').set('cache-control', 'public, max-age=86400').send(FAVICON);
  });
  app.get('/metrics', authFailureLimit, requireAdmin, metricsEndpoint(registry));
  app.get('/monitoring/snapshot', authFailureLimit, requireAdmin, monitoringEndpoint(monitor));
  app.use('/monitoring', authFailureLimit, requireAdmin, securityHeaders({ preset: 'default' }), dashboardRouter());

  app.use(requireJsonBody);
  const jsonBody = express.json({ limit: config.bodyLimit, strict: true });
  // The parser runs only for requests that have a body by the same test as requireJsonBody
  // (`hasBody`: a Transfer-Encoding, or a Content-Length above 0); the rest (most GETs, and
  // `Content-Length: 0`) skip it, without the work it does first (adding `req.body = undefined`).
  app.use((req: Request, res: Response, next: NextFunction) => (hasBody(req) ? jsonBody(req, res, next) : next()));
  app.use(loaderMiddleware(loaders));

  // API (Bearer API keys)
  const api = express.Router();
  api.use(authFailureLimit, requireKey, apiLimit);
  api.post('/projects', requireScope('projects:write'), v({ body: projectBody, query: noQuery }), createProject);
  api.get('/projects/:projectId', requireScope('projects:read'), v({ params: projectParams, query: noQuery }), async (req, res) => {
    const p = principalOf(res);
    const { projectId } = req.params as z.output<typeof projectParams>;
    const project = await repos.projects.get(p.tenantId, projectId);
    if (!project) throw new NotFoundError('Project not found');
    res.json({ id: project.id, name: project.name, createdAt: project.createdAt });
  });
  api.post('/projects/:projectId/comments', requireScope('comments:write'), v({ params: projectParams, body: commentBody, query: noQuery }), createComment);
  api.get('/projects/:projectId/comments', requireScope('comments:read'), v({ params: projectParams, query: listQuery }), async (req, res) => {
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
  api.get('/comments/:id', requireScope('comments:read'), v({ params: commentParams, query: noQuery }), async (req, res) => {
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
  api.delete('/comments/:id', requireScope('comments:write'), v({ params: commentParams, query: noQuery }), async (req, res) => {
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
  app.use('/api/v1', api);

  // Browser routes (cookie session + CSRF), `standard` tier per IP; login has the `auth` tier.
  const browser = express.Router();
  browser.use(standardLimit);
  browser.post('/auth/login', authLimit, v({ body: loginBody, query: noQuery }), async (req, res) => {
    const { email, password } = req.body as z.output<typeof loginBody>;
    const user = await repos.users.byEmail(email);
    const ok = await verifyPassword(password, user?.passwordHash ?? null);
    if (!user || !ok) throw new AuthenticationError('Wrong email or password');
    const sid = newSessionId();
    await repos.sessions.create(sha256(sid), user.id, new Date(Date.now() + 8 * 3600_000));
    res.cookie('sid', sid, { httpOnly: true, sameSite: 'lax', secure: config.env === 'production', path: '/', maxAge: 8 * 3600_000 });
    res.json({ user: { id: user.id, name: user.name, email: user.email } });
  });
  /** The signed-in user and a CSRF token (also set as a cookie) for the browser's next POSTs. */
  browser.get('/auth/session', requireSession, v({ query: noQuery }), async (req, res) => {
    const p = principalOf(res);
    res.json({ userId: p.userId, csrfToken: await csrf.issue(req, res) });
  });
  browser.post('/auth/logout', requireSession, csrf, v({ query: noQuery }), async (req, res) => {
    const sid = readCookie(req, 'sid');
    if (sid) await repos.sessions.delete(sha256(sid));
    res.clearCookie('sid', { path: '/' });
    res.status(204).end();
  });
  browser.post('/web/projects', requireSession, csrf, v({ body: projectBody, query: noQuery }), createProject);
  browser.post('/web/projects/:projectId/comments', requireSession, csrf, v({ params: projectParams, body: commentBody, query: noQuery }), createComment);
  app.use(browser);

  app.use(standardLimit, notFound());
  // Express's router marks undecodable path parameters (`%E0%A4%A`) with status 400 but no `expose`.
  app.use((error: unknown, _req: Request, _res: Response, next: NextFunction) => {
    next(error instanceof URIError ? new BadRequestError('Malformed percent-encoding in the URL', { cause: error }) : error);
  });
  app.use(
    errorMiddleware({
      logger: quiet ? undefined : log,
      // Log entries go through @armor/privacy's redactor (tokens, emails, card numbers).
      redact: createRedactor(),
      // The demo's traffic generator sends invalid input on purpose: keep its console readable.
      logClientErrors: !config.demo,
      onError: (error, context) => {
        recordError(error, { registry, context: { path: context.instance } });
      },
    }),
  );

  let closed = false;
  return {
    app,
    config,
    db,
    repos,
    admin,
    health,
    registry,
    monitor,
    cache,
    webhook,
    redis,
    createApiKey,
    async listen(port = config.port, host = config.host) {
      const server = await new Promise<Server>((resolve, reject) => {
        const s = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(s)));
      });
      installClientErrorHandler(server);
      servers.push(server);
      health.markReady();
      return server;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(servers.map((s) => new Promise<void>((r) => { s.close(() => r()); s.closeIdleConnections(); })));
      // Webhook deliveries are drained by the shutdown sequence (boot.ts) before close(); not again here.
      monitor.stop();
      for (const stop of unbridge) stop();
      stopQueryTracking();
      stopProcessMetrics();
      await cache.close().catch(() => undefined);
      await keyCache.close().catch(() => undefined);
      redis?.disconnect();
      await db.close();
    },
  };
}

/** A shield, as SVG (every current browser takes an SVG favicon). */
const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M8 1 2 3v4c0 4 2.6 6.6 6 8 3.4-1.4 6-4 6-8V3z" fill="#2563eb"/></svg>';

const DASHBOARD_DIR = fileURLToPath(new URL('../dist/dashboard', import.meta.url));

/** Serves the Vite-built dashboard (`pnpm --filter express-app build:dashboard`), or a page saying how to build it. */
function dashboardRouter(): express.Router {
  const router = express.Router();
  const cacheControl = (path: string) => (path.endsWith('.html') ? 'no-store' : 'public, max-age=3600');
  // The page script is ~265 KB; its .br/.gz siblings (written by the build) are served when accepted.
  router.use(precompressed(DASHBOARD_DIR, { cacheControl }));
  router.use(express.static(DASHBOARD_DIR, { index: 'index.html', maxAge: '1h', setHeaders: (res, path) => path.endsWith('.html') && res.setHeader('cache-control', 'no-store') }));
  router.get('/', (_req, res) => {
    res
      .status(200)
      .type('html')
      .send('<!doctype html><title>Monitoring</title><p>The dashboard is not built yet: run <code>pnpm --filter express-app build:dashboard</code>. The data is at <a href="snapshot">/monitoring/snapshot</a>.</p>');
  });
  return router;
}

/** A low-cardinality operation name for a SQL statement: `db.select comments`, `db.insert audit_log`. */
export function queryName(sql: string): string {
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? 'query';
  const table = /\b(?:from|into|update|table)\s+(?:if\s+(?:not\s+)?exists\s+)?([a-z_][a-z0-9_]*)/i.exec(sql)?.[1]?.toLowerCase();
  return table ? `db.${verb} ${table}` : `db.${verb}`;
}

/** The public shape of a comment. */
function present(comment: Comment, author: User | undefined): PresentedComment {
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

/**
 * Builds the service from a validated {@link AppConfig}: the infrastructure (`services.ts`),
 * the middleware (`http/`: authentication, rate limits, JSON body), the routes (`routes/api.ts`,
 * `routes/browser.ts`) and the error handler, composed into one Express 5 app, plus listening
 * and shutdown. `server.ts` boots it; tests and the benchmark call {@link createService}
 * directly and listen on port 0.
 *
 * @module
 */
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import { BadRequestError } from '@armor/errors';
import { errorMiddleware, notFound } from '@armor/errors/express';
import type { Cache } from '@armor/cache';
import { loaderMiddleware } from '@armor/cache/express';
import type { Health } from '@armor/health';
import { healthRouter } from '@armor/health/express';
import { securityHeaders } from '@armor/security-headers/express';
import { recordError, type Monitor, type Registry } from '@armor/metrics';
import { metricsEndpoint, metricsMiddleware } from '@armor/metrics/express';
import { createRedactor } from '@armor/privacy';
import { AccessDeniedError } from '@armor/access';
import { auditSecurityErrors } from '@armor/audit';
import type { AppConfig } from './config.js';
import type { Database } from './db/database.js';
import type { Repositories } from './db/repositories.js';
import { authentication } from './http/authenticate.js';
import { getsUnder, installClientErrorHandler, jsonBodies, series } from './http/middleware.js';
import { rateLimits } from './http/rate-limits.js';
import { adminRouter } from './routes/admin.js';
import { apiRouter } from './routes/api.js';
import { browserRouter, dashboardRouter, favicon } from './routes/browser.js';
import { operations } from './routes/operations.js';
import { createServices, type ServiceOverrides, type Services } from './services.js';
import { accessControl } from './access.js';
import { auditRouter } from './routes/audit.js';
import { anonymizeIp } from './routes/operations.js';
import type { Webhook } from './webhook.js';
import { monitoringWithVitals } from './web-vitals.js';

export { queryName, type ServiceOverrides } from './services.js';
export { hashPassword } from './auth.js';

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
  /** The tamper-evident audit log (`@armor/audit`), its checkpoints and verifier. */
  audit: Services['audit'];
  /** Stops background work and closes the database and Redis. */
  close(): Promise<void>;
}

/**
 * The built dashboard. Resolved here, from a module at the top of `src/`, because the release
 * bundle keeps this file in `dist/server.mjs`: `../dist/dashboard` is right in both layouts.
 */
const DASHBOARD_DIR = fileURLToPath(new URL('../dist/dashboard', import.meta.url));

/** Creates the service: opens the database, migrates, ensures the admin user, builds the app. */
export async function createService(config: AppConfig, overrides: ServiceOverrides = {}): Promise<Service> {
  const services = await createServices(config, overrides);
  const { registry, health, monitor, log, quiet, loaders } = services;
  const limits = rateLimits(services.limiters);
  const auth = authentication(services, { onFailure: (req) => limits.authFailed(req) });
  const auditFailed = (error: unknown) => void (quiet ? undefined : log.warn({ msg: 'audit append failed', error: (error as Error).message }));
  // Security refusals (401, API-key, CSRF, 429) as audit events; the request's who and where are
  // attached to the error on its way to the handler (the handler's own context has neither).
  const requestContext = new WeakMap<object, Record<string, unknown>>();
  const securityAudit = auditSecurityErrors(services.audit.log, { onAppendError: auditFailed });
  // The monitoring snapshot with the audit section (integrity per stream, recent events).
  // With the SLO scorecard and the /monitoring page's own web vitals (web-vitals.ts).
  const monitorWithAudit = monitoringWithVitals(registry, async () => ({ ...(await monitor.snapshot()), audit: await services.audit.snapshot() }), { dir: DASHBOARD_DIR });
  const access = accessControl({ admin: services.admin, auditLog: services.audit.log, onAuditError: auditFailed });
  const ops = operations(services, access);

  const app = express();
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');
  // securityHeaders() removes it from every response anyway; not setting it saves that work.
  app.disable('x-powered-by');

  // The operator's routes, each group one layer for the requests that cannot match it (an API
  // request passes two layers here, not nine): the GET routes behind one test of method and path,
  // the /monitoring chain as one router (middleware only, so no automatic OPTIONS answer).
  const operatorGets = express.Router();
  operatorGets.get(['/favicon.ico', '/favicon.svg'], favicon);
  operatorGets.get('/metrics', limits.authFailureLimit, auth.requireAdmin, metricsEndpoint(registry));
  operatorGets.get('/monitoring/snapshot', limits.authFailureLimit, auth.requireAdmin, monitorWithAudit.endpoint);
  // Every request walks these four (metrics, headers, health probes, the operator's GETs): one
  // layer (`series`) instead of four.
  app.use(series(metricsMiddleware({ registry }), securityHeaders({ preset: 'api' }), healthRouter(health), getsUnder(/^\/(?:favicon\.|metrics|monitoring\/snapshot\b)/i, operatorGets)));
  const monitoring = express.Router();
  monitoring.use(limits.authFailureLimit, auth.requireAdmin, monitorWithAudit.vitals, securityHeaders({ preset: 'default' }), monitorWithAudit.page, dashboardRouter(DASHBOARD_DIR));
  app.use('/monitoring', monitoring);

  // 415 for a body that is not JSON, then the JSON parser; requests without a body skip both.
  // Then a per-request set of batch loaders.
  app.use(series(jsonBodies(express.json({ limit: config.bodyLimit, strict: true })), loaderMiddleware(loaders)));

  app.use('/api/v1', apiRouter(services, auth, limits, ops, access));
  app.use('/admin', adminRouter(services, auth, limits, access));
  app.use('/audit', auditRouter(services, auth, limits, access));
  app.use(browserRouter(services, auth, limits, ops, access));

  app.use(limits.standardLimit, notFound());
  // Express's router marks undecodable path parameters (`%E0%A4%A`) with status 400 but no `expose`.
  app.use((error: unknown, _req: Request, _res: Response, next: NextFunction) => {
    next(error instanceof URIError ? new BadRequestError('Malformed percent-encoding in the URL', { cause: error }) : error);
  });
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (typeof error === 'object' && error !== null) {
      const p = res.locals.principal;
      requestContext.set(error, { ...(p ? { userId: p.userId, keyId: p.keyId ?? undefined } : {}), ...(req.ip ? { ip: anonymizeIp(req.ip) ?? undefined } : {}) });
    }
    next(error);
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
        // Access denials are audited where they are decided (auditDenials, with the rule); not twice.
        if (!(error instanceof AccessDeniedError)) securityAudit(error, { ...context, log: { ...context.log, ...requestContext.get(error) } });
      },
    }),
  );

  const servers: Server[] = [];
  let closed = false;
  return {
    app,
    config,
    db: services.db,
    repos: services.repos,
    admin: services.admin,
    health,
    registry,
    monitor,
    cache: services.cache,
    webhook: services.webhook,
    redis: services.redis,
    audit: services.audit,
    createApiKey: services.createApiKey,
    async listen(port = config.port, host = config.host) {
      const server = await new Promise<Server>((resolve, reject) => {
        const s = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(s)));
      });
      installClientErrorHandler(server);
      servers.push(server);
      health.markReady();
      // The /monitoring page's server renderer, loaded now rather than by the first page view (not in tests: each would pay for it).
      if (config.env !== 'test') monitorWithAudit.warm();
      return server;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(servers.map((s) => new Promise<void>((r) => { s.close(() => r()); s.closeIdleConnections(); })));
      await services.close();
    },
  };
}

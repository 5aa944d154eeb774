/**
 * The service's infrastructure, built from a validated {@link AppConfig}: database (PGlite or
 * PostgreSQL) and migrations, the admin user, metrics, Redis (optional), caches, loaders,
 * health checks, the webhook, the rate limiters and the monitor. No HTTP here: `app.ts`
 * composes these with the middleware (`http/`) and the routes (`routes/`).
 *
 * @module
 */
import { Redis } from 'ioredis';
import { NotFoundError } from '@armor/errors';
import { createCache, createLoader, loaderScope, memoryStore, redisStore, tieredStore, type Cache, type Loader, type LoaderScope } from '@armor/cache';
import { createHealth, type Health } from '@armor/health';
import { createAuthLimiter, createRateLimiter, memoryStore as rateLimitMemoryStore, redisStore as rateLimitRedisStore, tiers, type AuthLimiter, type RateLimiter } from '@armor/rate-limit';
import { createMonitor, createRegistry, trackOperation, type Monitor, type Registry } from '@armor/metrics';
import { instrumentCache, instrumentRateLimiter, instrumentResilience } from '@armor/metrics/bridges';
import { collectProcessMetrics } from '@armor/metrics/node';
import type { AppConfig } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { migrate, MIGRATIONS } from './db/migrations.js';
import { repositories, type Repositories, type User } from './db/repositories.js';
import { jsonLogger } from './http/middleware.js';
import { hashKey, issueKey } from './keys.js';
import { createWebhook, type Webhook } from './webhook.js';
import { createAppAudit, type AppAudit } from './audit.js';
import { auditRateLimitBlocks } from '@armor/audit';

/** Things tests (and the bench) may inject instead of building from config. */
export interface ServiceOverrides {
  db?: Database;
  /** Used for the webhook (tests inject a counting fetch). @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Skip migrations (the caller ran them). */
  skipMigrations?: boolean;
}

/** What the API-key cache holds per key id. */
export interface CachedKey {
  hash: string;
  scopes: string[];
  expiresAt: number | null;
  revokedAt: number | null;
  userId: string;
  tenantId: string;
  keyId: string;
}

/**
 * The rate limiters: `login` (failed logins per account and per IP, `createAuthLimiter`),
 * `authFailures` (failed key authentications per IP), `api` per key, `standard` per IP.
 */
export type Limiters = Record<'api' | 'standard' | 'authFailures', RateLimiter> & { login: AuthLimiter };

/** The per-request loaders (batched user lookups). */
export type Loaders = { user: () => Loader<string, User> };

/** Everything the middleware and routes use, and {@link Services.close} to stop it. */
export interface Services {
  config: AppConfig;
  db: Database;
  repos: Repositories;
  /** The built-in admin principal (owner of the admin key and the demo data). */
  admin: { userId: string; tenantId: string };
  /** SHA-256 of `ADMIN_API_KEY`, when set. */
  adminKeyHash: Buffer | undefined;
  log: ReturnType<typeof jsonLogger>;
  /** `NODE_ENV=test`: no request or webhook logs. */
  quiet: boolean;
  registry: Registry;
  redis: Redis | undefined;
  /** Hot reads (comments, comment pages); invalidated by tag on every write. */
  cache: Cache;
  /** API-key records by lookup id, so authentication is not a query per request. */
  keyCache: Cache<CachedKey | null>;
  loaders: LoaderScope<Loaders>;
  health: Health;
  webhook: Webhook;
  limiters: Limiters;
  monitor: Monitor;
  /** Issues an API key for `userId` and returns the plain key (shown once). */
  createApiKey: (userId: string, scopes: readonly string[], name?: string) => Promise<string>;
  /** The tamper-evident audit log (`@armor/audit`), its checkpoints and verifier. */
  audit: AppAudit;
  /** Stops background work and closes the caches, Redis and the database. */
  close(): Promise<void>;
}

/** Opens the database, migrates, ensures the admin user and builds the shared state. */
export async function createServices(config: AppConfig, overrides: ServiceOverrides = {}): Promise<Services> {
  const db = overrides.db ?? (await openDatabase(config.database.kind === 'postgres' ? { kind: 'postgres', url: config.database.url } : { kind: 'pglite', dataDir: config.database.dataDir }));
  if (!overrides.skipMigrations) await migrate(db, MIGRATIONS, { release: config.release });
  const log = jsonLogger();
  const quiet = config.env === 'test';
  const registry = createRegistry({ defaultLabels: { service: 'express-app' } });

  // ---- the audit log (@armor/audit): one signed chain per tenant, see audit.ts ---------------
  const audit = createAppAudit({ db, config, registry, onError: (error) => void (quiet ? undefined : log.warn({ msg: 'audit log', error: (error as Error).message })) });
  if (!quiet && audit.keySource !== 'AUDIT_SIGNING_KEY') {
    log.warn({ msg: `audit: checkpoints are signed with a generated key kept in ${audit.keySource}; set AUDIT_SIGNING_KEY (64 hex) in production`, publicKey: audit.publicKey });
  }
  const repos = repositories(db, audit.log);
  const admin = await ensureAdmin(repos);
  const adminKeyHash = config.adminApiKey ? Buffer.from(await hashKey(config.adminApiKey), 'hex') : undefined;

  // ---- metrics: process metrics, a trackOperation around every query -------------------------
  const stopProcessMetrics = collectProcessMetrics(registry);
  const stopQueryTracking = db.observe((sql, run) => trackOperation(queryName(sql), run, { registry, slowMs: config.slowQueryMs, summary: sql }));

  // ---- shared state: Redis (optional), caches, loaders, health, webhook ----------------------
  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000 }) : undefined;
  redis?.on('error', () => undefined); // reported by the health check, not as an unhandled event
  const cacheStore = () =>
    redis ? tieredStore({ l1: memoryStore({ max: 10_000 }), l2: redisStore({ client: redis, prefix: 'express-app:cache:' }) }) : memoryStore({ max: 10_000 });
  const cache: Cache = createCache({ name: 'reads', namespace: 'reads', ttlMs: config.cacheTtlMs, store: cacheStore() });
  // A revoked or rotated key stops working everywhere within this TTL (at once where it was revoked).
  const keyCache = createCache<CachedKey | null>({ name: 'api-keys', namespace: 'keys', ttlMs: config.keyCacheTtlMs, store: cacheStore() });

  const loaders = loaderScope<Loaders>({
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

  // ---- rate limiters (the middleware around them is in http/rate-limits.ts) -------------------
  const rateStore = redis ? rateLimitRedisStore({ client: redis }) : rateLimitMemoryStore();
  const limiters: Limiters = {
    // Logins: the auth tier per account and per IP, failures only, growing blocks.
    login: createAuthLimiter({ name: 'auth', account: config.rateLimits.auth.account, ip: config.rateLimits.auth.ip, store: rateStore }),
    api: createRateLimiter({ ...tiers.api, ...config.rateLimits.api, name: 'api', store: rateStore }),
    standard: createRateLimiter({ ...tiers.standard, ...config.rateLimits.standard, name: 'standard', store: rateStore }),
    authFailures: createRateLimiter({ ...tiers.standard, ...config.rateLimits.authFailures, name: 'authFailures', store: rateStore }),
  };

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
    ...[limiters.login.account, limiters.login.ip, limiters.api, limiters.standard, limiters.authFailures].map((l) => instrumentRateLimiter(l, { registry })),
    // Each key's entry into a rate-limit block becomes a `rate_limit.blocked` audit event (deduplicated per key).
    ...(
      [
        ['login.account', limiters.login.account],
        ['login.ip', limiters.login.ip],
        ['api', limiters.api],
        ['standard', limiters.standard],
        ['authFailures', limiters.authFailures],
      ] as const
    ).map(([name, l]) => auditRateLimitBlocks(l, audit.log, { name })),
  ];

  async function createApiKey(userId: string, scopes: readonly string[], name = 'default'): Promise<string> {
    const issued = await issueKey();
    await repos.apiKeys.create({ userId, name, lookup: issued.lookup, hash: issued.hash, scopes });
    return issued.key;
  }

  return {
    config,
    db,
    repos,
    admin,
    adminKeyHash,
    log,
    quiet,
    registry,
    redis,
    cache,
    keyCache,
    loaders,
    health,
    webhook,
    limiters,
    monitor,
    createApiKey,
    audit,
    async close() {
      audit.stop();
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

/** A low-cardinality operation name for a SQL statement: `db.select comments`, `db.insert audit_log`. */
export function queryName(sql: string): string {
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? 'query';
  const table = /\b(?:from|into|update|table)\s+(?:if\s+(?:not\s+)?exists\s+)?([a-z_][a-z0-9_]*)/i.exec(sql)?.[1]?.toLowerCase();
  return table ? `db.${verb} ${table}` : `db.${verb}`;
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

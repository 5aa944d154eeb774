/**
 * Test harness: starts the real service over HTTP on a loopback port, backed either by PGlite
 * (in memory) or by a real PostgreSQL server plus a real Redis (`@armor/test-utils`).
 */
import { startPostgres, startRedis, type PostgresServer, type RedisServer } from '@armor/test-utils';
import { loadConfig, type AppConfig } from '../src/config.js';
import { createService, type Service } from '../src/app.js';

export type Backend = 'pglite' | 'postgres+redis';
export const BACKENDS: Backend[] = ['pglite', 'postgres+redis'];

export interface Running {
  service: Service;
  base: string;
  config: AppConfig;
  pg?: PostgresServer;
  redis?: RedisServer;
  /** An API key with every scope for a fresh tenant user. */
  key: string;
  userId: string;
  tenantId: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  tweak?: (config: AppConfig) => void;
}

/** Starts PostgreSQL + Redis (when asked) and the service on port 0. */
export async function start(backend: Backend, options: StartOptions = {}): Promise<Running> {
  const pg = backend === 'postgres+redis' ? await startPostgres() : undefined;
  const redis = backend === 'postgres+redis' ? await startRedis() : undefined;
  const env: Record<string, string> = { NODE_ENV: 'test', DATA_DIR: 'memory://', ...options.env };
  if (pg) env.DATABASE_URL = pg.url;
  if (redis) env.REDIS_URL = redis.url;
  const config = loadConfig(env);
  // Generous limits so the functional suites never trip them; rate-limit tests tighten them.
  config.rateLimits = { auth: { account: { limit: 1000, windowMs: 60_000 }, ip: { limit: 1000, windowMs: 60_000 } }, api: { limit: 100_000, windowMs: 60_000, burst: 10_000 }, standard: { limit: 100_000, windowMs: 60_000 }, authFailures: { limit: 100_000, windowMs: 60_000 } };
  options.tweak?.(config);
  const service = await createService(config);
  const server = await service.listen(0, '127.0.0.1');
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const { key, userId, tenantId } = await newTenant(service, `t-${Math.random().toString(36).slice(2, 8)}`);
  return {
    service,
    base,
    config,
    ...(pg ? { pg } : {}),
    ...(redis ? { redis } : {}),
    key,
    userId,
    tenantId,
    async stop() {
      await service.close();
      await redis?.stop();
      await pg?.stop();
    },
  };
}

/** Creates a tenant with one user (password `correct horse`) and an all-scopes API key. */
export async function newTenant(service: Service, name: string, scopes: readonly string[] = ['projects:read', 'projects:write', 'comments:read', 'comments:write']) {
  const { hashPassword } = await import('../src/auth.js');
  const tenant = await service.repos.tenants.create(name);
  const user = await service.repos.users.create({ tenantId: tenant.id, email: `${name}@example.test`, name: `User ${name}`, passwordHash: await hashPassword('correct horse') });
  const key = await service.createApiKey(user.id, scopes);
  return { key, userId: user.id, tenantId: tenant.id, email: `${name}@example.test` };
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** One HTTP call; JSON bodies are serialized unless `raw` is given. */
export async function call(
  base: string,
  method: string,
  path: string,
  options: { key?: string | undefined; body?: unknown; raw?: string; headers?: Record<string, string>; cookie?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.cookie) headers.cookie = options.cookie;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

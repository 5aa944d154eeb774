/**
 * Configuration, validated with zod at boot. `loadConfig(process.env)` either returns a typed
 * {@link AppConfig} or throws a {@link ConfigError} whose message is one line naming the bad
 * environment variable — `server.ts` prints it and exits with status 1.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `expected an integer between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `expected an integer between ${min} and ${max}`).max(max, `expected an integer between ${min} and ${max}`));

/** The environment variables the service reads, with defaults. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** TCP port. @default 3000 */
  PORT: int(0, 65535).default(3000),
  /** Bind address. @default 127.0.0.1 */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Real PostgreSQL (`postgres://…`). When unset, the embedded PGlite database under `DATA_DIR` is used. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'expected a postgres:// or postgresql:// URL')
    .optional(),
  /** Where PGlite keeps its files (`memory://` for an in-memory database). @default .data */
  DATA_DIR: z.string().min(1).default('.data'),
  /** Redis for shared rate limits and cache (`redis://…`). Memory stores otherwise. */
  REDIS_URL: z.string().regex(/^rediss?:\/\/\S+$/, 'expected a redis:// or rediss:// URL').optional(),
  /** An API key accepted with every scope (kept hashed in memory). */
  ADMIN_API_KEY: z.string().min(24, 'expected at least 24 characters').optional(),
  /** Demo mode: seed data, run the traffic generator, open /metrics and /monitoring. @default false */
  DEMO: bool.default(false),
  /** Secret for session and CSRF signing, at least 32 characters. Random per process when unset (not in production). */
  SESSION_SECRET: z.string().min(32, 'expected at least 32 characters').optional(),
  /** URL that receives a POST for each new comment (retries + circuit breaker). */
  WEBHOOK_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  /** Queries slower than this are logged and shown on the dashboard (ms). @default 100 */
  SLOW_QUERY_MS: int(1, 600_000).default(100),
  /** Longest graceful shutdown before forcing exit (ms). @default 10000 */
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(10_000),
  /** Time between SIGTERM (readiness turns 503) and closing the listeners, so load balancers stop sending (ms). @default 5000 in production, else 0 */
  SHUTDOWN_DELAY_MS: int(0, 600_000).optional(),
  /** Express `trust proxy` hops (0 = use the socket address). @default 0 */
  TRUST_PROXY: int(0, 10).default(0),
  /** Release name reported by health and the dashboard. */
  RELEASE: z.string().max(100).optional(),
  /**
   * Ed25519 secret key (64 hex characters) that signs the audit log's checkpoints. Required in
   * production; elsewhere one is generated and kept in `DATA_DIR/audit-signing.key` (printed at boot).
   */
  AUDIT_SIGNING_KEY: z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex characters (an Ed25519 secret key)').optional(),
  /** Time between checkpoints of the audit streams that have new entries (ms). @default 60000 */
  AUDIT_CHECKPOINT_MS: int(1000, 86_400_000).default(60_000),
  /** Time between background verifications of every audit stream (ms). @default 900000 */
  AUDIT_VERIFY_MS: int(1000, 86_400_000).default(900_000),
});

/** Rate-limit tier settings: `limit` requests per `windowMs`. */
export interface TierConfig {
  limit: number;
  windowMs: number;
  /** GCRA burst (the `api` tier). */
  burst?: number;
}

/** The validated configuration `createApp` takes. */
export interface AppConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  database: { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };
  redisUrl: string | undefined;
  adminApiKey: string | undefined;
  demo: boolean;
  sessionSecret: string;
  webhookUrl: string | undefined;
  slowQueryMs: number;
  shutdownTimeoutMs: number;
  shutdownDelayMs: number;
  trustProxy: number;
  release: string;
  /**
   * Rate-limit tiers: `auth` (failed logins, `account` per account across addresses and `ip`
   * per address across accounts; blocks grow as `tiers.auth` sets), `api` (per API key),
   * `standard` (per IP elsewhere), and
   * `authFailures` (per IP, in front of API-key and admin authentication: only failed
   * authentications keep their point, so a flood of made-up keys is refused before it costs
   * a lookup).
   */
  rateLimits: { auth: { account: TierConfig; ip: TierConfig }; api: TierConfig; standard: TierConfig; authFailures: TierConfig };
  /** Cache TTL for hot reads (ms). */
  cacheTtlMs: number;
  /**
   * How long a verified API key is reused from the key cache (ms): a key revoked or rotated
   * through `/admin` (or `keys:revoke` / `keys:rotate`) stops working at once on the instance
   * that handled it and on every other instance within this time. @default 30000
   */
  keyCacheTtlMs: number;
  /** How long a health check result is reused (ms). */
  healthCacheMs: number;
  /** Largest JSON body accepted. */
  bodyLimit: string;
  /** `DATA_DIR` resolved (or `memory://…`): the audit signing key and witness live here. */
  dataDir: string;
  /**
   * The audit log (`@armor/audit`): `signingKey` (hex, `undefined` → generated outside
   * production), `checkpointMs` between checkpoints, `verifyMs` between verifications.
   */
  audit: { signingKey: string | undefined; checkpointMs: number; verifyMs: number };
}

/** A bad environment variable; the message is one line naming it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Default tiers: `auth` 5 failed logins per 15 minutes per account (from any address) and 30
 * per 15 minutes per address (over any accounts), then a 15-minute block that doubles with
 * each repeat (up to 24 h); `api` 600/min per key
 * (bursts of 60), `standard` 100/min per IP, `authFailures` 30 failed API-key or admin
 * authentications per minute per IP.
 */
export const DEFAULT_RATE_LIMITS: AppConfig['rateLimits'] = {
  auth: { account: { limit: 5, windowMs: 15 * 60_000 }, ip: { limit: 30, windowMs: 15 * 60_000 } },
  api: { limit: 600, windowMs: 60_000, burst: 60 },
  standard: { limit: 100, windowMs: 60_000 },
  authFailures: { limit: 30, windowMs: 60_000 },
};

/**
 * Validates `env` and builds the configuration.
 *
 * @throws {ConfigError} naming the first bad variable, e.g.
 * `Invalid environment variable PORT: expected an integer between 0 and 65535 (received "abc")`.
 */
export function loadConfig(env: Record<string, string | undefined>, cwd = process.cwd()): AppConfig {
  const input: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const received = input[variable];
    const shown = received === undefined ? '' : ` (received ${JSON.stringify(received.length > 40 ? `${received.slice(0, 40)}…` : received)})`;
    throw new ConfigError(variable, `Invalid environment variable ${variable}: ${issue.message}${shown}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.SESSION_SECRET) {
    throw new ConfigError('SESSION_SECRET', 'Invalid environment variable SESSION_SECRET: required when NODE_ENV=production');
  }
  if (e.NODE_ENV === 'production' && !e.AUDIT_SIGNING_KEY) {
    throw new ConfigError('AUDIT_SIGNING_KEY', 'Invalid environment variable AUDIT_SIGNING_KEY: required when NODE_ENV=production');
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL }
      : { kind: 'pglite', dataDir: e.DATA_DIR.startsWith('memory://') ? e.DATA_DIR : resolve(cwd, e.DATA_DIR, 'pglite') },
    redisUrl: e.REDIS_URL,
    adminApiKey: e.ADMIN_API_KEY,
    demo: e.DEMO,
    sessionSecret: e.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
    webhookUrl: e.WEBHOOK_URL,
    slowQueryMs: e.SLOW_QUERY_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    shutdownDelayMs: e.SHUTDOWN_DELAY_MS ?? (e.NODE_ENV === 'production' ? 5000 : 0),
    trustProxy: e.TRUST_PROXY,
    release: e.RELEASE ?? 'dev',
    rateLimits: structuredClone(DEFAULT_RATE_LIMITS),
    cacheTtlMs: 30_000,
    keyCacheTtlMs: 30_000,
    healthCacheMs: 1000,
    bodyLimit: '100kb',
    dataDir: e.DATA_DIR.startsWith('memory://') ? e.DATA_DIR : resolve(cwd, e.DATA_DIR),
    audit: { signingKey: e.AUDIT_SIGNING_KEY?.toLowerCase(), checkpointMs: e.AUDIT_CHECKPOINT_MS, verifyMs: e.AUDIT_VERIFY_MS },
  };
}

/**
 * For command-line entry points: {@link loadConfig}, and on a bad variable print its one-line
 * message to stderr and exit 1 (other errors are rethrown).
 */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * Authentication middleware: Bearer API keys (`@armor/api-keys`, with the admin key checked
 * timing-safe first), cookie sessions, and the admin gate of `/metrics` and `/monitoring*`
 * (Bearer or HTTP Basic). Scopes are checked by `@armor/api-keys/express`' `requireScopes`,
 * which reads the verified key this middleware stores.
 *
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AuthenticationError, AuthorizationError, isArmorError } from '@armor/errors';
import { ApiKeyError, createApiKeyVerifier, type VerifiedApiKey } from '@armor/api-keys';
import { requireScopes } from '@armor/api-keys/express';
import { sha256, SCOPES, type Principal, type Scope } from '../auth.js';
import { hashKey, KEY_PREFIX } from '../keys.js';
import type { Services } from '../services.js';
import { readCookie } from './middleware.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      principal?: Principal;
    }
  }
}

type Middleware = (req: Request, res: Response, next: NextFunction) => Promise<void>;

/** The authentication middleware of the service. */
export interface Authentication {
  /** `Authorization: Bearer <api key>`: the admin key or a stored key; sets `res.locals.principal`. */
  requireKey: Middleware;
  /** The verified key has `scope` (403 otherwise). */
  requireScope: (scope: Scope) => ReturnType<typeof requireScopes>;
  /** The `sid` cookie of a signed-in user (browser routes). */
  requireSession: Middleware;
  /** `/metrics` and `/monitoring*`: the admin key (or any key with the `admin` scope), as Bearer or Basic password, unless DEMO=1. */
  requireAdmin: Middleware;
}

/** The principal authenticated for this request; 401 when there is none. */
export function principalOf(res: Response): Principal {
  const p = res.locals.principal;
  if (!p) throw new AuthenticationError();
  return p;
}

/** The key of `Authorization: Bearer <key>`; throws when the header is missing or malformed. */
function bearerKey(header: string | undefined): string {
  if (!header) throw new ApiKeyError('UNAUTHENTICATED', 'API key required (Authorization: Bearer <api key>)');
  const m = /^Bearer ([\x21-\x7e]{1,200})$/.exec(header);
  if (!m) throw new ApiKeyError('API_KEY_INVALID', 'Malformed Authorization header; expected "Bearer <api key>"', { details: { reason: 'format' } });
  return m[1]!;
}

/** What authentication reports to the rate limits. */
export interface AuthenticationHooks {
  /** Called (and awaited) before a 401 for a missing, malformed or wrong key leaves: the per-IP failure count. */
  onFailure?: (req: Request) => Promise<void>;
}

/** Builds the authentication middleware over the service's repositories and key cache. */
export function authentication({ config, repos, keyCache, admin, adminKeyHash }: Services, hooks: AuthenticationHooks = {}): Authentication {
  /** Counts a failed authentication (401) before rethrowing it. */
  async function failed(req: Request, error: unknown): Promise<never> {
    if (isArmorError(error) && error.status === 401) await hooks.onFailure?.(req);
    throw error;
  }

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

  // One principal per key record while the key cache holds it (the record is the same object on
  // every hit), so what is derived from the principal (the policy principal) is made once per key.
  const principals = new WeakMap<object, Principal>();
  const adminKey = {
    principal: { userId: admin.userId, tenantId: admin.tenantId, keyId: null, scopes: SCOPES, via: 'admin-key' } satisfies Principal,
    verified: { id: 'admin', prefix: KEY_PREFIX, scopes: SCOPES, record: { hash: '', scopes: SCOPES } } satisfies VerifiedApiKey,
  };

  /** Authenticates a presented key: the admin key (timing-safe), or a stored API key through @armor/api-keys. */
  async function authenticateKey(key: string): Promise<{ principal: Principal; verified: VerifiedApiKey }> {
    if (adminKeyHash && key.length === config.adminApiKey?.length) {
      const presented = Buffer.from(await hashKey(key), 'hex');
      if (timingSafeEqual(presented, adminKeyHash)) return adminKey;
    }
    const verified = await verifyKey(key);
    const r = verified.record;
    let principal = principals.get(r);
    if (principal === undefined || principal.scopes !== verified.scopes) {
      principal = { userId: r.userId, tenantId: r.tenantId, keyId: r.keyId, scopes: verified.scopes, via: 'api-key' };
      principals.set(r, principal);
    }
    return { principal, verified };
  }

  return {
    // A 401 leaves with `WWW-Authenticate: Bearer` (the error handler adds it to every 401).
    async requireKey(req, res, next) {
      let authenticated: Awaited<ReturnType<typeof authenticateKey>>;
      try {
        authenticated = await authenticateKey(bearerKey(req.get('authorization')));
      } catch (error) {
        return failed(req, error);
      }
      const { principal, verified } = authenticated;
      res.locals.principal = principal;
      // Where `@armor/api-keys/express`' requireScopes reads the verified key.
      (res.locals as { apiKey?: VerifiedApiKey }).apiKey = verified;
      next();
    },

    requireScope: (scope) => requireScopes(scope),

    async requireSession(req, res, next) {
      const sid = readCookie(req, 'sid');
      const user = sid ? await repos.sessions.find(sha256(sid)) : undefined;
      if (!user) throw new AuthenticationError('Sign in first (POST /auth/login)');
      res.locals.principal = { userId: user.id, tenantId: user.tenantId, keyId: null, scopes: ['projects:read', 'projects:write', 'comments:read', 'comments:write'], via: 'session' };
      next();
    },

    async requireAdmin(req, res, next) {
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
        if (isArmorError(error) && error.status === 401) await hooks.onFailure?.(req);
        // Ask browsers for Basic credentials (the error's own header; the handler would say Bearer).
        if (isArmorError(error) && error.status === 401) {
          throw new AuthenticationError(error.message, { cause: error, headers: { 'www-authenticate': 'Basic realm="Armor monitoring (password: admin API key)", charset="UTF-8"' } });
        }
        throw error;
      }
      if (!p.scopes.includes('admin')) throw new AuthorizationError('The admin API key is required', { details: { scope: 'admin' } });
      res.locals.principal = p;
      next();
    },
  };
}

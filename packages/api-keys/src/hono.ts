/**
 * `@armor/api-keys/hono`: API-key authentication as a Hono `MiddlewareHandler` (from
 * `Authorization: Bearer` or `x-api-key`), the verified key as a typed context variable
 * (`c.var.apiKey` through {@link ApiKeyVariables}), and per-route {@link requireScopes}.
 * Failures are 401/403 problem+json with `WWW-Authenticate`; the key never appears in answers.
 * Imports Hono's types only.
 *
 * @module
 */
import type { MiddlewareHandler } from 'hono';
import { authFrom, authResponse, checkScopeList, scopeError, type SharedAuthOptions } from './http-auth.js';
import type { ApiKeyRecord, VerifiedApiKey, VerifyApiKeyOptions } from './keys.js';

/** The context variables {@link apiKeyAuth} sets: `c.var.apiKey`. */
export interface ApiKeyVariables<R extends ApiKeyRecord = ApiKeyRecord> {
  apiKey: VerifiedApiKey<R>;
}

/** Options of {@link apiKeyAuth} (Hono): the verifier's options plus `header`, `realm`, `onError`. */
export type HonoApiKeyOptions<R extends ApiKeyRecord = ApiKeyRecord> = VerifyApiKeyOptions<R> & SharedAuthOptions;

/**
 * Authenticates every request by API key.
 *
 * @example
 * ```ts no-run
 * const app = new Hono<{ Variables: ApiKeyVariables }>();
 * app.use('/api/*', apiKeyAuth({ lookup: (id) => db.apiKeys.get(id), pepper: process.env.API_KEY_PEPPER }));
 * app.post('/api/projects', requireScopes('projects:write'), (c) => c.json({ by: c.var.apiKey.id }, 201));
 * ```
 */
export function apiKeyAuth<R extends ApiKeyRecord>(options: HonoApiKeyOptions<R>): MiddlewareHandler<{ Variables: ApiKeyVariables<R> }> {
  const { verify, presented, realm, toNext } = authFrom('apiKeyAuth', options);
  return async (c, next) => {
    let key: VerifiedApiKey<R>;
    try {
      key = await verify(presented((name) => c.req.header(name)));
    } catch (error) {
      if (toNext) throw error;
      return authResponse(error, c.req.path, realm);
    }
    c.set('apiKey', key);
    await next();
  };
}

/**
 * Route middleware requiring scopes of the key {@link apiKeyAuth} authenticated (403
 * `INSUFFICIENT_SCOPE` with `WWW-Authenticate: Bearer error="insufficient_scope"`; 401 when no
 * key was authenticated).
 */
export function requireScopes(...scopes: string[]): MiddlewareHandler<{ Variables: Partial<ApiKeyVariables> }> {
  checkScopeList(scopes);
  return async (c, next) => {
    const error = scopeError(c.var.apiKey, scopes);
    if (error) return authResponse(error, c.req.path, 'api');
    await next();
  };
}

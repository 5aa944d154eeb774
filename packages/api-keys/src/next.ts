/**
 * `@armor/api-keys/next`: API-key authentication for Next.js (App Router) route handlers and
 * `proxy.ts`. Web-standard only (no import of `next`): Node and edge runtimes (the hash runs on
 * the edge with Web Crypto through `@armor/core/hmac`).
 *
 * @module
 */
import { authFrom, authResponse, checkScopeList, scopeError, type SharedAuthOptions } from './http-auth.js';
import type { ApiKeyRecord, VerifiedApiKey, VerifyApiKeyOptions } from './keys.js';

/** Options of {@link withApiKey} and {@link apiKeyProxy}: the verifier's options plus `header` and `realm`. */
export type NextApiKeyOptions<R extends ApiKeyRecord = ApiKeyRecord> = VerifyApiKeyOptions<R> & Omit<SharedAuthOptions, 'onError'>;

const keys = new WeakMap<Request, VerifiedApiKey>();

/** The key {@link withApiKey} verified for this request. */
export function getApiKey<R extends ApiKeyRecord = ApiKeyRecord>(request: Request): VerifiedApiKey<R> | undefined {
  return keys.get(request) as VerifiedApiKey<R> | undefined;
}

/**
 * Wraps a route handler: the request needs a valid key holding `requireScopes` (401/403
 * problem+json otherwise); the handler reads it with {@link getApiKey}.
 *
 * @example
 * ```ts no-run
 * export const POST = withApiKey(async (request: Request) => Response.json({ by: getApiKey(request)!.id }, { status: 201 }), {
 *   lookup: (id) => db.apiKeys.get(id),
 *   requireScopes: ['projects:write'],
 * });
 * ```
 */
export function withApiKey<R extends ApiKeyRecord, A extends unknown[]>(
  route: (request: Request, ...rest: A) => Response | Promise<Response>,
  options: NextApiKeyOptions<R>,
): (request: Request, ...rest: A) => Promise<Response> {
  const { verify, presented, realm } = authFrom('withApiKey', options);
  return async (request, ...rest) => {
    try {
      keys.set(request, await verify(presented((name) => request.headers.get(name))));
    } catch (error) {
      return authResponse(error, new URL(request.url).pathname, realm);
    }
    return route(request, ...rest);
  };
}

/**
 * The key check for `proxy.ts`: resolves to the 401/403 problem+json to return, or the verified
 * key when the request may go on.
 */
export function apiKeyProxy<R extends ApiKeyRecord>(options: NextApiKeyOptions<R>): (request: Request) => Promise<{ response: Response; key: undefined } | { response: undefined; key: VerifiedApiKey<R> }> {
  const { verify, presented, realm } = authFrom('apiKeyProxy', options);
  return async (request) => {
    try {
      return { response: undefined, key: await verify(presented((name) => request.headers.get(name))) };
    } catch (error) {
      return { response: authResponse(error, new URL(request.url).pathname, realm), key: undefined };
    }
  };
}

/** Answers 403 (or 401) unless `key` holds every scope; `undefined` when it does. */
export function checkScopes(request: Request, key: VerifiedApiKey | undefined, ...scopes: string[]): Response | undefined {
  checkScopeList(scopes);
  const error = scopeError(key, scopes);
  return error ? authResponse(error, new URL(request.url).pathname, 'api') : undefined;
}

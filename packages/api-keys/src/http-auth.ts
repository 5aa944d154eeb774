/**
 * @internal What the Hono, Fastify and Next.js adapters share: reading the presented key,
 * option checks, scope checks and the problem+json answer with its `WWW-Authenticate`.
 *
 * @module
 */
import { checkOneOf, checkOptions, checkRequired } from '@armor/core';
import { ConfigurationError, fromUnknown, problemHeaders, toProblemDetails, type ArmorError } from '@armor/errors';
import { ApiKeyError } from './errors.js';
import { createApiKeyVerifier, type ApiKeyRecord, type VerifiedApiKey, type VerifyApiKeyOptions } from './keys.js';

/** The options every adapter shares (besides the verifier's). */
export interface SharedAuthOptions {
  /** Header read when there is no `Authorization: Bearer`. @default 'x-api-key' */
  header?: string | undefined;
  /** Realm in `WWW-Authenticate`. @default 'api' */
  realm?: string | undefined;
  /** `'respond'` answers with problem+json; `'next'` throws the `ApiKeyError` to the framework's error handler. @default 'respond' */
  onError?: 'respond' | 'next' | undefined;
}

const VERIFY_KEYS = ['lookup', 'pepper', 'requireScopes', 'prefixes', 'clock'] as const;

/** @internal Checks the options and builds the verifier and the key reader. */
export function authFrom<R extends ApiKeyRecord>(component: string, options: VerifyApiKeyOptions<R> & SharedAuthOptions, extraKeys: readonly string[] = []) {
  checkRequired('options', options, 'an object with a lookup function');
  checkOptions(component, options, ['header', 'realm', 'onError', ...VERIFY_KEYS, ...extraKeys]);
  checkOneOf('onError', options.onError, ['respond', 'next']);
  const { header = 'x-api-key', realm = 'api', onError = 'respond' } = options;
  if (typeof header !== 'string' || !/^[a-z0-9-]+$/i.test(header)) throw new ConfigurationError('header', 'must be a header name', { received: header });
  if (typeof realm !== 'string' || !/^[\w .-]*$/.test(realm)) throw new ConfigurationError('realm', 'must be letters, digits, spaces, "." or "-"', { received: realm });
  const given = options as unknown as Record<string, unknown>;
  const verifyOptions: Record<string, unknown> = {};
  for (const k of VERIFY_KEYS) if (given[k] !== undefined) verifyOptions[k] = given[k];
  const verify = createApiKeyVerifier(verifyOptions as unknown as VerifyApiKeyOptions<R>);
  const headerName = header.toLowerCase();
  /** The presented key: `Authorization: Bearer …`, else the key header. */
  const presented = (get: (name: string) => string | null | undefined): string | undefined => {
    const authorization = get('authorization');
    if (typeof authorization === 'string' && /^bearer\s+/i.test(authorization)) return authorization.replace(/^bearer\s+/i, '').trim();
    const value = get(headerName);
    return typeof value === 'string' ? value.trim() : undefined;
  };
  return { verify, presented, realm, toNext: onError === 'next' };
}

/** @internal Checks a scope list given to `requireScopes`. */
export function checkScopeList(scopes: readonly unknown[]): asserts scopes is string[] {
  if (scopes.length === 0 || scopes.some((s) => typeof s !== 'string' || s === '')) {
    throw new ConfigurationError('scopes', 'must be one or more non-empty strings', { received: scopes });
  }
}

/** @internal The error for a key that lacks `scopes` (or no key at all); `undefined` when it holds them. */
export function scopeError(key: VerifiedApiKey | undefined | null, scopes: readonly string[]): ApiKeyError | undefined {
  if (!key) return new ApiKeyError('UNAUTHENTICATED', 'API key required');
  const missing = key.scopes.includes('*') ? [] : scopes.filter((s) => !key.scopes.includes(s));
  if (missing.length === 0) return undefined;
  return new ApiKeyError('INSUFFICIENT_SCOPE', `API key lacks required scope${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, { details: { keyId: key.id, missing } });
}

function challenge(error: ArmorError, realm: string): string {
  if (error.code === 'INSUFFICIENT_SCOPE') {
    const missing = ((error as ApiKeyError).details?.missing as string[] | undefined) ?? [];
    return `Bearer realm="${realm}", error="insufficient_scope", scope="${missing.join(' ')}"`;
  }
  if (error.code === 'UNAUTHENTICATED') return `Bearer realm="${realm}"`;
  return `Bearer realm="${realm}", error="invalid_token"`;
}

/** @internal The status, headers and body of the problem+json answer to an auth failure. */
export function authProblem(error: unknown, instance: string | undefined, realm: string): { status: number; headers: Record<string, string>; body: string } {
  const armor = fromUnknown(error);
  const problem = toProblemDetails(armor, { instance });
  const headers = problemHeaders(armor);
  if (problem.status === 401 || problem.status === 403) headers['www-authenticate'] = challenge(armor, realm);
  return { status: problem.status, headers, body: JSON.stringify(problem) };
}

/** @internal {@link authProblem} as a Web `Response`. */
export function authResponse(error: unknown, instance: string | undefined, realm: string): Response {
  const { status, headers, body } = authProblem(error, instance, realm);
  return new Response(body, { status, headers });
}

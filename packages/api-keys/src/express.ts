/**
 * Express adapter: API key authentication from `Authorization: Bearer` or `x-api-key`, and
 * per-route scope checks. Failures are 401/403 problem+json with `WWW-Authenticate`; the key
 * never appears in responses or errors.
 *
 * @module
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ConfigurationError, fromUnknown, problemHeaders, toProblemDetails } from '@armor/errors';
import { ApiKeyError } from './errors.js';
import { createApiKeyVerifier, type ApiKeyRecord, type VerifiedApiKey, type VerifyApiKeyOptions } from './keys.js';
import { checkOneOf, checkOptions, checkRequired } from '@armor/core';

/** Options of {@link apiKeyAuth}. */
export type ApiKeyAuthOptions<R extends ApiKeyRecord = ApiKeyRecord> = VerifyApiKeyOptions<R> & {
  /** Header read when there is no `Authorization: Bearer`. @default 'x-api-key' */
  header?: string | undefined;
  /** Realm in `WWW-Authenticate`. @default 'api' */
  realm?: string | undefined;
  /** `'respond'` answers with problem+json; `'next'` passes the {@link ApiKeyError} on. @default 'respond' */
  onError?: 'respond' | 'next' | undefined;
};

/** Reads the verified key that {@link apiKeyAuth} stored on `res.locals.apiKey`. */
export function getApiKey<R extends ApiKeyRecord = ApiKeyRecord>(res: Response): VerifiedApiKey<R> | undefined {
  return (res.locals as { apiKey?: VerifiedApiKey<R> }).apiKey;
}

function challenge(error: unknown, realm: string): string {
  const code = (error as { code?: string }).code;
  if (code === 'INSUFFICIENT_SCOPE') {
    const missing = ((error as ApiKeyError).details?.missing as string[] | undefined) ?? [];
    return `Bearer realm="${realm}", error="insufficient_scope", scope="${missing.join(' ')}"`;
  }
  if (code === 'UNAUTHENTICATED') return `Bearer realm="${realm}"`;
  return `Bearer realm="${realm}", error="invalid_token"`;
}

function sendError(error: unknown, req: Request, res: Response, next: NextFunction, onError: 'respond' | 'next', realm: string) {
  if (onError === 'next' || res.headersSent) {
    next(error);
    return;
  }
  const armor = fromUnknown(error);
  const problem = toProblemDetails(armor, { instance: req.path });
  res.status(problem.status).set(problemHeaders(armor));
  if (problem.status === 401 || problem.status === 403) res.set('WWW-Authenticate', challenge(armor, realm));
  res.send(JSON.stringify(problem));
}

/**
 * Express middleware authenticating requests by API key. On success the verified key is
 * `res.locals.apiKey` (see {@link getApiKey}).
 *
 * @example
 * ```ts
 * app.use('/api', apiKeyAuth({ lookup: (id) => db.apiKeys.get(id), pepper: process.env.API_KEY_PEPPER }));
 * app.delete('/api/projects/:id', requireScopes('projects:write'), handler);
 * ```
 */
export function apiKeyAuth<R extends ApiKeyRecord>(options: ApiKeyAuthOptions<R>): RequestHandler {
  checkRequired('options', options, 'an object with a lookup function');
  checkOptions('apiKeyAuth', options, ['header', 'realm', 'onError', 'lookup', 'pepper', 'requireScopes', 'prefixes', 'clock']);
  checkOneOf('onError', options.onError, ['respond', 'next']);
  const { header = 'x-api-key', realm = 'api', onError = 'respond', ...verifyOptions } = options;
  if (typeof header !== 'string' || !/^[a-z0-9-]+$/i.test(header)) throw new ConfigurationError('header', 'must be a header name', { received: header });
  if (typeof realm !== 'string' || !/^[\w .-]*$/.test(realm)) throw new ConfigurationError('realm', 'must be letters, digits, spaces, "." or "-"', { received: realm });
  const headerName = header.toLowerCase();
  const verify = createApiKeyVerifier(verifyOptions);
  return (req, res, next) => {
    const authorization = req.headers.authorization;
    let presented: string | undefined;
    if (typeof authorization === 'string' && /^bearer\s+/i.test(authorization)) presented = authorization.replace(/^bearer\s+/i, '').trim();
    else {
      const value = req.headers[headerName];
      presented = typeof value === 'string' ? value.trim() : undefined;
    }
    verify(presented).then(
      (verified) => {
        (res.locals as { apiKey?: VerifiedApiKey<R> }).apiKey = verified;
        next();
      },
      (error: unknown) => sendError(error, req, res, next, onError, realm),
    );
  };
}

/**
 * Route middleware requiring scopes of the key authenticated by {@link apiKeyAuth}
 * (403 `INSUFFICIENT_SCOPE`; 401 when no key was authenticated).
 *
 * @example
 * ```ts
 * app.post('/api/projects', requireScopes('projects:write'), createProject);
 * ```
 */
export function requireScopes(...scopes: string[]): RequestHandler {
  if (scopes.length === 0 || scopes.some((s) => typeof s !== 'string' || s === '')) {
    throw new ConfigurationError('scopes', 'must be one or more non-empty strings', { received: scopes });
  }
  return (req, res, next) => {
    const key = getApiKey(res);
    if (!key) {
      sendError(new ApiKeyError('UNAUTHENTICATED', 'API key required'), req, res, next, 'respond', 'api');
      return;
    }
    const missing = key.scopes.includes('*') ? [] : scopes.filter((s) => !key.scopes.includes(s));
    if (missing.length) {
      sendError(
        new ApiKeyError('INSUFFICIENT_SCOPE', `API key lacks required scope${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, { details: { keyId: key.id, missing } }),
        req,
        res,
        next,
        'respond',
        'api',
      );
      return;
    }
    next();
  };
}

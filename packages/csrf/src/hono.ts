/**
 * `@armor/csrf/hono`: CSRF protection as a Hono `MiddlewareHandler`. Safe methods pass; unsafe
 * ones need a valid token (the `x-csrf-token` header, or the `_csrf` field of a form body) equal
 * to the cookie, for the current session, from an accepted origin. Failures are 403
 * problem+json (or thrown to `app.onError` with `onError: 'next'`). Imports Hono's types only.
 *
 * @module
 */
import { checkFunction, checkOneOf, checkOptions, checkRequired } from '@armor/core';
import { problemResponse } from '@armor/errors';
import type { Context, MiddlewareHandler } from 'hono';
import { CSRF_OPTIONS, createCsrf, type Csrf, type CsrfOptions } from './csrf.js';

/** Options of {@link csrfProtection} (Hono). */
export type HonoCsrfOptions = CsrfOptions & {
  /** The session the token is bound to; `undefined` means "no session" (unsafe requests fail). */
  getSessionId: (c: Context) => string | undefined | Promise<string | undefined>;
  /** Reuse an existing protector instead of creating one from these options. */
  csrf?: Csrf | undefined;
  /** `'respond'` answers failures with 403 problem+json; `'next'` throws the `CsrfError` to `app.onError`. @default 'respond' */
  onError?: 'respond' | 'next' | undefined;
};

/** The middleware returned by {@link csrfProtection}, with the token issuer. */
export type HonoCsrfMiddleware = MiddlewareHandler & {
  /** The protector it uses. */
  readonly csrf: Csrf;
  /** Issues a token for this request's session, appends its cookie to the response, and returns the token to render. */
  issue(c: Context): Promise<string>;
};

/** @internal Checks the options every CSRF adapter shares and builds the protector. */
export function csrfFrom<T extends { getSessionId: unknown; csrf?: Csrf | undefined; onError?: unknown }>(component: string, options: T, extraKeys: readonly string[] = []): Csrf {
  checkRequired('options', options, 'an object with getSessionId and secret (or csrf)');
  checkOptions(component, options, [...CSRF_OPTIONS, 'getSessionId', 'csrf', 'onError', ...extraKeys]);
  checkRequired('getSessionId', options.getSessionId, 'a function returning the session id (string) or undefined');
  checkFunction('getSessionId', options.getSessionId);
  checkOneOf('onError', options.onError, ['respond', 'next']);
  const { getSessionId: _g, csrf: given, onError: _o, ...rest } = options as T & Record<string, unknown>;
  for (const k of extraKeys) delete rest[k];
  return given ?? createCsrf(rest as CsrfOptions);
}

const FORM = /^(?:application\/x-www-form-urlencoded|multipart\/form-data)\b/i;

/**
 * CSRF middleware for Hono.
 *
 * @example
 * ```ts no-run
 * const csrf = csrfProtection({ secret: process.env.CSRF_SECRET!, getSessionId: (c) => getCookie(c, 'sid') });
 * app.use(csrf);
 * app.get('/form', async (c) => c.html(`<input type="hidden" name="_csrf" value="${await csrf.issue(c)}">`));
 * ```
 */
export function csrfProtection(options: HonoCsrfOptions): HonoCsrfMiddleware {
  const csrf = csrfFrom('csrfProtection', options);
  const { getSessionId, onError = 'respond' } = options;
  const middleware = (async (c, next) => {
    if (csrf.isSafeMethod(c.req.method)) {
      await next();
      return;
    }
    try {
      let token: string | undefined;
      if (FORM.test(c.req.header('content-type') ?? '')) {
        // Hono caches the parsed body: the route can still read it.
        const field = (await c.req.parseBody())[csrf.fieldName];
        token = typeof field === 'string' ? field : undefined;
      }
      await csrf.verify({ method: c.req.method, url: c.req.url, headers: c.req.raw.headers, token }, (await getSessionId(c)) ?? '');
    } catch (error) {
      if (onError === 'next') throw error;
      return problemResponse(error, { instance: c.req.path });
    }
    await next();
  }) as HonoCsrfMiddleware;
  Object.defineProperty(middleware, 'csrf', { value: csrf });
  middleware.issue = async (c) => {
    const issued = await csrf.issueToken((await getSessionId(c)) ?? '');
    c.header('set-cookie', issued.setCookie, { append: true });
    return issued.token;
  };
  return middleware;
}

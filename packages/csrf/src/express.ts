/**
 * Express adapter: CSRF middleware that checks every unsafe request and issues tokens.
 *
 * @module
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { fromUnknown, problemHeaders, toProblemDetails } from '@armor/errors';
import { CSRF_OPTIONS, createCsrf, type Csrf, type CsrfOptions } from './csrf.js';
import { checkFunction, checkOneOf, checkOptions, checkRequired } from '@armor/core';

/** Options of {@link csrfProtection}. */
export type CsrfProtectionOptions = CsrfOptions & {
  /** The session the token is bound to; `undefined` means "no session" (unsafe requests fail). */
  getSessionId: (req: Request) => string | undefined | Promise<string | undefined>;
  /** Reuse an existing protector instead of creating one from these options. */
  csrf?: Csrf | undefined;
  /**
   * `'respond'` answers failures with 403 problem+json; `'next'` passes the
   * {@link CsrfError} to your error middleware.
   * @default 'respond'
   */
  onError?: 'respond' | 'next' | undefined;
};

/** The middleware returned by {@link csrfProtection}. */
export interface CsrfMiddleware extends RequestHandler {
  /** The protector it uses. */
  readonly csrf: Csrf;
  /**
   * Issues a token for this request's session, sets the cookie on `res`, and returns the
   * token to render into the page.
   */
  issue(req: Request, res: Response): Promise<string>;
}

/**
 * Express CSRF middleware. Safe methods pass; unsafe ones need a valid token in the
 * `x-csrf-token` header or the `_csrf` body field (parse the body first), equal to the
 * cookie, for the current session.
 *
 * @example
 * ```ts
 * const csrf = csrfProtection({ secret: process.env.CSRF_SECRET!, getSessionId: (req) => req.session?.id });
 * app.use(express.urlencoded({ extended: false }), csrf);
 * app.get('/form', async (req, res) => res.send(`<input type="hidden" name="_csrf" value="${await csrf.issue(req, res)}">`));
 * ```
 */
export function csrfProtection(options: CsrfProtectionOptions): CsrfMiddleware {
  checkRequired('options', options, 'an object with getSessionId and secret (or csrf)');
  checkOptions('csrfProtection', options, [...CSRF_OPTIONS, 'getSessionId', 'csrf', 'onError']);
  // Required: without it every unsafe request would fail at request time (a 500) instead.
  checkRequired('getSessionId', options.getSessionId, 'a function (req) => session id (string) or undefined');
  checkFunction('getSessionId', options.getSessionId);
  checkOneOf('onError', options.onError, ['respond', 'next']);
  const { getSessionId, csrf: given, onError = 'respond', ...csrfOptions } = options;
  const csrf = given ?? createCsrf(csrfOptions);
  const fail = (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (onError === 'next' || res.headersSent) {
      next(error);
      return;
    }
    const armor = fromUnknown(error);
    const problem = toProblemDetails(armor, { instance: req.path });
    res.status(problem.status).set(problemHeaders(armor)).send(JSON.stringify(problem));
  };
  const middleware = ((req, res, next) => {
    if (csrf.isSafeMethod(req.method)) {
      next();
      return;
    }
    const run = async () => {
      const sessionId = await getSessionId(req);
      const body = req.body as Record<string, unknown> | undefined;
      const fromBody = body !== null && typeof body === 'object' ? body[csrf.fieldName] : undefined;
      await csrf.verify(
        {
          method: req.method,
          url: `${req.protocol}://${req.get('host') ?? 'localhost'}${req.originalUrl}`,
          headers: req.headers,
          token: typeof fromBody === 'string' ? fromBody : undefined,
        },
        sessionId ?? '',
      );
    };
    run().then(() => next(), (error: unknown) => fail(error, req, res, next));
  }) as CsrfMiddleware;
  Object.defineProperty(middleware, 'csrf', { value: csrf });
  middleware.issue = async (req, res) => {
    const sessionId = await getSessionId(req);
    const issued = await csrf.issueToken(sessionId ?? '');
    res.append('Set-Cookie', issued.setCookie);
    return issued.token;
  };
  return middleware;
}

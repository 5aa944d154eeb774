/**
 * Express adapter: route guards from a policy. The principal comes from your authentication
 * (a session, `res.locals.apiKey`); denials answer problem+json 403 without detail, or go to
 * `next(error)` with `onError: 'next'`.
 *
 * @module
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { checkFunction, checkOneOf, checkOptions } from '@armor/core';
import { AuthenticationError, fromUnknown, NotFoundError, problemHeaders, toProblemDetails } from '@armor/errors';
import { AccessDeniedError } from './errors.js';
import type { ActionOf, Decision, FieldOf, Policy, Principal, Resources } from './policy.js';

/** Options of {@link requirePermission}. */
export interface RequirePermissionOptions<R extends Resources, Role extends string, T extends keyof R & string> {
  /** Who is asking; `undefined` answers 401. */
  principal: (req: Request, res: Response) => Principal<Role> | undefined | Promise<Principal<Role> | undefined>;
  /**
   * Loads the resource for conditions and tenant isolation (e.g. by `req.params.id`). It is put
   * on `res.locals.resource` for the handler, so it is loaded once. Omit for type-level checks.
   */
  resource?: (req: Request, res: Response) => Readonly<Partial<Record<FieldOf<R, T>, unknown>>> | undefined | Promise<Readonly<Partial<Record<FieldOf<R, T>, unknown>>> | undefined>;
  /** Called with every denial (e.g. `auditDenials(auditLog)`). Its errors are ignored. */
  onDeny?: (decision: Decision, resource?: { id?: unknown }) => void;
  /** `'respond'` answers problem+json; `'next'` passes the error on. @default 'respond' */
  onError?: 'respond' | 'next';
  /**
   * What a resource of another tenant answers: `'not-found'` (404, as if it did not exist: a 403
   * would tell the caller that the id exists elsewhere) or `'forbidden'` (403).
   * @default 'not-found'
   */
  tenantDenial?: 'not-found' | 'forbidden';
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function send(error: unknown, req: Request, res: Response, next: NextFunction, onError: 'respond' | 'next') {
  if (onError === 'next' || res.headersSent) {
    next(error);
    return;
  }
  const armor = fromUnknown(error);
  const problem = toProblemDetails(armor, { instance: req.path });
  res.status(problem.status).set(problemHeaders(armor));
  if (problem.status === 401) res.set('WWW-Authenticate', 'Bearer');
  res.type('application/problem+json').send(JSON.stringify(problem));
}

/**
 * Express middleware that lets the request through only when `policy` allows `action` on `type`
 * (and on the loaded resource). A missing resource (the loader returns `undefined`) is 404.
 *
 * @example
 * ```ts no-run
 * app.patch('/comments/:id', requirePermission(policy, 'update', 'comment', {
 *   principal: (req, res) => res.locals.user,
 *   resource: (req) => comments.get(req.params.id),
 * }), handler);
 * ```
 */
export function requirePermission<R extends Resources, Role extends string, T extends keyof R & string>(
  policy: Policy<R, Role>,
  action: ActionOf<R, T>,
  type: T,
  options: RequirePermissionOptions<R, Role, T>,
): RequestHandler {
  checkOptions('requirePermission', options, ['principal', 'resource', 'onDeny', 'onError', 'tenantDenial']);
  checkOneOf('tenantDenial', options.tenantDenial, ['not-found', 'forbidden']);
  checkFunction('principal', options.principal);
  if (options.resource !== undefined) checkFunction('resource', options.resource);
  checkOneOf('onError', options.onError, ['respond', 'next']);
  policy.explain({ id: '', roles: [] }, action, type); // refuses an unknown type or action now, not per request
  const onError = options.onError ?? 'respond';
  const loadResource = options.resource;
  /** Throws the denial (after `onDeny`) unless the policy allows; `next()` is the caller's. */
  const check = (principal: Principal<Role> | undefined, resource: Readonly<Record<string, unknown>> | undefined) => {
    if (!principal) throw new AuthenticationError();
    // `can` allocates nothing; the explanation is built only for a denial.
    if (policy.can(principal, action, type, resource as never)) return;
    const decision = policy.explain(principal, action, type, resource as never);
    try {
      options.onDeny?.(decision, resource as { id?: unknown } | undefined);
    } catch {
      // an audit hook never changes the answer
    }
    throw decision.reason === 'tenant' && options.tenantDenial !== 'forbidden' ? new NotFoundError() : new AccessDeniedError(decision);
  };
  return (req, res, next) => {
    let pending: ReturnType<typeof options.principal>;
    let allowed = false;
    try {
      pending = options.principal(req, res);
      // The common case, a principal known synchronously and no resource to load, is decided
      // without a promise or a microtask hop.
      if (loadResource === undefined && !isThenable(pending)) {
        check(pending, undefined);
        allowed = true;
      }
    } catch (error) {
      send(error, req, res, next, onError);
      return;
    }
    if (allowed) {
      next();
      return;
    }
    void (async () => {
      try {
        const principal = await pending;
        if (!principal) throw new AuthenticationError();
        let resource: Readonly<Record<string, unknown>> | undefined;
        if (loadResource) {
          resource = await loadResource(req, res);
          if (resource === undefined) throw new NotFoundError();
          (res.locals as { resource?: unknown }).resource = resource;
        }
        check(principal, resource);
        next();
      } catch (error) {
        send(error, req, res, next, onError);
      }
    })();
  };
}

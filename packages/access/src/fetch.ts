/**
 * The Fetch/edge adapter: wrap a `(request) => Response` handler so it runs only when the policy
 * allows; otherwise a problem+json 401 (no principal) or 403 (denied, no detail leaked).
 *
 * @module
 */
import { checkOneOf } from '@armor/core';
import { AuthenticationError, createErrorHandler, NotFoundError } from '@armor/errors';
import { AccessDeniedError } from './errors.js';
import type { ActionOf, Decision, FieldOf, Policy, Principal, Resources } from './policy.js';

/** Options of {@link withPermission}. */
export interface WithPermissionOptions<R extends Resources, Role extends string, T extends keyof R & string> {
  /** Who is asking; `undefined` answers 401. */
  principal: (request: Request) => Principal<Role> | undefined | Promise<Principal<Role> | undefined>;
  /** The resource, for conditions and tenant isolation (omit for type-level checks). */
  resource?: (request: Request) => Readonly<Partial<Record<FieldOf<R, T>, unknown>>> | undefined | Promise<Readonly<Partial<Record<FieldOf<R, T>, unknown>>> | undefined>;
  /** Called with every denial (e.g. {@link auditDenials}). */
  onDeny?: (decision: Decision, resource?: { id?: unknown }) => void;
  /** `'respond'` answers problem+json; `'next'` throws the error for your own handler. @default 'respond' */
  onError?: 'respond' | 'next';
  /** What a resource of another tenant answers: 404 (`'not-found'`, no hint that it exists) or 403. @default 'not-found' */
  tenantDenial?: 'not-found' | 'forbidden';
}

const errors = createErrorHandler();

/**
 * Wraps a Fetch handler with a permission check.
 * @example
 * ```ts no-run
 * export const DELETE = withPermission(policy, 'delete', 'project', { principal: fromSession }, () => new Response(null, { status: 204 }));
 * ```
 */
export function withPermission<R extends Resources, Role extends string, T extends keyof R & string, A extends unknown[]>(
  policy: Policy<R, Role>,
  action: ActionOf<R, T>,
  type: T,
  options: WithPermissionOptions<R, Role, T>,
  handler: (request: Request, ...rest: A) => Response | Promise<Response>,
): (request: Request, ...rest: A) => Promise<Response> {
  checkOneOf('onError', options.onError, ['respond', 'next']);
  checkOneOf('tenantDenial', options.tenantDenial, ['not-found', 'forbidden']);
  return async (request, ...rest) => {
    try {
      const principal = await options.principal(request);
      if (!principal) throw new AuthenticationError();
      const resource = options.resource ? await options.resource(request) : undefined;
      const decision = policy.explain(principal, action, type, resource);
      if (!decision.allowed) {
        try {
          options.onDeny?.(decision, resource as { id?: unknown } | undefined);
        } catch {
          // an audit hook never changes the answer
        }
        throw decision.reason === 'tenant' && options.tenantDenial !== 'forbidden' ? new NotFoundError() : new AccessDeniedError(decision);
      }
    } catch (error) {
      if (options.onError === 'next') throw error;
      return errors.toResponse(error, { instance: new URL(request.url).pathname });
    }
    // The handler's own errors are the handler's: not caught here.
    return handler(request, ...rest);
  };
}

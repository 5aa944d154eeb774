/**
 * Small helpers: `assertAllowed` (throw on deny) and `principalFromApiKey` (one model for
 * sessions and API keys).
 *
 * @module
 */
import { AccessDeniedError } from './errors.js';
import type { ActionOf, FieldOf, Policy, Principal, Resources } from './policy.js';

/**
 * Throws {@link AccessDeniedError} (403, no detail to the client; `decision` for your logs)
 * unless the policy allows.
 *
 * @example
 * ```ts no-run
 * assertAllowed(policy, principal, 'delete', 'project', project);
 * ```
 */
export function assertAllowed<R extends Resources, Role extends string, T extends keyof R & string>(
  policy: Policy<R, Role>,
  principal: Principal<Role>,
  action: ActionOf<R, T>,
  type: T,
  resource?: Readonly<Partial<Record<FieldOf<R, T>, unknown>>>,
  options?: { field?: FieldOf<R, T> },
): void {
  const decision = policy.explain(principal, action, type, resource, options);
  if (!decision.allowed) throw new AccessDeniedError(decision);
}

/**
 * The principal of a request made with an API key: the key owner's identity and roles, narrowed
 * by the key's scopes (`type:action`, `type:*`, `*`). A key can never do what its owner's roles
 * cannot: scopes only remove permissions.
 *
 * @example
 * ```ts no-run
 * const principal = principalFromApiKey(owner, verifiedKey.scopes);
 * ```
 */
export function principalFromApiKey<Role extends string>(owner: Principal<Role>, scopes: readonly string[]): Principal<Role> {
  return { ...owner, scopes: [...scopes] };
}

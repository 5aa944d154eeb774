/**
 * Convex adapter: check a permission inside a query or mutation, and filter queries by policy.
 * Denials throw a `ConvexError` carrying the Armor problem (403, no detail), which
 * `@armor/errors`' `fromConvexError` turns back into an `AccessDeniedError`-shaped error on the client.
 *
 * @module
 */
import { toConvexError } from '@armor/errors/convex';
import { AuthenticationError } from '@armor/errors';
import { AccessDeniedError } from './errors.js';
import type { ActionOf, Decision, FieldOf, Policy, Principal, Resources } from './policy.js';

export { accessibleFilter } from './convex-filter.js';
export type { FilterBuilderLike } from './convex-filter.js';

/**
 * Throws (as a `ConvexError`) unless `policy` allows `principal` to `action` the resource;
 * `undefined` principal → 401. Use at the top of a handler, after loading the document.
 *
 * @example
 * ```ts no-run
 * export const update = mutation({ args: { id: v.id('comments'), body: v.string() }, handler: async (ctx, { id, body }) => {
 *   const comment = await ctx.db.get(id);
 *   await assertPermission(policy, await principalOf(ctx), 'update', 'comment', comment ?? undefined);
 *   await ctx.db.patch(id, { body });
 * } });
 * ```
 */
export function assertPermission<R extends Resources, Role extends string, T extends keyof R & string>(
  policy: Policy<R, Role>,
  principal: Principal<Role> | undefined,
  action: ActionOf<R, T>,
  type: T,
  resource?: Readonly<Partial<Record<FieldOf<R, T>, unknown>>>,
  options: { onDeny?: (decision: Decision, resource?: { id?: unknown }) => void } = {},
): void {
  if (!principal) throw toConvexError(new AuthenticationError());
  const decision = policy.explain(principal, action, type, resource);
  if (decision.allowed) return;
  try {
    options.onDeny?.(decision, resource as { id?: unknown } | undefined);
  } catch {
    // an audit hook never changes the answer
  }
  throw toConvexError(new AccessDeniedError(decision));
}

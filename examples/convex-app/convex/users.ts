import { schemas } from '@armor/validation';
import { z } from 'zod';
import { armorMutation, armorQuery, currentUser, requireIdentity } from './lib/armor';

/**
 * The public display name for a new user: the `name` argument, else the identity's `name`
 * claim, else `'User'`. Never the email: the name is shown to everyone as the author of the
 * user's comments, and the email is private. A name claim that looks like an email address
 * (some providers copy the email there) is not used either.
 */
export function displayName(name: string | undefined, identity: { name?: string | undefined }): string {
  const claim = typeof identity.name === 'string' && !identity.name.includes('@') ? identity.name.trim() : '';
  return (name ?? (claim || 'User')).slice(0, 100);
}

/**
 * Creates (or returns) the `users` row of the signed-in caller, keyed by the identity's
 * `tokenIdentifier`. The email is the identity's own claim (from the auth provider's token),
 * never an argument, so a caller cannot register or look up anyone else; it is stored but
 * never shown to others. `name` defaults to the identity's name ({@link displayName}; never
 * the email). Rate-limited per user (`strict`): rotating arguments buys nothing.
 */
export const ensure = armorMutation({
  name: 'users.ensure',
  args: z.object({ name: schemas.safeString({ min: 1, max: 100 }).optional() }),
  rateLimit: { tier: 'strict' },
  handler: async (ctx, { name }) => {
    const identity = await requireIdentity(ctx);
    const existing = await currentUser(ctx);
    if (existing) return existing._id;
    const email = typeof identity.email === 'string' ? identity.email.slice(0, 254) : undefined;
    const display = displayName(name, identity);
    return ctx.db.insert('users', { tokenIdentifier: identity.tokenIdentifier, name: display, ...(email ? { email } : {}), createdAt: Date.now() });
  },
  audit: (_args, id) => ({ target: `users/${id}` }),
});

/** The signed-in caller's user row, or null (not signed in, or `ensure` not called yet). */
export const me = armorQuery({
  args: z.object({}),
  handler: async (ctx) => currentUser(ctx),
});

import { z } from 'zod';
import { schemas } from '@armor/validation';
import { armorMutation, armorQuery } from './lib/armor';

/** Creates (or returns) the user with this email. */
export const ensure = armorMutation({
  name: 'users.ensure',
  args: z.object({ name: schemas.safeString({ max: 100 }), email: schemas.email() }),
  rateLimit: { tier: 'strict', key: (args) => args.email },
  handler: async (ctx, { name, email }) => {
    const existing = await ctx.db
      .query('users')
      .withIndex('by_email', (q) => q.eq('email', email))
      .unique();
    if (existing) return existing._id;
    return ctx.db.insert('users', { name, email, createdAt: Date.now() });
  },
  audit: (args) => ({ target: 'user', summary: `email=${args.email.replace(/^(.).*@/, '$1***@')}` }),
});

/** A user by email (or null). */
export const byEmail = armorQuery({
  args: z.object({ email: schemas.email() }),
  handler: async (ctx, { email }) =>
    ctx.db
      .query('users')
      .withIndex('by_email', (q) => q.eq('email', email))
      .unique(),
});

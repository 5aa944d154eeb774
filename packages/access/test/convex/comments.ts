import { v } from 'convex/values';
import { accessibleFilter, assertPermission } from '../../src/convex.js';
import { policy } from '../../src/fixture.js';
import type { Principal } from '../../src/index.js';
import { mutation, query } from './_generated/server.js';

type Role = 'viewer' | 'editor' | 'moderator' | 'admin';
const principalArg = v.object({ id: v.string(), roles: v.array(v.string()), tenantId: v.optional(v.string()), scopes: v.optional(v.array(v.string())) });

export const insert = mutation({
  args: { docs: v.array(v.any()) },
  handler: async (ctx, { docs }) => {
    for (const old of await ctx.db.query('comments').collect()) await ctx.db.delete(old._id);
    for (const doc of docs) await ctx.db.insert('comments', doc);
  },
});
export const all = query({ args: {}, handler: (ctx) => ctx.db.query('comments').collect() });
export const list = query({
  args: { principal: principalArg, action: v.string() },
  handler: async (ctx, { principal, action }) => {
    const filter = accessibleFilter(policy, principal as Principal<Role>, action as 'read', 'comment');
    const docs = await ctx.db.query('comments').filter(filter).collect();
    return docs.map((d) => d.n).sort((a, b) => a - b);
  },
});
export const update = mutation({
  args: { principal: principalArg, n: v.number() },
  handler: async (ctx, { principal, n }) => {
    const doc = (await ctx.db.query('comments').collect()).find((d) => d.n === n);
    assertPermission(policy, principal as Principal<Role>, 'update', 'comment', doc ?? undefined);
    return 'updated';
  },
});

import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';

export default defineSchema({
  comments: defineTable({
    n: v.number(),
    tenantId: v.optional(v.union(v.string(), v.null())),
    authorId: v.optional(v.union(v.string(), v.null())),
    hidden: v.optional(v.union(v.boolean(), v.null())),
    score: v.optional(v.union(v.number(), v.null())),
  }),
});

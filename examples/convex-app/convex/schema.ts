import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
import { rateLimitTables } from '@armor/rate-limit/convex';

/**
 * Every table has the indexes its queries use: hot paths read with `withIndex`, never a scan.
 */
export default defineSchema({
  users: defineTable({
    name: v.string(),
    email: v.string(),
    createdAt: v.number(),
  }).index('by_email', ['email']),

  projects: defineTable({
    name: v.string(),
    ownerId: v.id('users'),
    createdAt: v.number(),
  }).index('by_owner', ['ownerId']),

  comments: defineTable({
    projectId: v.id('projects'),
    authorId: v.id('users'),
    /** Sanitized HTML. */
    html: v.string(),
    createdAt: v.number(),
  }).index('by_project', ['projectId', 'createdAt']),

  auditLog: defineTable({
    action: v.string(),
    actor: v.string(),
    target: v.optional(v.string()),
    /** Argument summary with secrets redacted. */
    summary: v.optional(v.string()),
    at: v.number(),
  }).index('by_at', ['at']),

  /** Rate-limit state: one row per limiter key, from @armor/rate-limit/convex. */
  ...rateLimitTables,

  /** Latency samples recorded from actions and clients (queries/mutations see a frozen clock). */
  metricSamples: defineTable({
    name: v.string(),
    kind: v.union(v.literal('query'), v.literal('mutation'), v.literal('action'), v.literal('http')),
    durationMs: v.number(),
    ok: v.boolean(),
    at: v.number(),
  })
    .index('by_at', ['at'])
    .index('by_name_at', ['name', 'at']),

  /** Errors grouped by @armor/errors' fingerprint(). */
  errorGroups: defineTable({
    fingerprint: v.string(),
    code: v.string(),
    status: v.number(),
    name: v.string(),
    message: v.string(),
    count: v.number(),
    firstSeen: v.number(),
    lastSeen: v.number(),
    sample: v.optional(v.object({ message: v.string(), stack: v.optional(v.string()), source: v.optional(v.string()) })),
  })
    .index('by_fingerprint', ['fingerprint'])
    .index('by_lastSeen', ['lastSeen']),
});

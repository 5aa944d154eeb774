import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
import { rateLimitTables } from '@armor/rate-limit/convex';
import { auditTables } from '@armor/audit/convex';

const sampleTable = defineTable({
  name: v.string(),
  kind: v.union(v.literal('query'), v.literal('mutation'), v.literal('action'), v.literal('http')),
  durationMs: v.number(),
  ok: v.boolean(),
  at: v.number(),
})
  .index('by_at', ['at'])
  .index('by_name_at', ['name', 'at']);

const errorGroupTable = defineTable({
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
  .index('by_lastSeen', ['lastSeen']);

/**
 * Every table has the indexes its queries use: hot paths read with `withIndex`, never a scan.
 */
export default defineSchema({
  /**
   * One row per signed-in identity (`users.ensure`), found by the identity's `tokenIdentifier`
   * (issuer + subject). The email is the identity's claim, never a client argument.
   */
  users: defineTable({
    tokenIdentifier: v.string(),
    name: v.string(),
    email: v.optional(v.string()),
    createdAt: v.number(),
  }).index('by_token', ['tokenIdentifier']),

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

  /**
   * The audit trail (`@armor/audit/convex`): `auditEntries` (one hash chain per caller) and
   * `auditCheckpoints`, appended by every audited mutation in its own transaction.
   */
  ...auditTables,

  /**
   * The audit table before `@armor/audit`: no longer written, kept so its history stays
   * readable; `maintenance.trim` still removes its rows after 90 days.
   */
  auditLog: defineTable({
    action: v.string(),
    /** `user:<tokenIdentifier>`, or `session:<id>` for anonymous callers. */
    actor: v.string(),
    target: v.optional(v.string()),
    /** Argument summary with secrets redacted. */
    summary: v.optional(v.string()),
    at: v.number(),
  }).index('by_at', ['at']),

  /** Rate-limit state: one row per limiter key, from @armor/rate-limit/convex. */
  ...rateLimitTables,

  /**
   * Rate-limit decisions per limiter (the wrapped function's name) and minute, counted by
   * `enforceRateLimit` in the transaction that made the decision. Each minute of a limiter is
   * split over a few `shard` rows (by limiter key) so concurrent callers do not all write one
   * document. The snapshot sums the rows of its window through `by_bucket`.
   */
  rateLimitStats: defineTable({
    limiter: v.string(),
    tier: v.string(),
    /** Start of the minute (epoch ms). */
    bucket: v.number(),
    shard: v.number(),
    allowed: v.number(),
    limited: v.number(),
  })
    .index('by_limiter_bucket_shard', ['limiter', 'bucket', 'shard'])
    .index('by_bucket', ['bucket']),

  /**
   * The last timed run of each health check (one row per check), written by the
   * `healthcheck.probe` cron action: actions see a moving clock, queries do not, so this is
   * where the snapshot's check latencies come from.
   */
  healthProbes: defineTable({
    name: v.string(),
    status: v.union(v.literal('pass'), v.literal('warn'), v.literal('fail')),
    latencyMs: v.number(),
    output: v.optional(v.string()),
    at: v.number(),
  }).index('by_name', ['name']),

  /** Latency samples measured server-side, in actions (queries/mutations see a frozen clock). */
  metricSamples: sampleTable,

  /**
   * Latency samples reported by clients (`monitoring.recordClientSamples`): a namespace of
   * their own, read with its own budget by the snapshot, so reports from the public internet
   * can never push the server's samples out.
   */
  clientSamples: sampleTable,

  /** Server-side errors (recorded by actions), grouped by @armor/errors' fingerprint(). */
  errorGroups: errorGroupTable,

  /**
   * Errors reported by clients (`monitoring.reportClientError`), grouped by the fingerprint
   * they send: a namespace of their own, so a client reusing a server group's fingerprint
   * creates or updates a client group and never touches the server's.
   */
  clientErrorGroups: errorGroupTable,

  /**
   * Real-user web vitals (`POST /vitals`, the UI's `@armor/metrics/web-vitals-client` beacons):
   * per minute, metric and route template, the histogram counts the web-vitals ingest recorded —
   * cumulative per bucket edge of `WEB_VITAL_BUCKETS` (plus `+Inf` last), with their sum and
   * count. Rows of one minute add up, so the snapshot reads a window's histogram (and its p75,
   * as Prometheus' `histogram_quantile` would) from at most one row per minute and route.
   */
  webVitalBuckets: defineTable({
    /** Start of the minute (epoch ms). */
    minute: v.number(),
    name: v.union(v.literal('LCP'), v.literal('INP'), v.literal('CLS'), v.literal('FCP'), v.literal('TTFB')),
    route: v.string(),
    buckets: v.array(v.number()),
    /** Sum of the values: seconds (unitless for CLS). */
    sum: v.number(),
    count: v.number(),
  })
    .index('by_minute_name_route', ['minute', 'name', 'route'])
    .index('by_name_minute', ['name', 'minute']),

  /**
   * The route templates web vitals are recorded under, at most `MAX_VITALS_ROUTES`
   * (`lib/webVitals.ts`): beacons of further routes are recorded as `other`, so clients cannot
   * grow the tables or the scorecard with invented routes. Trimmed when not seen for a day.
   */
  webVitalRoutes: defineTable({
    route: v.string(),
    lastSeen: v.number(),
  })
    .index('by_route', ['route'])
    .index('by_lastSeen', ['lastSeen']),
});

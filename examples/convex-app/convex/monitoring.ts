/**
 * Monitoring: latency samples (from actions and clients), error groups, and the
 * MonitoringSnapshot for the dashboard (a reactive query for `useQuery`, and the HTTP route in
 * http.ts).
 */
import { ConvexError, v } from 'convex/values';
import { internalMutation, internalQuery, mutation, query, type MutationCtx, type QueryCtx } from './_generated/server';
import { buildSnapshot, WINDOW_MS } from './lib/snapshot';
import { isAdminKey } from './lib/adminKey';

const sampleValidator = v.object({
  name: v.string(),
  kind: v.union(v.literal('query'), v.literal('mutation'), v.literal('action'), v.literal('http')),
  durationMs: v.number(),
  ok: v.boolean(),
});

/** Bounds that keep a misbehaving client from flooding the tables. */
const MAX_SAMPLES_PER_CALL = 100;
const MAX_DURATION_MS = 10 * 60 * 1000;

async function insertSamples(ctx: Pick<MutationCtx, 'db'>, samples: { name: string; kind: 'query' | 'mutation' | 'action' | 'http'; durationMs: number; ok: boolean }[]) {
  const at = Date.now();
  for (const sample of samples.slice(0, MAX_SAMPLES_PER_CALL)) {
    if (!Number.isFinite(sample.durationMs) || sample.durationMs < 0 || sample.durationMs > MAX_DURATION_MS) continue;
    await ctx.db.insert('metricSamples', { ...sample, name: sample.name.slice(0, 100), at });
  }
}

/** Internal: records samples measured in actions. */
export const recordSamples = internalMutation({
  args: { samples: v.array(sampleValidator) },
  handler: async (ctx, { samples }) => insertSamples(ctx, samples),
});

/**
 * Public: the client records round-trip latencies of queries and mutations here (they cannot
 * time themselves: Convex freezes `Date.now()` inside them). Bounded per call.
 */
export const recordClientSamples = mutation({
  args: { samples: v.array(sampleValidator) },
  handler: async (ctx, { samples }) => insertSamples(ctx, samples),
});

const errorArgs = {
  fingerprint: v.string(),
  code: v.string(),
  status: v.number(),
  name: v.string(),
  message: v.string(),
  stack: v.optional(v.string()),
  source: v.optional(v.string()),
};

async function upsertErrorGroup(ctx: Pick<MutationCtx, 'db'>, e: { fingerprint: string; code: string; status: number; name: string; message: string; stack?: string | undefined; source?: string | undefined }) {
  const now = Date.now();
  const sample = { message: e.message.slice(0, 2000), ...(e.stack ? { stack: e.stack.slice(0, 4000) } : {}), ...(e.source ? { source: e.source.slice(0, 100) } : {}) };
  const existing = await ctx.db
    .query('errorGroups')
    .withIndex('by_fingerprint', (q) => q.eq('fingerprint', e.fingerprint))
    .unique();
  if (existing) {
    await ctx.db.patch(existing._id, { count: existing.count + 1, lastSeen: now, sample });
  } else {
    await ctx.db.insert('errorGroups', {
      fingerprint: e.fingerprint.slice(0, 64),
      code: e.code.slice(0, 64),
      status: e.status,
      name: e.name.slice(0, 100),
      message: e.message.slice(0, 500),
      count: 1,
      firstSeen: now,
      lastSeen: now,
      sample,
    });
  }
}

/** Internal: records a server-side error (from actions, which are not transactional). */
export const recordError = internalMutation({ args: errorArgs, handler: async (ctx, e) => upsertErrorGroup(ctx, e) });

/**
 * Public: the client reports errors of queries and mutations (their own writes roll back
 * when they throw, so they cannot record themselves). Used by `useErrorHandler({ report })`.
 * The stack is not accepted from clients.
 */
export const reportClientError = mutation({
  args: { fingerprint: v.string(), code: v.string(), status: v.number(), name: v.string(), message: v.string(), source: v.optional(v.string()) },
  handler: async (ctx, e) => upsertErrorGroup(ctx, e),
});

async function snapshotFrom(ctx: QueryCtx) {
  const now = Date.now();
  const samples = await ctx.db
    .query('metricSamples')
    .withIndex('by_at', (q) => q.gte('at', now - WINDOW_MS))
    .take(20_000);
  const recentGroups = await ctx.db.query('errorGroups').withIndex('by_lastSeen').order('desc').take(200);
  const limited = recentGroups.filter((g) => g.code === 'RATE_LIMITED').reduce((n, g) => n + g.count, 0);
  return buildSnapshot({
    now,
    samples,
    errorGroups: recentGroups,
    totalErrorGroups: recentGroups.length,
    databaseOk: true,
    databaseMs: 0,
    rateLimited: limited,
  });
}

/** Internal: the snapshot (for the HTTP route, which checks the admin key itself). */
export const buildMonitoringSnapshot = internalQuery({ args: {}, handler: async (ctx) => snapshotFrom(ctx) });

/** The snapshot for the dashboard via `useQuery`; requires the admin key. */
export const snapshot = query({
  args: { adminKey: v.string() },
  handler: async (ctx, { adminKey }) => {
    if (!(await isAdminKey(adminKey))) {
      throw new ConvexError({ armor: true, code: 'UNAUTHENTICATED', status: 401, message: 'Admin key required' });
    }
    return snapshotFrom(ctx);
  },
});

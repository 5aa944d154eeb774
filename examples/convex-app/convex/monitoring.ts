/**
 * Monitoring: latency samples (from actions and clients), error groups, and the
 * MonitoringSnapshot for the dashboard (a reactive query for `useQuery`, and the HTTP route in
 * http.ts), with its SLO scorecard (`lib/scorecard.ts`).
 */
import { schemas } from '@armor/validation';
import { ConvexError, v } from 'convex/values';
import { z } from 'zod';
import { internalMutation, internalQuery, query, type MutationCtx, type QueryCtx } from './_generated/server';
import { armorMutation, sessionIdSchema } from './lib/armor';
import { buildSnapshot, WINDOW_MS } from './lib/snapshot';
import { MAX_DURATION_MS, MAX_ERROR_MESSAGE, MAX_NAME, MAX_SAMPLES_PER_CALL } from './lib/telemetry';
import { isAdminKey } from './lib/adminKey';
import { runChecks, snapshotHealth } from './lib/health';
import { STATS_BUCKET_MS } from './lib/rateLimit';
import { withScorecard } from './lib/scorecard';

const sampleValidator = v.object({
  name: v.string(),
  kind: v.union(v.literal('query'), v.literal('mutation'), v.literal('action'), v.literal('http')),
  durationMs: v.number(),
  ok: v.boolean(),
});

type Sample = { name: string; kind: 'query' | 'mutation' | 'action' | 'http'; durationMs: number; ok: boolean };

async function insertSamples(ctx: Pick<MutationCtx, 'db'>, table: 'metricSamples' | 'clientSamples', samples: Sample[]) {
  const at = Date.now();
  for (const sample of samples.slice(0, MAX_SAMPLES_PER_CALL)) {
    if (!Number.isFinite(sample.durationMs) || sample.durationMs < 0 || sample.durationMs > MAX_DURATION_MS) continue;
    await ctx.db.insert(table, { ...sample, name: sample.name.slice(0, MAX_NAME), at });
  }
}

/** Internal: records samples measured in actions (trusted; bounded all the same) into the server's namespace (`metricSamples`). */
export const recordSamples = internalMutation({
  args: { samples: v.array(sampleValidator) },
  handler: async (ctx, { samples }) => insertSamples(ctx, 'metricSamples', samples),
});

/*
 * The two public telemetry mutations below are `armorMutation`s open to anyone (`access:
 * 'anyone'`: the UI reports before and after sign-in): Convex `args` validators plus zod with
 * bounded sizes (an oversized or malformed payload is refused whole, nothing is written), and
 * rate-limited per caller (`standard` tier, each function its own budget) — per user when
 * signed in, per address (IPv6 per network) otherwise, with the per-address anonymous ceiling
 * on top; a session id buys nothing. Samples cost one point each, so a caller records at most
 * 100 samples a minute however it batches them.
 *
 * What clients report lives in namespaces of its own (`clientSamples`, `clientErrorGroups`),
 * which the snapshot reads with budgets of their own: a flood from the public internet can
 * fill the client panels, but never push out or overwrite what the server recorded
 * (`metricSamples`, `errorGroups`).
 *
 * They are exempt from the audit log (`audit: false`), on purpose: the audit log records
 * changes to application data (who created which project, posted which comment). Telemetry
 * ingestion changes none; the rows it writes are themselves the record, kept for 24 h by the
 * retention cron. Auditing it would add one audit row per sample or error report — the
 * busiest write in the app — and let a client fill the 90-day audit log with noise.
 */

const clientSample = z.object({
  name: schemas.safeString({ min: 1, max: MAX_NAME }),
  kind: z.enum(['query', 'mutation', 'action', 'http']),
  durationMs: z.number().finite().min(0).max(MAX_DURATION_MS),
  ok: z.boolean(),
});

/**
 * Public: the client records round-trip latencies of queries and mutations here (they cannot
 * time themselves: Convex freezes `Date.now()` inside them). At most
 * {@link MAX_SAMPLES_PER_CALL} samples per call; rate-limited (`standard`); not audited.
 */
export const recordClientSamples = armorMutation({
  name: 'monitoring.recordClientSamples',
  args: z.object({ samples: z.array(clientSample).min(1).max(MAX_SAMPLES_PER_CALL), sessionId: sessionIdSchema.optional() }),
  access: 'anyone',
  rateLimit: { tier: 'standard', cost: ({ samples }) => samples.length },
  audit: false,
  handler: async (ctx, { samples }) => insertSamples(ctx, 'clientSamples', samples),
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

async function upsertErrorGroup(ctx: Pick<MutationCtx, 'db'>, table: 'errorGroups' | 'clientErrorGroups', e: { fingerprint: string; code: string; status: number; name: string; message: string; stack?: string | undefined; source?: string | undefined }) {
  const now = Date.now();
  const sample = { message: e.message.slice(0, MAX_ERROR_MESSAGE), ...(e.stack ? { stack: e.stack.slice(0, 4000) } : {}), ...(e.source ? { source: e.source.slice(0, MAX_NAME) } : {}) };
  const existing = await ctx.db
    .query(table)
    .withIndex('by_fingerprint', (q) => q.eq('fingerprint', e.fingerprint))
    .unique();
  if (existing) {
    await ctx.db.patch(existing._id, { count: existing.count + 1, lastSeen: now, sample });
  } else {
    await ctx.db.insert(table, {
      fingerprint: e.fingerprint.slice(0, 64),
      code: e.code.slice(0, 64),
      status: e.status,
      name: e.name.slice(0, MAX_NAME),
      message: e.message.slice(0, 500),
      count: 1,
      firstSeen: now,
      lastSeen: now,
      sample,
    });
  }
}

/** Internal: records a server-side error (from actions, which are not transactional). */
export const recordError = internalMutation({ args: errorArgs, handler: async (ctx, e) => upsertErrorGroup(ctx, 'errorGroups', e) });

/**
 * Public: the client reports errors of queries and mutations (their own writes roll back
 * when they throw, so they cannot record themselves). Used by `useErrorHandler({ report })`.
 * Every field is bounded (the fingerprint is `fingerprint()`'s 16 hex characters, the code
 * SCREAMING_SNAKE, the message at most {@link MAX_ERROR_MESSAGE} characters); the stack is not
 * accepted from clients. Rate-limited (`standard`); not audited. Groups go to
 * `clientErrorGroups`: reusing a server group's fingerprint never touches that group.
 */
export const reportClientError = armorMutation({
  name: 'monitoring.reportClientError',
  args: z.object({
    fingerprint: z.string().regex(/^[0-9a-f]{16}$/, 'Expected the 16 hex characters of fingerprint()'),
    code: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'Expected a SCREAMING_SNAKE error code'),
    status: z.number().int().min(400).max(599),
    name: schemas.safeString({ min: 1, max: MAX_NAME }),
    message: schemas.safeString({ max: MAX_ERROR_MESSAGE, multiline: true }),
    source: schemas.safeString({ max: MAX_NAME }).optional(),
    sessionId: sessionIdSchema.optional(),
  }),
  access: 'anyone',
  rateLimit: { tier: 'standard' },
  audit: false,
  handler: async (ctx, { sessionId: _session, ...e }) => upsertErrorGroup(ctx, 'clientErrorGroups', e),
});

/** Most `rateLimitStats` rows one snapshot reads (limiters × shards × minutes of the window). */
const MAX_STATS_ROWS = 10_000;
/** Most samples one snapshot reads from each namespace (server, client), newest first. */
export const MAX_SNAPSHOT_SAMPLES = { server: 20_000, client: 10_000 } as const;
/** Most error groups one snapshot shows from each namespace (server, client), most recent first. */
export const MAX_SNAPSHOT_GROUPS = { server: 150, client: 50 } as const;

async function snapshotFrom(ctx: QueryCtx) {
  const now = Date.now();
  const recent = (table: 'metricSamples' | 'clientSamples', max: number) =>
    ctx.db
      .query(table)
      .withIndex('by_at', (q) => q.gte('at', now - WINDOW_MS))
      .order('desc')
      .take(max);
  const serverSamples = await recent('metricSamples', MAX_SNAPSHOT_SAMPLES.server);
  const clientSamples = await recent('clientSamples', MAX_SNAPSHOT_SAMPLES.client);
  const samples = [...serverSamples, ...clientSamples].sort((a, b) => a.at - b.at);
  const serverGroups = await ctx.db.query('errorGroups').withIndex('by_lastSeen').order('desc').take(MAX_SNAPSHOT_GROUPS.server);
  const clientGroups = await ctx.db.query('clientErrorGroups').withIndex('by_lastSeen').order('desc').take(MAX_SNAPSHOT_GROUPS.client);
  const recentGroups = [...serverGroups, ...clientGroups.map((g) => ({ ...g, fingerprint: `client:${g.fingerprint}` }))];
  // Health: the checks run right here (frozen clock: status only); the latency comes from the
  // latest cron probe, measured in an action.
  const checks = await runChecks(ctx, now);
  const probe = await ctx.db
    .query('healthProbes')
    .withIndex('by_name', (q) => q.eq('name', 'database'))
    .unique();
  // Rate limits: the per-minute counters written with each decision, for the minutes that
  // overlap the window.
  const stats = await ctx.db
    .query('rateLimitStats')
    .withIndex('by_bucket', (q) => q.gt('bucket', now - WINDOW_MS - STATS_BUCKET_MS))
    .take(MAX_STATS_ROWS);
  const snapshot = buildSnapshot({
    now,
    samples,
    errorGroups: recentGroups,
    totalErrorGroups: recentGroups.length,
    health: snapshotHealth(checks, probe, now),
    rateLimitStats: stats,
  });
  // The SLO scorecard, with the page loads the UI reported (`POST /vitals`).
  return withScorecard(ctx, snapshot);
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

/**
 * Health checks as functions: `ping` runs them in a query (for `/health` and the probe), and the
 * `probe` cron action times that query — actions see a moving clock, queries do not — and keeps
 * the result in `healthProbes` for the snapshot. See `./lib/health.ts`.
 */
import { v } from 'convex/values';
import { internal } from './_generated/api';
import { internalAction, internalMutation, internalQuery, type ActionCtx } from './_generated/server';
import { overallStatus, runChecks, type CheckResult, type CheckStatus } from './lib/health';

/** Internal: runs every check (indexed reads; no latency, the clock is frozen in queries). */
export const ping = internalQuery({
  args: {},
  handler: async (ctx): Promise<CheckResult[]> => runChecks(ctx),
});

/** The outcome of one timed run of `ping` from an action. */
export interface TimedChecks {
  /** `ping`'s results, or a failing `database` check when the query itself failed. */
  checks: CheckResult[];
  /** Round trip of the `ping` query from the action (ms). */
  latencyMs: number;
}

/** Runs `ping` from an action and times it. Never throws: a failed query is a failing `database` check. */
export async function timedChecks(ctx: Pick<ActionCtx, 'runQuery'>): Promise<TimedChecks> {
  const started = Date.now();
  try {
    const checks = await ctx.runQuery(internal.healthcheck.ping, {});
    return { checks, latencyMs: Date.now() - started };
  } catch (thrown) {
    const output = (thrown instanceof Error ? thrown.message : String(thrown)).slice(0, 500);
    return { checks: [{ name: 'database', status: 'fail', componentType: 'datastore', critical: true, output }], latencyMs: Date.now() - started };
  }
}

const status = v.union(v.literal('pass'), v.literal('warn'), v.literal('fail'));

/** Internal: stores the latest result of a probe (one row per check name). */
export const recordProbe = internalMutation({
  args: { name: v.string(), status, latencyMs: v.number(), output: v.optional(v.string()) },
  handler: async (ctx, probe) => {
    const row = { ...probe, name: probe.name.slice(0, 100), at: Date.now(), ...(probe.output ? { output: probe.output.slice(0, 500) } : {}) };
    const existing = await ctx.db
      .query('healthProbes')
      .withIndex('by_name', (q) => q.eq('name', row.name))
      .unique();
    if (existing) await ctx.db.replace(existing._id, row);
    else await ctx.db.insert('healthProbes', row);
  },
});

/**
 * Internal (cron, every minute): times the checks and records the `database` probe: its
 * status, the round-trip latency of the check query, and the failure output if any.
 */
export const probe = internalAction({
  args: {},
  handler: async (ctx): Promise<{ status: CheckStatus; latencyMs: number }> => {
    const { checks, latencyMs } = await timedChecks(ctx);
    const database = checks.find((c) => c.name === 'database');
    const result = { status: database?.status ?? ('fail' as const), latencyMs, ...(database?.output ? { output: database.output } : {}) };
    await ctx.runMutation(internal.healthcheck.recordProbe, { name: 'database', ...result });
    return { status: overallStatus(checks), latencyMs };
  },
});

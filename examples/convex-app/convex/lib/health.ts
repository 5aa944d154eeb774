/**
 * The health checks, shared by `GET /health` (http.ts), the `healthcheck.probe` cron action and
 * the MonitoringSnapshot — so all three report the same checks.
 *
 * What a check can measure depends on where it runs:
 * - **In a query** (`runChecks`): Convex freezes `Date.now()` for the whole function, so a query
 *   can tell whether reads work and how old data is, but not how long anything took. The checks
 *   read real tables through their indexes; one that throws (a missing index after a bad
 *   deploy, a table the code no longer matches) reports `fail` with the error. A database
 *   that cannot serve the query at all fails the whole query instead — `/health` then answers
 *   503, and the dashboard shows the query error.
 * - **In an action** (`/health`, the probe): the clock moves, so the round trip of the check
 *   query is timed. That latency includes the action → query hop, not just the reads.
 *   `/health` times it on every request but writes nothing (it is public); the cron probe
 *   records it in `healthProbes`, which is where the snapshot's latency comes from.
 */
import type { MonitoringSnapshot } from '@armor/metrics';
import type { Doc } from '../_generated/dataModel';
import type { QueryCtx } from '../_generated/server';
import { AUDIT_RETENTION_MS, SAMPLE_RETENTION_MS, TRIM_INTERVAL_MS } from './retention';

export type CheckStatus = 'pass' | 'warn' | 'fail';

/** One check result from a query: no latency (the clock is frozen there). */
export interface CheckResult {
  name: string;
  status: CheckStatus;
  componentType: string;
  /** Whether a failure makes the service unhealthy (`fail`) rather than degraded (`warn`). */
  critical: boolean;
  output?: string;
}

/** How often the cron probe runs (ms). */
export const PROBE_INTERVAL_MS = 60 * 1000;
/** A probe older than this (ms) means the cron stopped; the snapshot then warns. */
export const PROBE_STALE_MS = 5 * PROBE_INTERVAL_MS;
/** Slack (ms) given to the trim cron before the retention check warns. */
export const RETENTION_SLACK_MS = 2 * TRIM_INTERVAL_MS;

function messageOf(thrown: unknown): string {
  return (thrown instanceof Error ? thrown.message : String(thrown)).slice(0, 500);
}

/** `database`: one indexed read of `users` (by_token) and one of `rateLimits` (by_key), the tables every call depends on. */
async function databaseCheck(ctx: Pick<QueryCtx, 'db'>): Promise<CheckResult> {
  const base = { name: 'database', componentType: 'datastore', critical: true };
  try {
    await ctx.db.query('users').withIndex('by_token').first();
    await ctx.db.query('rateLimits').withIndex('by_key').first();
    return { ...base, status: 'pass' };
  } catch (thrown) {
    return { ...base, status: 'fail', output: messageOf(thrown) };
  }
}

/**
 * `retention`: the oldest metric sample and audit row (one `by_at` read each) are within their
 * retention plus {@link RETENTION_SLACK_MS}; otherwise the trim cron is behind (`warn`).
 */
async function retentionCheck(ctx: Pick<QueryCtx, 'db'>, now: number): Promise<CheckResult> {
  const base = { name: 'retention', componentType: 'component', critical: false };
  try {
    const oldestSample = await ctx.db.query('metricSamples').withIndex('by_at').first();
    const oldestAudit = await ctx.db.query('auditLog').withIndex('by_at').first();
    const behind: string[] = [];
    if (oldestSample && now - oldestSample.at > SAMPLE_RETENTION_MS + RETENTION_SLACK_MS) behind.push(`metricSamples from ${new Date(oldestSample.at).toISOString()}`);
    if (oldestAudit && now - oldestAudit.at > AUDIT_RETENTION_MS + RETENTION_SLACK_MS) behind.push(`auditLog from ${new Date(oldestAudit.at).toISOString()}`);
    return behind.length ? { ...base, status: 'warn', output: `trim cron is behind: ${behind.join(', ')}` } : { ...base, status: 'pass' };
  } catch (thrown) {
    return { ...base, status: 'fail', output: messageOf(thrown) };
  }
}

/** Runs every check inside a query (or mutation). `now` is the function's (frozen) clock. */
export async function runChecks(ctx: Pick<QueryCtx, 'db'>, now = Date.now()): Promise<CheckResult[]> {
  return [await databaseCheck(ctx), await retentionCheck(ctx, now)];
}

/** Overall status: `fail` if a critical check fails, `warn` if any other is not `pass`. */
export function overallStatus(checks: { status: CheckStatus; critical?: boolean | undefined }[]): CheckStatus {
  if (checks.some((c) => c.status === 'fail' && c.critical)) return 'fail';
  return checks.some((c) => c.status !== 'pass') ? 'warn' : 'pass';
}

/**
 * The snapshot's health: the checks run in the snapshot query itself (status as of this
 * read), with the `database` check's latency taken from the latest cron probe. A probe older
 * than {@link PROBE_STALE_MS}, or a failed one, turns a passing `database` into `warn`.
 */
export function snapshotHealth(checks: CheckResult[], probe: Doc<'healthProbes'> | null, now: number): MonitoringSnapshot['health'] {
  const entries = checks.map((check) => {
    const entry: MonitoringSnapshot['health']['checks'][number] = {
      name: check.name,
      status: check.status,
      componentType: check.componentType,
      time: now,
      critical: check.critical,
      ...(check.output ? { output: check.output } : {}),
    };
    if (check.name !== 'database') return entry;
    if (!probe) return { ...entry, output: check.output ?? 'latency not measured yet (no probe has run)' };
    const stale = now - probe.at > PROBE_STALE_MS;
    const notes = [
      check.output,
      `latency ${probe.latencyMs} ms measured by the probe at ${new Date(probe.at).toISOString()}`,
      stale ? 'probe is stale: is the health cron running?' : undefined,
      probe.status !== 'pass' ? `probe ${probe.status}: ${probe.output ?? 'no detail'}` : undefined,
    ].filter((note): note is string => !!note);
    const degraded = check.status === 'pass' && (stale || probe.status !== 'pass');
    return {
      ...entry,
      status: degraded ? ('warn' as const) : check.status,
      observedValue: probe.latencyMs,
      observedUnit: 'ms',
      output: notes.join('; '),
    };
  });
  return { status: overallStatus(entries), checks: entries };
}

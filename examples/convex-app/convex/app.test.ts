import { tiers } from '@armor/rate-limit';
import { convexTest } from 'convex-test';
import { ConvexError } from 'convex/values';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { api, internal } from './_generated/api';
import type { Id } from './_generated/dataModel';
import crons from './crons';
import { timedChecks } from './healthcheck';
import { armorMutation } from './lib/armor';
import { overallStatus, PROBE_STALE_MS, RETENTION_SLACK_MS, runChecks, snapshotHealth } from './lib/health';
import { STATS_BUCKET_MS, STATS_SHARDS } from './lib/rateLimit';
import { AUDIT_RETENTION_MS, ERROR_GROUP_RETENTION_MS, RATE_LIMIT_STATS_RETENTION_MS, SAMPLE_RETENTION_MS } from './lib/retention';
import { WINDOW_MS } from './lib/snapshot';
import { MAX_DURATION_MS, MAX_ERROR_MESSAGE, MAX_NAME, MAX_SAMPLES_PER_CALL } from './lib/telemetry';
import schema from './schema';

const modules = import.meta.glob('./**/*.ts');

function setup() {
  return convexTest(schema, modules);
}

/** Ada's identity, as the auth provider's token would carry it. */
const ADA = { subject: 'ada', name: 'Ada', email: 'ada@example.com' };
/** Ada's key in the audit log and the rate limiter (convex-test's issuer is https://convex.test). */
const ADA_KEY = 'user:https://convex.test|ada';
/** An anonymous browser session (the UI sends one with every call open to anyone). */
const SESSION = 'session-0123456789abcdef';

/** Signs in as Ada, registers her (`users.ensure`) and creates her project. */
async function seed(t: ReturnType<typeof setup>) {
  const as = t.withIdentity(ADA);
  const userId = await as.mutation(api.users.ensure, {});
  const projectId = await as.mutation(api.projects.create, { name: 'Engine' });
  return { userId, projectId, as };
}

/** Convex's own argument validation (the `args` validators) refuses the call before the handler runs. */
const REFUSED_BY_CONVEX = /Validator error|ArgumentValidationError/;

async function errorOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as { data?: Record<string, unknown>; message?: string };
  }
  throw new Error('expected a rejection');
}

function pathsOf(error: { data?: Record<string, unknown> }) {
  return ((error.data?.issues ?? []) as { path: string }[]).map((i) => i.path);
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-25T10:00:00Z') });
  process.env.ADMIN_API_KEY = 'armor_test_admin_key';
});
afterEach(() => {
  vi.useRealTimers();
});

describe('validation reaches the client as ConvexError with a code', () => {
  it('a bad format (control character in a name) → VALIDATION_FAILED with the field path', async () => {
    const t = setup();
    const error = await errorOf(t.withIdentity(ADA).mutation(api.users.ensure, { name: 'A\u0000da' }));
    expect(error.data).toMatchObject({ armor: true, code: 'VALIDATION_FAILED', status: 400 });
    expect((error.data!.issues as { path: string }[]).map((i) => i.path)).toContain('/name');
  });

  it('wrong types, missing and unknown args are refused by the Convex `args` validators before the handler runs', async () => {
    const { as } = await seed(setup());
    expect((await errorOf(as.mutation(api.projects.create, { name: 42 } as never))).message).toMatch(REFUSED_BY_CONVEX);
    expect((await errorOf(as.query(api.projects.get, {} as never))).message).toMatch(REFUSED_BY_CONVEX);
    expect((await errorOf(as.mutation(api.projects.create, { name: 'x', extra: 1 } as never))).message).toMatch(REFUSED_BY_CONVEX);
  });

  it('unknown ids → NOT_FOUND', async () => {
    const t = setup();
    const error = await errorOf(t.query(api.projects.get, { id: 'abc123' }));
    expect(error.data).toMatchObject({ code: 'NOT_FOUND', status: 404, message: 'Project not found' });
  });

  it('comment HTML is sanitized', async () => {
    const t = setup();
    const { projectId, as } = await seed(t);
    await as.mutation(api.comments.add, { projectId, body: '<b>hi</b><script>alert(1)</script><img src=x onerror=alert(1)>' });
    const page = await t.query(api.comments.listByProject, { projectId, paginationOpts: { numItems: 10, cursor: null } });
    expect(page.page[0]!.html).toContain('<b>hi</b>');
    expect(page.page[0]!.html).not.toMatch(/script|onerror/i);
    expect(page.page[0]!.author).toBe('Ada');
  });
});

describe('table-backed rate limiter', () => {
  it('admits exactly `limit` calls per window, then RATE_LIMITED, then a full `limit` again after the reset', async () => {
    const t = setup();
    const { as } = await seed(t);
    const { limit, windowMs } = tiers.standard;
    // seed() already made one `projects.create` call for Ada.
    for (let i = 1; i < limit; i++) await as.mutation(api.projects.create, { name: `p${i}` });
    const error = await errorOf(as.mutation(api.projects.create, { name: 'one too many' }));
    expect(error.data).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(error.data!.retryAfterMs).toBeGreaterThan(0);
    // Other callers have their own budget.
    const other = t.withIdentity({ subject: 'someone-else' });
    await other.mutation(api.users.ensure, {});
    await other.mutation(api.projects.create, { name: 'other' });
    vi.advanceTimersByTime(2 * windowMs + 1);
    for (let i = 0; i < limit; i++) await as.mutation(api.projects.create, { name: `after reset ${i}` });
    const again = await errorOf(as.mutation(api.projects.create, { name: 'one too many again' }));
    expect(again.data).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    // Refused calls wrote nothing: 1 (seed) + 99 + 1 (other caller) + 100 projects.
    const projects = await t.run((ctx) => ctx.db.query('projects').collect());
    expect(projects).toHaveLength(2 * limit + 1);
    const rows = await t.run((ctx) => ctx.db.query('rateLimits').collect());
    expect(rows.length).toBeGreaterThan(0);
  });

  it('the internal consume (for actions) returns refusals as plain JSON, so their count commits', async () => {
    const t = setup();
    const { limit } = tiers.strict;
    const target = { tier: 'strict', limiter: 'reports.projectSummary', key: 'k' } as const;
    for (let i = 0; i < limit; i++) expect(await t.mutation(internal.rateLimit.consume, target)).toEqual({ allowed: true });
    const refused = await t.mutation(internal.rateLimit.consume, target);
    // Plain JSON crosses ctx.runMutation intact on a real deployment (a thrown RateLimitError
    // class would arrive in the action as a bare Error); and a return commits, a throw would
    // roll back the refusal's count.
    expect(refused).toEqual({ allowed: false, retryAfterMs: expect.any(Number) as number });
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(refused))).toEqual(refused);
    const stats = await t.run((ctx) => ctx.db.query('rateLimitStats').collect());
    expect(stats.map((r) => [r.limiter, r.tier, r.allowed, r.limited])).toEqual([['reports.projectSummary', 'strict', limit, 1]]);
  });

  it('an action over its tier is refused with RATE_LIMITED, timed, and grouped as an error', async () => {
    const t = setup();
    const { projectId, as } = await seed(t);
    const { limit } = tiers.strict;
    for (let i = 0; i < limit; i++) await as.action(api.reports.projectSummary, { id: projectId });
    const error = await errorOf(as.action(api.reports.projectSummary, { id: projectId }));
    expect(error).toBeInstanceOf(ConvexError);
    expect(error.data).toMatchObject({ armor: true, code: 'RATE_LIMITED', status: 429, message: 'Too many requests, please slow down' });
    expect(error.data!.retryAfterMs).toBeGreaterThan(0);
    // Another caller has its own budget.
    await t.withIdentity({ subject: 'someone-else' }).action(api.reports.projectSummary, { id: projectId });
    const groups = await t.run((ctx) => ctx.db.query('errorGroups').collect());
    expect(groups.map((g) => [g.code, g.status, g.count])).toEqual([['RATE_LIMITED', 429, 1]]);
    const samples = await t.run((ctx) => ctx.db.query('metricSamples').collect());
    expect(samples.filter((s) => s.name === 'reports.projectSummary').map((s) => s.ok)).toEqual([
      ...Array<boolean>(limit).fill(true),
      false,
      true,
    ]);
    // Counted server-side, refusal included, in the table the snapshot reads.
    const snapshot = await t.query(api.monitoring.snapshot, { adminKey: 'armor_test_admin_key' });
    expect(snapshot.rateLimits.find((r) => r.name === 'reports.projectSummary')).toEqual({ name: 'reports.projectSummary', allowed: limit + 1, limited: 1 });
  });
});

describe('audit log', () => {
  it('every public mutation (telemetry aside) writes an audit row; queries do not; failed mutations roll back theirs', async () => {
    const t = setup();
    const { projectId, as } = await seed(t);
    await as.mutation(api.comments.add, { projectId, body: 'hello' });
    await t.query(api.projects.get, { id: projectId });
    await t.query(api.comments.listByProject, { projectId, paginationOpts: { numItems: 5, cursor: null } });
    await errorOf(as.mutation(api.comments.add, { projectId: 'nope123', body: 'x' }));
    const rows = await t.run((ctx) => ctx.db.query('auditEntries').collect());
    const audit = rows.map((r) => JSON.parse(r.event) as { action: string; actor: { id: string } });
    expect(audit.map((a) => a.action)).toEqual(['users.ensure', 'projects.create', 'comments.add']);
    expect(audit.every((a) => a.actor.id === ADA_KEY)).toBe(true);
    // One gapless chain per caller.
    expect(rows.map((r) => [r.stream, r.seq])).toEqual([[ADA_KEY, 1], [ADA_KEY, 2], [ADA_KEY, 3]]);
    expect(JSON.stringify(rows)).not.toContain('ada@example.com');
    expect(await t.run((ctx) => ctx.db.query('auditLog').collect())).toEqual([]); // the legacy table is no longer written
  });
});

describe('actions record latency and errors', () => {
  it('an action is timed, and its failure becomes an error group', async () => {
    const t = setup();
    const { projectId, as } = await seed(t);
    const summary = await as.action(api.reports.projectSummary, { id: projectId });
    expect(summary).toMatchObject({ name: 'Engine', comments: 0 });
    await errorOf(as.action(api.reports.projectSummary, { id: 'missing1' }));
    const samples = await t.run((ctx) => ctx.db.query('metricSamples').collect());
    expect(samples.filter((s) => s.kind === 'action')).toHaveLength(2);
    const groups = await t.run((ctx) => ctx.db.query('errorGroups').collect());
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ code: 'NOT_FOUND', count: 1 });
  });
});

describe('HTTP actions', () => {
  it('GET /health answers health+json', async () => {
    const t = setup();
    const response = await t.fetch('/health', { method: 'GET' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/health+json');
    const body = (await response.json()) as { status: string; checks: Record<string, unknown> };
    expect(body.status).toBe('pass');
    expect(Object.keys(body.checks)).toContain('database');
  });

  it('GET /monitoring/snapshot refuses a missing or wrong key and serves a valid snapshot', async () => {
    const t = setup();
    const { as } = await seed(t);
    await as.mutation(api.monitoring.recordClientSamples, { samples: [{ name: 'projects.create', kind: 'mutation', durationMs: 42, ok: true }] });
    const missing = await t.fetch('/monitoring/snapshot', { method: 'GET' });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    const wrong = await t.fetch('/monitoring/snapshot', { method: 'GET', headers: { authorization: 'Bearer wrong' } });
    expect(wrong.status).toBe(401);
    const ok = await t.fetch('/monitoring/snapshot', { method: 'GET', headers: { authorization: 'Bearer armor_test_admin_key' } });
    expect(ok.status).toBe(200);
    const { monitoringSnapshotSchema } = await import('@armor/metrics/schema');
    const snapshot = monitoringSnapshotSchema.parse(await ok.json());
    expect(snapshot.requests.totals.count).toBe(1);
    expect(snapshot.requests.totals.p50Ms).toBe(42);
  });

  it('the snapshot query for useQuery requires the admin key', async () => {
    const t = setup();
    const error = await errorOf(t.query(api.monitoring.snapshot, { adminKey: 'nope' }));
    expect(error.data).toMatchObject({ code: 'UNAUTHENTICATED' });
    const snapshot = await t.query(api.monitoring.snapshot, { adminKey: 'armor_test_admin_key' });
    expect(snapshot.version).toBe(1);
  });
});

describe('public telemetry mutations: bounded, rate-limited, not audited', () => {
  const sample = { name: 'projects.create', kind: 'mutation', durationMs: 12, ok: true } as const;
  const report = { fingerprint: '0123456789abcdef', code: 'NOT_FOUND', status: 404, name: 'NotFoundError', message: 'Project not found', source: 'ProjectPage', sessionId: SESSION };
  /** `path`: refused by zod with VALIDATION_FAILED at that field; `convex`: refused by the Convex `args` validator. */
  const expectRefused = (error: { data?: Record<string, unknown>; message?: string }, path: string) => {
    if (path === 'convex') {
      expect(error.message).toMatch(REFUSED_BY_CONVEX);
      return;
    }
    expect(error.data).toMatchObject({ armor: true, code: 'VALIDATION_FAILED', status: 400 });
    expect(pathsOf(error)).toContain(path);
  };

  it.each([
    ['no samples', { samples: [] }, '/samples'],
    [`${MAX_SAMPLES_PER_CALL + 1} samples`, { samples: Array.from({ length: MAX_SAMPLES_PER_CALL + 1 }, () => sample) }, '/samples'],
    ['a name over the limit', { samples: [{ ...sample, name: 'x'.repeat(MAX_NAME + 1) }] }, '/samples/0/name'],
    ['an empty name', { samples: [{ ...sample, name: '' }] }, '/samples/0/name'],
    ['a control character in the name', { samples: [{ ...sample, name: 'a\u0000b' }] }, '/samples/0/name'],
    ['an unknown kind', { samples: [{ ...sample, kind: 'cron' }] }, 'convex'],
    ['a negative duration', { samples: [{ ...sample, durationMs: -1 }] }, '/samples/0/durationMs'],
    ['a duration over the limit', { samples: [{ ...sample, durationMs: MAX_DURATION_MS + 1 }] }, '/samples/0/durationMs'],
    ['a non-boolean ok', { samples: [{ ...sample, ok: 'yes' }] }, 'convex'],
    ['no samples field', {}, 'convex'],
    ['a malformed session id', { samples: [sample], sessionId: 'x' }, '/sessionId'],
  ])('recordClientSamples refuses %s and writes nothing', async (_case, args, path) => {
    const t = setup();
    const error = await errorOf(t.mutation(api.monitoring.recordClientSamples, { sessionId: SESSION, ...args } as never));
    expectRefused(error, path);
    expect(await t.run((ctx) => ctx.db.query('clientSamples').collect())).toEqual([]);
  });

  it.each([
    ['a message over the limit', { ...report, message: 'm'.repeat(MAX_ERROR_MESSAGE + 1) }, '/message'],
    ['a name over the limit', { ...report, name: 'N'.repeat(MAX_NAME + 1) }, '/name'],
    ['a source over the limit', { ...report, source: 's'.repeat(MAX_NAME + 1) }, '/source'],
    ['a fingerprint that is not 16 hex characters', { ...report, fingerprint: 'f'.repeat(200) }, '/fingerprint'],
    ['a code that is not SCREAMING_SNAKE', { ...report, code: 'not a code' }, '/code'],
    ['a status outside 400–599', { ...report, status: 200 }, '/status'],
    ['a fractional status', { ...report, status: 404.5 }, '/status'],
    ['a missing message', { ...report, message: undefined }, 'convex'],
    ['a client stack (not accepted)', { ...report, stack: 'at secret (/srv/app.js:1:1)' }, 'convex'],
  ])('reportClientError refuses %s and writes nothing', async (_case, args, path) => {
    const t = setup();
    const error = await errorOf(t.mutation(api.monitoring.reportClientError, args as never));
    expectRefused(error, path);
    expect(await t.run((ctx) => ctx.db.query('clientErrorGroups').collect())).toEqual([]);
  });

  it('accepts a full batch and a multi-line message at the limits', async () => {
    const t = setup();
    const batch = Array.from({ length: MAX_SAMPLES_PER_CALL }, (_, i) => ({ ...sample, name: 'n'.repeat(MAX_NAME), durationMs: i === 0 ? MAX_DURATION_MS : 0 }));
    await t.mutation(api.monitoring.recordClientSamples, { samples: batch, sessionId: SESSION });
    expect(await t.run((ctx) => ctx.db.query('clientSamples').collect())).toHaveLength(MAX_SAMPLES_PER_CALL);
    const message = `line 1\n${'m'.repeat(MAX_ERROR_MESSAGE - 7)}`;
    await t.mutation(api.monitoring.reportClientError, { ...report, message });
    const [group] = await t.run((ctx) => ctx.db.query('clientErrorGroups').collect());
    expect(group!.sample).toEqual({ message, source: 'ProjectPage' });
  });

  it('a flood of samples is rate-limited per caller (standard tier); error reports have their own budget', async () => {
    const t = setup();
    const { limit } = tiers.standard;
    for (let i = 0; i < limit; i++) await t.mutation(api.monitoring.recordClientSamples, { samples: [sample], sessionId: SESSION });
    const error = await errorOf(t.mutation(api.monitoring.recordClientSamples, { samples: [sample], sessionId: SESSION }));
    expect(error.data).toMatchObject({ armor: true, code: 'RATE_LIMITED', status: 429 });
    expect(error.data!.retryAfterMs).toBeGreaterThan(0);
    expect(await t.run((ctx) => ctx.db.query('clientSamples').collect())).toHaveLength(limit);
    // Another session from the same address shares the budget (session ids are free to mint) ...
    expect((await errorOf(t.mutation(api.monitoring.recordClientSamples, { samples: [sample], sessionId: 'session-another-one-0000' }))).data).toMatchObject({ code: 'RATE_LIMITED' });
    // ... other callers (a signed-in user, another address), and the other telemetry mutation, are not affected.
    await t.withIdentity({ subject: 'someone-else' }).mutation(api.monitoring.recordClientSamples, { samples: [sample] });
    await t.withRequestMetadata({ ip: '198.51.100.77' }).mutation(api.monitoring.recordClientSamples, { samples: [sample], sessionId: 'session-another-one-0000' });
    await t.mutation(api.monitoring.reportClientError, report);
    expect(await t.run((ctx) => ctx.db.query('clientSamples').collect())).toHaveLength(limit + 2);
  });

  it('a flood of error reports is rate-limited per caller (standard tier)', async () => {
    const t = setup();
    const { limit } = tiers.standard;
    for (let i = 0; i < limit; i++) await t.mutation(api.monitoring.reportClientError, report);
    const error = await errorOf(t.mutation(api.monitoring.reportClientError, report));
    expect(error.data).toMatchObject({ armor: true, code: 'RATE_LIMITED', status: 429 });
    const groups = await t.run((ctx) => ctx.db.query('clientErrorGroups').collect());
    expect(groups.map((g) => [g.fingerprint, g.count])).toEqual([[report.fingerprint, limit]]);
  });

  it('telemetry writes no audit rows (exempt: it changes no application data)', async () => {
    const t = setup();
    await t.mutation(api.monitoring.recordClientSamples, { samples: [sample], sessionId: SESSION });
    await t.mutation(api.monitoring.reportClientError, report);
    expect(await t.run((ctx) => ctx.db.query('auditEntries').collect())).toEqual([]);
    expect(await t.run((ctx) => ctx.db.query('clientSamples').collect())).toHaveLength(1);
  });
});

describe('retention cron', () => {
  it('trims samples older than a day and keeps recent ones', async () => {
    const t = setup();
    await t.mutation(api.monitoring.recordClientSamples, { samples: [{ name: 'old', kind: 'query', durationMs: 1, ok: true }], sessionId: SESSION });
    vi.advanceTimersByTime(25 * 60 * 60 * 1000);
    await t.mutation(api.monitoring.recordClientSamples, { samples: [{ name: 'new', kind: 'query', durationMs: 1, ok: true }], sessionId: SESSION });
    const trimmed = await t.mutation(internal.maintenance.trim, {});
    expect(trimmed.samples).toBe(1);
    const left = await t.run((ctx) => ctx.db.query('clientSamples').collect());
    expect(left.map((s) => s.name)).toEqual(['new']);
  });
});

describe('health: real checks, latency measured where the clock moves', () => {
  type HealthBody = { status: string; checks: Record<string, { status: string; componentType: string; observedValue?: unknown; observedUnit?: string; output?: string; critical: boolean }[]> };

  it('GET /health runs the database and retention checks; the database check reports the timed round trip', async () => {
    const t = setup();
    const response = await t.fetch('/health', { method: 'GET' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as HealthBody;
    expect(body.status).toBe('pass');
    expect(body.checks.database![0]).toMatchObject({ status: 'pass', componentType: 'datastore', critical: true, observedUnit: 'ms' });
    expect(typeof body.checks.database![0]!.observedValue).toBe('number');
    expect(body.checks.retention![0]).toMatchObject({ status: 'pass', componentType: 'component', critical: false });
  });

  it('a trim cron that falls behind turns /health and the snapshot to warn, with the reason; trimming clears it', async () => {
    const t = setup();
    const old = Date.now() - SAMPLE_RETENTION_MS - RETENTION_SLACK_MS - 1;
    await t.run((ctx) => ctx.db.insert('metricSamples', { name: 'old', kind: 'query', durationMs: 1, ok: true, at: old }));
    const response = await t.fetch('/health', { method: 'GET' });
    expect(response.status).toBe(200); // non-critical: degraded, still serving
    const body = (await response.json()) as HealthBody;
    expect(body.status).toBe('warn');
    expect(body.checks.database![0]!.status).toBe('pass');
    expect(body.checks.retention![0]!.status).toBe('warn');
    expect(body.checks.retention![0]!.output).toBeUndefined(); // public: statuses only
    const detailed = (await (await t.fetch('/health', { method: 'GET', headers: { authorization: 'Bearer armor_test_admin_key' } })).json()) as HealthBody;
    expect(detailed.checks.retention![0]).toMatchObject({ status: 'warn', output: expect.stringContaining('metricSamples') as string });
    const snapshot = await t.query(api.monitoring.snapshot, { adminKey: 'armor_test_admin_key' });
    expect(snapshot.health.status).toBe('warn');
    expect(snapshot.health.checks.find((c) => c.name === 'retention')).toMatchObject({ status: 'warn', critical: false });
    await t.mutation(internal.maintenance.trim, {});
    expect(((await (await t.fetch('/health', { method: 'GET' })).json()) as HealthBody).status).toBe('pass');
  });

  it('the snapshot runs the same checks; its database latency comes from the cron probe, and a stale or failed probe warns', async () => {
    const t = setup();
    const databaseOf = async () => {
      const snapshot = await t.query(api.monitoring.snapshot, { adminKey: 'armor_test_admin_key' });
      expect(snapshot.health.checks.map((c) => c.name)).toEqual(['database', 'retention']);
      return { overall: snapshot.health.status, check: snapshot.health.checks.find((c) => c.name === 'database')! };
    };
    const before = await databaseOf();
    expect(before.check).toMatchObject({ status: 'pass', critical: true, output: 'latency not measured yet (no probe has run)' });
    expect(before.check.observedValue).toBeUndefined();

    expect(await t.action(internal.healthcheck.probe, {})).toEqual({ status: 'pass', latencyMs: expect.any(Number) as number });
    const [probe] = await t.run((ctx) => ctx.db.query('healthProbes').collect());
    expect(probe).toMatchObject({ name: 'database', status: 'pass' });
    const fresh = await databaseOf();
    expect(fresh.overall).toBe('pass');
    expect(fresh.check).toMatchObject({ status: 'pass', observedValue: probe!.latencyMs, observedUnit: 'ms' });

    vi.advanceTimersByTime(PROBE_STALE_MS + 1);
    const stale = await databaseOf();
    expect(stale.overall).toBe('warn');
    expect(stale.check).toMatchObject({ status: 'warn', output: expect.stringContaining('stale') as string });

    await t.action(internal.healthcheck.probe, {});
    expect((await databaseOf()).check.status).toBe('pass');
    expect(await t.run((ctx) => ctx.db.query('healthProbes').collect())).toHaveLength(1); // one row per check, replaced

    await t.mutation(internal.healthcheck.recordProbe, { name: 'database', status: 'fail', latencyMs: 5000, output: 'timed out' });
    const failed = await databaseOf();
    expect(failed.check).toMatchObject({ status: 'warn', observedValue: 5000, output: expect.stringContaining('probe fail: timed out') as string });
  });

  it('timedChecks times the check query on the action clock, and turns a failed query into a failing database check', async () => {
    const checks = [{ name: 'database', status: 'pass', componentType: 'datastore', critical: true }] as const;
    const timed = await timedChecks({
      runQuery: (async () => {
        vi.advanceTimersByTime(37);
        return checks;
      }) as never,
    });
    expect(timed).toEqual({ checks, latencyMs: 37 });
    const failed = await timedChecks({
      runQuery: (async () => {
        vi.advanceTimersByTime(12);
        throw new Error('database unavailable');
      }) as never,
    });
    expect(failed).toEqual({ checks: [{ name: 'database', status: 'fail', componentType: 'datastore', critical: true, output: 'database unavailable' }], latencyMs: 12 });
  });

  it('runChecks reports a read that throws as fail with the error (critical for database), and overallStatus ranks them', async () => {
    const broken = { db: { query: () => ({ withIndex: () => { throw new Error('Index users.by_email not found'); } }) } };
    const results = await runChecks(broken as never, Date.now());
    expect(results).toEqual([
      { name: 'database', status: 'fail', componentType: 'datastore', critical: true, output: 'Index users.by_email not found' },
      { name: 'retention', status: 'fail', componentType: 'component', critical: false, output: 'Index users.by_email not found' },
    ]);
    expect(overallStatus(results)).toBe('fail');
    expect(overallStatus([{ status: 'fail', critical: false }, { status: 'pass', critical: true }])).toBe('warn');
    expect(overallStatus([{ status: 'pass', critical: true }])).toBe('pass');
    const health = snapshotHealth(results, null, Date.now());
    expect(health.status).toBe('fail');
    expect(health.checks[0]).toMatchObject({ name: 'database', status: 'fail', output: 'Index users.by_email not found' });
  });
});

describe('rate-limit numbers come from the limiter decisions (rateLimitStats)', () => {
  const statsOf = (t: ReturnType<typeof setup>, limiter: string) =>
    t.run(async (ctx) => {
      const rows = (await ctx.db.query('rateLimitStats').collect()).filter((r) => r.limiter === limiter);
      return { rows: rows.length, allowed: rows.reduce((n, r) => n + r.allowed, 0), limited: rows.reduce((n, r) => n + r.limited, 0) };
    });

  it("a mutation's allowed calls are counted in its transaction; its refusal rolls back and is counted from the client's report", async () => {
    const t = setup();
    const { as } = await seed(t); // one users.ensure, one projects.create
    const { limit } = tiers.strict;
    for (let i = 1; i < limit; i++) await as.mutation(api.users.ensure, {});
    const refused = await errorOf(as.mutation(api.users.ensure, {}));
    expect(refused.data).toMatchObject({ code: 'RATE_LIMITED' });
    expect(await statsOf(t, 'users.ensure')).toMatchObject({ allowed: limit, limited: 0 });
    await as.mutation(api.rateLimit.reportRejected, { limiter: 'users.ensure' });
    expect(await statsOf(t, 'users.ensure')).toMatchObject({ allowed: limit, limited: 1 });
    const snapshot = await t.query(api.monitoring.snapshot, { adminKey: 'armor_test_admin_key' });
    expect(snapshot.rateLimits).toEqual([
      { name: 'projects.create', allowed: 1, limited: 0 },
      { name: 'rateLimit.reportRejected', allowed: 1, limited: 0 },
      { name: 'users.ensure', allowed: limit, limited: 1 },
    ]);
  });

  it('a call whose handler fails after the limiter admitted it is rolled back with its count', async () => {
    const t = setup();
    const { as } = await seed(t);
    await errorOf(as.mutation(api.comments.add, { projectId: 'missing1', body: 'x' }));
    expect(await statsOf(t, 'comments.add')).toEqual({ rows: 0, allowed: 0, limited: 0 });
  });

  it('reportRejected accepts only registered limiters, is rate-limited itself, and ignores invented refusals', async () => {
    const t = setup();
    // The registered names are literals in the Convex `args` validator: anything else is refused before the handler.
    for (const limiter of ['nope', 'rateLimit.reportRejected', 'reports.projectSummary']) {
      const error = await errorOf(t.mutation(api.rateLimit.reportRejected, { limiter, sessionId: SESSION } as never));
      expect(error.message).toMatch(REFUSED_BY_CONVEX);
    }
    const { limit } = tiers.standard;
    for (let i = 0; i < limit; i++) await t.mutation(api.rateLimit.reportRejected, { limiter: 'comments.add', sessionId: SESSION });
    expect((await errorOf(t.mutation(api.rateLimit.reportRejected, { limiter: 'comments.add', sessionId: SESSION }))).data).toMatchObject({ code: 'RATE_LIMITED' });
    // The caller was never refused by comments.add: none of those reports is counted.
    expect(await statsOf(t, 'comments.add')).toMatchObject({ limited: 0 });
  });

  it('each call updates one row (per limiter, minute and shard); the snapshot sums only the minutes of its window', async () => {
    const t = setup();
    const { as } = await seed(t);
    for (let i = 0; i < 40; i++) {
      const user = t.withIdentity({ subject: `user-${i}` });
      await user.mutation(api.users.ensure, {});
      await user.mutation(api.projects.create, { name: `p${i}` });
    }
    const stats = await statsOf(t, 'projects.create');
    expect(stats.allowed).toBe(41);
    expect(stats.rows).toBeGreaterThan(1); // callers spread over shards...
    expect(stats.rows).toBeLessThanOrEqual(STATS_SHARDS); // ...and no more rows than shards this minute
    let snapshot = await t.query(api.monitoring.snapshot, { adminKey: 'armor_test_admin_key' });
    expect(snapshot.rateLimits.find((r) => r.name === 'projects.create')).toEqual({ name: 'projects.create', allowed: 41, limited: 0 });
    vi.advanceTimersByTime(WINDOW_MS + 2 * STATS_BUCKET_MS);
    await as.mutation(api.projects.create, { name: 'later' });
    snapshot = await t.query(api.monitoring.snapshot, { adminKey: 'armor_test_admin_key' });
    expect(snapshot.rateLimits.find((r) => r.name === 'projects.create')).toEqual({ name: 'projects.create', allowed: 1, limited: 0 });
    expect(snapshot.rateLimits.find((r) => r.name === 'users.ensure')).toBeUndefined();
  });

  it('armorMutation refuses, at definition time, a rate-limited mutation missing from RATE_LIMITED_MUTATIONS or with another tier', () => {
    const definition = { args: z.object({}), handler: async () => null };
    expect(() => armorMutation({ ...definition, name: 'unregistered.fn', rateLimit: { tier: 'standard' } })).toThrow(/RATE_LIMITED_MUTATIONS/);
    expect(() => armorMutation({ ...definition, name: 'comments.add', rateLimit: { tier: 'relaxed' } })).toThrow(/tier "relaxed"/);
    expect(() => armorMutation({ ...definition, name: 'comments.add', rateLimit: { tier: 'standard' } })).not.toThrow();
    expect(() => armorMutation({ ...definition, name: 'unlimited.fn' })).not.toThrow();
  });
});

describe('comments pagination', () => {
  const page = (t: ReturnType<typeof setup>, projectId: string, cursor: string | null, numItems = 7) =>
    t.query(api.comments.listByProject, { projectId, paginationOpts: { numItems, cursor } });

  async function insertComments(t: ReturnType<typeof setup>, projectId: string, authorId: string, n: number, createdAt: number) {
    return t.run(async (ctx) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        ids.push(await ctx.db.insert('comments', { projectId: projectId as Id<'projects'>, authorId: authorId as Id<'users'>, html: `c${i}`, createdAt }));
      }
      return ids;
    });
  }

  it('pages through many comments sharing one createdAt, each exactly once, newest first', async () => {
    const t = setup();
    const { userId, projectId } = await seed(t);
    const createdAt = Date.now();
    const inserted = await insertComments(t, projectId, userId, 53, createdAt);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    for (;;) {
      const result = await page(t, projectId, cursor);
      expect(result.page.every((c) => c.createdAt === createdAt)).toBe(true); // all in one millisecond
      seen.push(...result.page.map((c) => c.id));
      pages++;
      if (result.isDone) break;
      cursor = result.continueCursor;
    }
    expect(pages).toBeGreaterThanOrEqual(8);
    expect(seen).toHaveLength(53);
    expect(new Set(seen).size).toBe(53);
    expect(seen).toEqual([...inserted].reverse()); // newest first: insertion order breaks the tie
  });

  it('comments added between pages do not shift the pages already under way', async () => {
    const t = setup();
    const { userId, projectId } = await seed(t);
    const createdAt = Date.now();
    const first = await insertComments(t, projectId, userId, 20, createdAt);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (;;) {
      const result = await page(t, projectId, cursor, 6);
      seen.push(...result.page.map((c) => c.id));
      await insertComments(t, projectId, userId, 3, createdAt); // newer, same millisecond: before the cursor
      if (result.isDone) break;
      cursor = result.continueCursor;
    }
    expect(seen).toEqual([...first].reverse());
  });

  it.each([
    ['zero items', { numItems: 0, cursor: null }, '/paginationOpts/numItems'],
    ['over 100 items', { numItems: 101, cursor: null }, '/paginationOpts/numItems'],
    ['a fractional size', { numItems: 2.5, cursor: null }, '/paginationOpts/numItems'],
    ['a numeric cursor', { numItems: 5, cursor: 5 }, 'convex'],
  ])('refuses %s', async (_case, paginationOpts, path) => {
    const t = setup();
    const { projectId } = await seed(t);
    const error = await errorOf(t.query(api.comments.listByProject, { projectId, paginationOpts } as never));
    if (path === 'convex') return void expect(error.message).toMatch(REFUSED_BY_CONVEX);
    expect(error.data).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(pathsOf(error)).toContain(path);
  });

  it('the report action follows the cursor over every page', async () => {
    const t = setup();
    const { userId, projectId, as } = await seed(t);
    await insertComments(t, projectId, userId, 230, Date.now());
    expect(await as.action(api.reports.projectSummary, { id: projectId })).toMatchObject({ comments: 230 });
  });
});

describe('retention cron: trimming', () => {
  const DAY = 24 * 60 * 60 * 1000;
  const report = { fingerprint: '0123456789abcdef', code: 'NOT_FOUND', status: 404, name: 'NotFoundError', message: 'Project not found', sessionId: SESSION };

  it('trims legacy audit rows (auditLog, written before @armor/audit) older than 90 days and keeps newer ones; never the audit chain', async () => {
    const t = setup();
    const { projectId, as } = await seed(t); // two chained audit entries now
    await t.run(async (ctx) => {
      await ctx.db.insert('auditLog', { action: 'projects.create', actor: ADA_KEY, at: Date.now() });
      await ctx.db.insert('auditLog', { action: 'users.ensure', actor: ADA_KEY, at: Date.now() });
    });
    vi.advanceTimersByTime(60 * DAY);
    await t.run((ctx) => ctx.db.insert('auditLog', { action: 'comments.add', actor: ADA_KEY, at: Date.now() }));
    await as.mutation(api.comments.add, { projectId, body: 'later' });
    vi.advanceTimersByTime(AUDIT_RETENTION_MS - 60 * DAY + 1);
    const trimmed = await t.mutation(internal.maintenance.trim, {});
    expect(trimmed).toMatchObject({ audits: 2, more: false });
    const left = await t.run((ctx) => ctx.db.query('auditLog').collect());
    expect(left.map((a) => a.action)).toEqual(['comments.add']);
    // The chain is an audit trail: the time-based trim never cuts it (it would break verification).
    expect(await t.run((ctx) => ctx.db.query('auditEntries').collect())).toHaveLength(3);
  });

  it('trims error groups not seen for 30 days; a group that recurred is kept, and a trimmed one starts over', async () => {
    const t = setup();
    await t.mutation(api.monitoring.reportClientError, report);
    await t.mutation(api.monitoring.reportClientError, { ...report, fingerprint: 'fedcba9876543210' });
    vi.advanceTimersByTime(20 * DAY);
    await t.mutation(api.monitoring.reportClientError, report); // recurs: lastSeen moves
    vi.advanceTimersByTime(ERROR_GROUP_RETENTION_MS - 20 * DAY + 1);
    expect(await t.mutation(internal.maintenance.trim, {})).toMatchObject({ errorGroups: 1 });
    const left = await t.run((ctx) => ctx.db.query('clientErrorGroups').collect());
    expect(left.map((g) => [g.fingerprint, g.count])).toEqual([[report.fingerprint, 2]]);
    await t.mutation(api.monitoring.reportClientError, { ...report, fingerprint: 'fedcba9876543210' });
    const restarted = await t.run((ctx) => ctx.db.query('clientErrorGroups').withIndex('by_fingerprint', (q) => q.eq('fingerprint', 'fedcba9876543210')).unique());
    expect(restarted).toMatchObject({ count: 1, firstSeen: Date.now() });
  });

  it('trims rate-limit stats after a day', async () => {
    const t = setup();
    const { as } = await seed(t);
    vi.advanceTimersByTime(RATE_LIMIT_STATS_RETENTION_MS + STATS_BUCKET_MS);
    await as.mutation(api.monitoring.recordClientSamples, { samples: [{ name: 'x', kind: 'query', durationMs: 1, ok: true }] });
    expect(await t.mutation(internal.maintenance.trim, {})).toMatchObject({ rateLimitStats: 2 });
    const left = await t.run((ctx) => ctx.db.query('rateLimitStats').collect());
    expect(left.map((r) => r.limiter)).toEqual(['monitoring.recordClientSamples']);
  });

  it('deletes in bounded batches and reschedules itself until the backlog is gone', async () => {
    const t = setup();
    const old = Date.now() - AUDIT_RETENTION_MS - 1;
    await t.run(async (ctx) => {
      for (let i = 0; i < 5; i++) await ctx.db.insert('auditLog', { action: `old${i}`, actor: 'a', at: old });
      await ctx.db.insert('auditLog', { action: 'recent', actor: 'a', at: Date.now() });
    });
    expect(await t.mutation(internal.maintenance.trim, { batch: 2 })).toMatchObject({ audits: 2, more: true });
    expect(await t.run((ctx) => ctx.db.query('auditLog').collect())).toHaveLength(4);
    expect(await t.run((ctx) => ctx.db.system.query('_scheduled_functions').collect())).toHaveLength(1);
    await t.finishAllScheduledFunctions(() => vi.runAllTimers());
    const left = await t.run((ctx) => ctx.db.query('auditLog').collect());
    expect(left.map((a) => a.action)).toEqual(['recent']);
  });

  it('the crons are registered: trim, rate-limit cleanup, health probe', () => {
    expect(Object.keys(crons.crons).sort()).toEqual(['clean rate limits', 'probe health', 'trim monitoring data']);
  });
});

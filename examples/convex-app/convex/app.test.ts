import { tiers } from '@armor/rate-limit';
import { convexTest } from 'convex-test';
import { ConvexError } from 'convex/values';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, internal } from './_generated/api';
import { MAX_DURATION_MS, MAX_ERROR_MESSAGE, MAX_NAME, MAX_SAMPLES_PER_CALL } from './lib/telemetry';
import schema from './schema';

const modules = import.meta.glob('./**/*.ts');

function setup() {
  return convexTest(schema, modules);
}

async function seed(t: ReturnType<typeof setup>) {
  const userId = await t.mutation(api.users.ensure, { name: 'Ada', email: 'ada@example.com' });
  const projectId = await t.mutation(api.projects.create, { name: 'Engine', ownerId: userId });
  return { userId, projectId };
}

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
  it('bad email → VALIDATION_FAILED with the field path', async () => {
    const t = setup();
    const error = await errorOf(t.mutation(api.users.ensure, { name: 'Ada', email: 'not-an-email' }));
    expect(error.data).toMatchObject({ armor: true, code: 'VALIDATION_FAILED', status: 400 });
    expect((error.data!.issues as { path: string }[]).map((i) => i.path)).toContain('/email');
  });

  it('wrong types and missing args → VALIDATION_FAILED, not a crash', async () => {
    const t = setup();
    const error = await errorOf(t.mutation(api.projects.create, { name: 42, ownerId: null } as never));
    expect(error.data).toMatchObject({ code: 'VALIDATION_FAILED' });
    const missing = await errorOf(t.query(api.projects.get, {} as never));
    expect(missing.data).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('unknown ids → NOT_FOUND', async () => {
    const t = setup();
    const error = await errorOf(t.query(api.projects.get, { id: 'abc123' }));
    expect(error.data).toMatchObject({ code: 'NOT_FOUND', status: 404, message: 'Project not found' });
  });

  it('comment HTML is sanitized', async () => {
    const t = setup();
    const { userId, projectId } = await seed(t);
    await t.mutation(api.comments.add, { projectId, authorId: userId, body: '<b>hi</b><script>alert(1)</script><img src=x onerror=alert(1)>' });
    const page = await t.query(api.comments.listByProject, { projectId, limit: 10 });
    expect(page.items[0]!.html).toContain('<b>hi</b>');
    expect(page.items[0]!.html).not.toMatch(/script|onerror/i);
    expect(page.items[0]!.author).toBe('Ada');
  });
});

describe('table-backed rate limiter', () => {
  it('admits exactly `limit` calls per window, then RATE_LIMITED, then a full `limit` again after the reset', async () => {
    const t = setup();
    const { userId } = await seed(t);
    const { limit, windowMs } = tiers.standard;
    // seed() already made one `projects.create` call for this caller (anonymous).
    for (let i = 1; i < limit; i++) await t.mutation(api.projects.create, { name: `p${i}`, ownerId: userId });
    const error = await errorOf(t.mutation(api.projects.create, { name: 'one too many', ownerId: userId }));
    expect(error.data).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(error.data!.retryAfterMs).toBeGreaterThan(0);
    // Other callers have their own budget.
    await t.withIdentity({ subject: 'someone-else' }).mutation(api.projects.create, { name: 'other', ownerId: userId });
    vi.advanceTimersByTime(2 * windowMs + 1);
    for (let i = 0; i < limit; i++) await t.mutation(api.projects.create, { name: `after reset ${i}`, ownerId: userId });
    const again = await errorOf(t.mutation(api.projects.create, { name: 'one too many again', ownerId: userId }));
    expect(again.data).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    // Refused calls wrote nothing: 1 (seed) + 99 + 1 (other caller) + 100 projects.
    const projects = await t.run((ctx) => ctx.db.query('projects').collect());
    expect(projects).toHaveLength(2 * limit + 1);
    const rows = await t.run((ctx) => ctx.db.query('rateLimits').collect());
    expect(rows.length).toBeGreaterThan(0);
  });

  it('the internal consume (for actions) refuses with a ConvexError, whose data survives runMutation', async () => {
    const t = setup();
    const { limit } = tiers.strict;
    for (let i = 0; i < limit; i++) await t.mutation(internal.rateLimit.consume, { tier: 'strict', key: 'k' });
    const error = await errorOf(t.mutation(internal.rateLimit.consume, { tier: 'strict', key: 'k' }));
    // Only a ConvexError's data crosses ctx.runMutation on a real deployment; a RateLimitError
    // class would arrive in the action as a bare Error and become a 500.
    expect(error).toBeInstanceOf(ConvexError);
    expect(error.data).toEqual({
      armor: true,
      code: 'RATE_LIMITED',
      status: 429,
      message: 'Too many requests, please slow down',
      details: { tier: 'strict' },
      retryAfterMs: expect.any(Number) as number,
    });
    expect(JSON.parse(JSON.stringify(error.data))).toEqual(error.data);
  });

  it('an action over its tier is refused with RATE_LIMITED, timed, and grouped as an error', async () => {
    const t = setup();
    const { projectId } = await seed(t);
    const { limit } = tiers.strict;
    for (let i = 0; i < limit; i++) await t.action(api.reports.projectSummary, { id: projectId });
    const error = await errorOf(t.action(api.reports.projectSummary, { id: projectId }));
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
  });
});

describe('audit log', () => {
  it('every public mutation (telemetry aside) writes an audit row; queries do not; failed mutations roll back theirs', async () => {
    const t = setup();
    const { userId, projectId } = await seed(t);
    await t.mutation(api.comments.add, { projectId, authorId: userId, body: 'hello' });
    await t.query(api.projects.get, { id: projectId });
    await t.query(api.comments.listByProject, { projectId, limit: 5 });
    await errorOf(t.mutation(api.comments.add, { projectId: 'nope123', authorId: userId, body: 'x' }));
    const audit = await t.run((ctx) => ctx.db.query('auditLog').collect());
    expect(audit.map((a) => a.action)).toEqual(['users.ensure', 'projects.create', 'comments.add']);
    expect(audit.every((a) => a.actor === 'anonymous')).toBe(true);
    expect(JSON.stringify(audit)).not.toContain('ada@example.com');
  });
});

describe('actions record latency and errors', () => {
  it('an action is timed, and its failure becomes an error group', async () => {
    const t = setup();
    const { projectId } = await seed(t);
    const summary = await t.action(api.reports.projectSummary, { id: projectId });
    expect(summary).toMatchObject({ name: 'Engine', comments: 0 });
    await errorOf(t.action(api.reports.projectSummary, { id: 'missing1' }));
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
    await seed(t);
    await t.mutation(api.monitoring.recordClientSamples, { samples: [{ name: 'projects.create', kind: 'mutation', durationMs: 42, ok: true }] });
    const missing = await t.fetch('/monitoring/snapshot', { method: 'GET' });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    const wrong = await t.fetch('/monitoring/snapshot', { method: 'GET', headers: { authorization: 'Bearer wrong' } });
    expect(wrong.status).toBe(401);
    const ok = await t.fetch('/monitoring/snapshot', { method: 'GET', headers: { authorization: 'Bearer armor_test_admin_key' } });
    expect(ok.status).toBe(200);
    const { monitoringSnapshotSchema } = await import('@armor/metrics');
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
  const report = { fingerprint: '0123456789abcdef', code: 'NOT_FOUND', status: 404, name: 'NotFoundError', message: 'Project not found', source: 'ProjectPage' };

  it.each([
    ['no samples', { samples: [] }, '/samples'],
    [`${MAX_SAMPLES_PER_CALL + 1} samples`, { samples: Array.from({ length: MAX_SAMPLES_PER_CALL + 1 }, () => sample) }, '/samples'],
    ['a name over the limit', { samples: [{ ...sample, name: 'x'.repeat(MAX_NAME + 1) }] }, '/samples/0/name'],
    ['an empty name', { samples: [{ ...sample, name: '' }] }, '/samples/0/name'],
    ['a control character in the name', { samples: [{ ...sample, name: 'a\u0000b' }] }, '/samples/0/name'],
    ['an unknown kind', { samples: [{ ...sample, kind: 'cron' }] }, '/samples/0/kind'],
    ['a negative duration', { samples: [{ ...sample, durationMs: -1 }] }, '/samples/0/durationMs'],
    ['a duration over the limit', { samples: [{ ...sample, durationMs: MAX_DURATION_MS + 1 }] }, '/samples/0/durationMs'],
    ['a non-boolean ok', { samples: [{ ...sample, ok: 'yes' }] }, '/samples/0/ok'],
    ['no samples field', {}, '/samples'],
  ])('recordClientSamples refuses %s with VALIDATION_FAILED and writes nothing', async (_case, args, path) => {
    const t = setup();
    const error = await errorOf(t.mutation(api.monitoring.recordClientSamples, args as never));
    expect(error.data).toMatchObject({ armor: true, code: 'VALIDATION_FAILED', status: 400 });
    expect(pathsOf(error)).toContain(path);
    expect(await t.run((ctx) => ctx.db.query('metricSamples').collect())).toEqual([]);
  });

  it.each([
    ['a message over the limit', { ...report, message: 'm'.repeat(MAX_ERROR_MESSAGE + 1) }, '/message'],
    ['a name over the limit', { ...report, name: 'N'.repeat(MAX_NAME + 1) }, '/name'],
    ['a source over the limit', { ...report, source: 's'.repeat(MAX_NAME + 1) }, '/source'],
    ['a fingerprint that is not 16 hex characters', { ...report, fingerprint: 'f'.repeat(200) }, '/fingerprint'],
    ['a code that is not SCREAMING_SNAKE', { ...report, code: 'not a code' }, '/code'],
    ['a status outside 400–599', { ...report, status: 200 }, '/status'],
    ['a fractional status', { ...report, status: 404.5 }, '/status'],
    ['a missing message', { ...report, message: undefined }, '/message'],
  ])('reportClientError refuses %s with VALIDATION_FAILED and writes nothing', async (_case, args, path) => {
    const t = setup();
    const error = await errorOf(t.mutation(api.monitoring.reportClientError, args as never));
    expect(error.data).toMatchObject({ armor: true, code: 'VALIDATION_FAILED', status: 400 });
    expect(pathsOf(error)).toContain(path);
    expect(await t.run((ctx) => ctx.db.query('errorGroups').collect())).toEqual([]);
  });

  it('accepts a full batch and a multi-line message at the limits; a client stack is dropped', async () => {
    const t = setup();
    const batch = Array.from({ length: MAX_SAMPLES_PER_CALL }, (_, i) => ({ ...sample, name: 'n'.repeat(MAX_NAME), durationMs: i === 0 ? MAX_DURATION_MS : 0 }));
    await t.mutation(api.monitoring.recordClientSamples, { samples: batch });
    expect(await t.run((ctx) => ctx.db.query('metricSamples').collect())).toHaveLength(MAX_SAMPLES_PER_CALL);
    const message = `line 1\n${'m'.repeat(MAX_ERROR_MESSAGE - 7)}`;
    await t.mutation(api.monitoring.reportClientError, { ...report, message, stack: 'at secret (/srv/app.js:1:1)' } as never);
    const [group] = await t.run((ctx) => ctx.db.query('errorGroups').collect());
    expect(group!.sample).toEqual({ message, source: 'ProjectPage' });
  });

  it('a flood of samples is rate-limited per caller (standard tier); error reports have their own budget', async () => {
    const t = setup();
    const { limit } = tiers.standard;
    for (let i = 0; i < limit; i++) await t.mutation(api.monitoring.recordClientSamples, { samples: [sample] });
    const error = await errorOf(t.mutation(api.monitoring.recordClientSamples, { samples: [sample] }));
    expect(error.data).toMatchObject({ armor: true, code: 'RATE_LIMITED', status: 429 });
    expect(error.data!.retryAfterMs).toBeGreaterThan(0);
    expect(await t.run((ctx) => ctx.db.query('metricSamples').collect())).toHaveLength(limit);
    // Another caller, and the other telemetry mutation, are not affected.
    await t.withIdentity({ subject: 'someone-else' }).mutation(api.monitoring.recordClientSamples, { samples: [sample] });
    await t.mutation(api.monitoring.reportClientError, report);
    expect(await t.run((ctx) => ctx.db.query('metricSamples').collect())).toHaveLength(limit + 1);
  });

  it('a flood of error reports is rate-limited per caller (standard tier)', async () => {
    const t = setup();
    const { limit } = tiers.standard;
    for (let i = 0; i < limit; i++) await t.mutation(api.monitoring.reportClientError, report);
    const error = await errorOf(t.mutation(api.monitoring.reportClientError, report));
    expect(error.data).toMatchObject({ armor: true, code: 'RATE_LIMITED', status: 429 });
    const groups = await t.run((ctx) => ctx.db.query('errorGroups').collect());
    expect(groups.map((g) => [g.fingerprint, g.count])).toEqual([[report.fingerprint, limit]]);
  });

  it('telemetry writes no audit rows (exempt: it changes no application data)', async () => {
    const t = setup();
    await t.mutation(api.monitoring.recordClientSamples, { samples: [sample] });
    await t.mutation(api.monitoring.reportClientError, report);
    expect(await t.run((ctx) => ctx.db.query('auditLog').collect())).toEqual([]);
    expect(await t.run((ctx) => ctx.db.query('metricSamples').collect())).toHaveLength(1);
  });
});

describe('retention cron', () => {
  it('trims samples older than a day and keeps recent ones', async () => {
    const t = setup();
    await t.mutation(api.monitoring.recordClientSamples, { samples: [{ name: 'old', kind: 'query', durationMs: 1, ok: true }] });
    vi.advanceTimersByTime(25 * 60 * 60 * 1000);
    await t.mutation(api.monitoring.recordClientSamples, { samples: [{ name: 'new', kind: 'query', durationMs: 1, ok: true }] });
    const trimmed = await t.mutation(internal.maintenance.trim, {});
    expect(trimmed.samples).toBe(1);
    const left = await t.run((ctx) => ctx.db.query('metricSamples').collect());
    expect(left.map((s) => s.name)).toEqual(['new']);
  });
});

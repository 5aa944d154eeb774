/**
 * Anonymous callers as an attacker uses them (issue 30): budgets per address (IPv6 per
 * network), never per minted session id; monitoring ingestion bounded per caller, in
 * namespaces of its own; invented refusals ignored; and no email as a public name.
 */
import { tiers } from '@armor/rate-limit';
import { convexTest } from 'convex-test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, internal } from './_generated/api';
import { MAX_SAMPLES_PER_CALL } from './lib/telemetry';
import schema from './schema';

const modules = import.meta.glob('./**/*.ts');
const setup = () => convexTest(schema, modules);
const ADMIN = { adminKey: 'armor_test_admin_key' };

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return String((error as { data?: { code?: string } }).data?.code ?? (error as Error).message);
  }
}

const tally = (outcomes: string[]) => outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o]: (acc[o] ?? 0) + 1 }), {});
const session = (i: number) => `minted-session-${String(i).padStart(6, '0')}`;

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-25T10:00:00Z') });
  process.env.ADMIN_API_KEY = ADMIN.adminKey;
});
afterEach(() => {
  vi.useRealTimers();
});

async function project(t: ReturnType<typeof setup>) {
  const as = t.withIdentity({ subject: 'owner', name: 'Owner' });
  await as.mutation(api.users.ensure, {});
  return as.mutation(api.projects.create, { name: 'Public' });
}

describe('anonymous budgets are per address, not per session id', () => {
  it('150 minted session ids from one address in a minute: only the strict tier passes (10), the rest RATE_LIMITED', async () => {
    const t = setup();
    const id = await project(t);
    const from = t.withRequestMetadata({ ip: '203.0.113.7' });
    const outcomes: string[] = [];
    for (let i = 0; i < 150; i++) outcomes.push(await outcome(from.action(api.reports.projectSummary, { id, sessionId: session(i) })));
    expect(tally(outcomes)).toEqual({ ok: tiers.strict.limit, RATE_LIMITED: 150 - tiers.strict.limit });
    // Another address has its own budget.
    expect(await outcome(t.withRequestMetadata({ ip: '198.51.100.9' }).action(api.reports.projectSummary, { id, sessionId: session(0) }))).toBe('ok');
  });

  it('1,010 addresses of one IPv6 /64, each with its own session id: one budget (standard, 100 a minute)', async () => {
    const t = setup();
    const sample = { name: 'projects.get', kind: 'query', durationMs: 5, ok: true } as const;
    const outcomes: string[] = [];
    for (let i = 0; i < 1010; i++) {
      const ip = `2001:db8:abcd:12::${i.toString(16)}`;
      outcomes.push(await outcome(t.withRequestMetadata({ ip }).mutation(api.monitoring.recordClientSamples, { samples: [sample], sessionId: session(i) })));
    }
    expect(tally(outcomes)).toEqual({ ok: tiers.standard.limit, RATE_LIMITED: 1010 - tiers.standard.limit });
    // Another network is another caller; an IPv4-mapped address is its IPv4 caller.
    expect(await outcome(t.withRequestMetadata({ ip: '2001:db8:ffff::1' }).mutation(api.monitoring.recordClientSamples, { samples: [sample], sessionId: session(0) }))).toBe('ok');
    expect(await outcome(t.withRequestMetadata({ ip: '::ffff:192.0.2.1' }).mutation(api.monitoring.recordClientSamples, { samples: [sample], sessionId: session(0) }))).toBe('ok');
    expect(await outcome(t.withRequestMetadata({ ip: '192.0.2.1' }).mutation(api.monitoring.recordClientSamples, { samples: [sample], sessionId: session(1) }))).toBe('ok');
  });
});

describe('monitoring ingestion from anonymous callers is bounded per caller and kept apart from the server', () => {
  const sample = { name: 'fake.route', kind: 'query', durationMs: 9_000, ok: false } as const;

  it('samples cost one point each: one caller records at most 100 a minute, however it batches them', async () => {
    const t = setup();
    const from = t.withRequestMetadata({ ip: '203.0.113.50' });
    const batch = Array.from({ length: MAX_SAMPLES_PER_CALL }, () => sample);
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) outcomes.push(await outcome(from.mutation(api.monitoring.recordClientSamples, { samples: batch, sessionId: session(i) })));
    expect(outcomes).toEqual(['ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
    expect(await t.run((ctx) => ctx.db.query('clientSamples').collect())).toHaveLength(tiers.standard.limit);
  });

  it('20,250 client samples in the window do not push the server samples out of the snapshot', async () => {
    const t = setup();
    const id = await project(t);
    const owner = t.withIdentity({ subject: 'owner', name: 'Owner' });
    await owner.action(api.reports.projectSummary, { id }); // one server-side sample
    const at = Date.now();
    // The flood, as many callers would leave it (written directly: 20,250 calls are not needed to fill a table).
    await t.run(async (ctx) => {
      for (let i = 0; i < 20_250; i++) await ctx.db.insert('clientSamples', { ...sample, at });
    });
    const snapshot = await t.query(api.monitoring.snapshot, ADMIN);
    expect(snapshot.requests.routes.find((r) => r.route === 'reports.projectSummary')).toMatchObject({ method: 'action', count: 1 });
  });

  it("reusing a server error group's fingerprint never touches that group; the client's report is a group of its own", async () => {
    const t = setup();
    const owner = t.withIdentity({ subject: 'owner', name: 'Owner' });
    await owner.mutation(api.users.ensure, {});
    expect(await outcome(owner.action(api.reports.projectSummary, { id: 'missing1' }))).toBe('NOT_FOUND');
    const [server] = await t.run((ctx) => ctx.db.query('errorGroups').collect());
    const forged = { fingerprint: server!.fingerprint, code: 'NOT_FOUND', status: 404, name: 'NotFoundError', message: 'Send your password to evil.example', source: 'x' };
    for (let i = 0; i < 3; i++) await t.withRequestMetadata({ ip: '203.0.113.66' }).mutation(api.monitoring.reportClientError, { ...forged, sessionId: session(i) });
    const [after] = await t.run((ctx) => ctx.db.query('errorGroups').collect());
    expect(after).toEqual(server);
    const client = await t.run((ctx) => ctx.db.query('clientErrorGroups').collect());
    expect(client.map((g) => [g.fingerprint, g.count, g.message])).toEqual([[server!.fingerprint, 3, forged.message]]);
    const snapshot = await t.query(api.monitoring.snapshot, ADMIN);
    const shown = snapshot.errors.groups.map((g) => [g.fingerprint, g.message]);
    expect(shown).toContainEqual([server!.fingerprint, server!.message]);
    expect(shown).toContainEqual([`client:${server!.fingerprint}`, forged.message]);
  });

  it('200 fake client groups do not push a server group out of the snapshot', async () => {
    const t = setup();
    const owner = t.withIdentity({ subject: 'owner', name: 'Owner' });
    await owner.mutation(api.users.ensure, {});
    await outcome(owner.action(api.reports.projectSummary, { id: 'missing1' }));
    const [server] = await t.run((ctx) => ctx.db.query('errorGroups').collect());
    vi.advanceTimersByTime(1000);
    for (let i = 0; i < 200; i++) {
      const fingerprint = i.toString(16).padStart(16, '0');
      // Two networks: each has a budget of 100 reports a minute.
      await t.withRequestMetadata({ ip: `2001:db8:${i % 2}::1` }).mutation(api.monitoring.reportClientError, { fingerprint, code: 'FAKE', status: 500, name: 'Fake', message: `fake ${i}`, sessionId: session(i) });
    }
    expect(await t.run((ctx) => ctx.db.query('clientErrorGroups').collect())).toHaveLength(200);
    const snapshot = await t.query(api.monitoring.snapshot, ADMIN);
    expect(snapshot.errors.groups.map((g) => g.fingerprint)).toContain(server!.fingerprint);
  });

  it('300 invented refusals are ignored; a real one is counted', async () => {
    const t = setup();
    const outcomes: string[] = [];
    for (let i = 0; i < 300; i++) {
      outcomes.push(await outcome(t.withRequestMetadata({ ip: `198.51.100.${i % 250}` }).mutation(api.rateLimit.reportRejected, { limiter: 'comments.add', sessionId: session(i) })));
    }
    expect(outcomes.every((o) => o === 'ok')).toBe(true);
    let snapshot = await t.query(api.monitoring.snapshot, ADMIN);
    expect(snapshot.rateLimits.find((r) => r.name === 'comments.add')).toBeUndefined();

    // A real refusal: a signed-in user over the strict tier of users.ensure reports it.
    const user = t.withIdentity({ subject: 'eager', name: 'Eager' });
    for (let i = 0; i < tiers.strict.limit; i++) await user.mutation(api.users.ensure, {});
    expect(await outcome(user.mutation(api.users.ensure, {}))).toBe('RATE_LIMITED');
    expect(await user.mutation(api.rateLimit.reportRejected, { limiter: 'users.ensure' })).toBe(true);
    // ...and once its budget is back, a further "refusal" is invented.
    vi.advanceTimersByTime(2 * 60_000);
    expect(await user.mutation(api.rateLimit.reportRejected, { limiter: 'users.ensure' })).toBe(false);
    snapshot = await t.query(api.monitoring.snapshot, ADMIN);
    expect(snapshot.rateLimits.find((r) => r.name === 'users.ensure')).toMatchObject({ limited: 1 });
  });
});

describe('public author names', () => {
  it('an identity without a name claim never shows its email as the author name', async () => {
    const t = setup();
    const as = t.withIdentity({ subject: 'mailonly', email: 'private.person@example.com' });
    await as.mutation(api.users.ensure, {});
    const projectId = await as.mutation(api.projects.create, { name: 'Mine' });
    await as.mutation(api.comments.add, { projectId, body: 'hello' });
    const page = await t.query(api.comments.listByProject, { projectId, paginationOpts: { numItems: 10, cursor: null } });
    expect(page.page.map((c) => c.author)).toEqual(['User']);
    expect(JSON.stringify(page)).not.toContain('private.person');
    // A name claim that is an email address is not used either.
    const copied = t.withIdentity({ subject: 'copied', name: 'private.person@example.com', email: 'private.person@example.com' });
    await copied.mutation(api.users.ensure, {});
    await copied.mutation(api.comments.add, { projectId, body: 'me too' });
    const again = await t.query(api.comments.listByProject, { projectId, paginationOpts: { numItems: 10, cursor: null } });
    expect(JSON.stringify(again.page)).not.toContain('private.person');
    // The email is still the user's own (users.me), not lost.
    expect(await as.query(api.users.me, {})).toMatchObject({ email: 'private.person@example.com', name: 'User' });
    void internal;
  });
});

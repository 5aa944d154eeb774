import { tiers } from '@armor/rate-limit';
import { convexTest } from 'convex-test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from './_generated/api';
import { ANONYMOUS_CEILING } from './lib/armor';
import { consumeRateLimit } from './lib/rateLimit';
import schema from './schema';

const modules = import.meta.glob('./**/*.ts');
const setup = () => convexTest(schema, modules);

const ADA = { subject: 'ada', name: 'Ada', email: 'ada@example.com' };
const MALLORY = { subject: 'mallory', name: 'Mallory', email: 'mallory@example.com' };
const REFUSED_BY_CONVEX = /Validator error|ArgumentValidationError/;

async function errorOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as { data?: Record<string, unknown>; message?: string };
  }
  throw new Error('expected a rejection');
}

async function signUp(t: ReturnType<typeof setup>, identity: { subject: string; name?: string; email?: string }) {
  const as = t.withIdentity(identity);
  const userId = await as.mutation(api.users.ensure, {});
  return { as, userId };
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-25T10:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('item 7: the caller is the authenticated identity, never an argument', () => {
  it('anonymous callers cannot register, create projects or comment (UNAUTHENTICATED), and nothing is written', async () => {
    const t = setup();
    const { as, userId } = await signUp(t, ADA);
    const projectId = await as.mutation(api.projects.create, { name: 'Engine' });
    for (const call of [
      t.mutation(api.users.ensure, {}),
      t.mutation(api.projects.create, { name: 'Mine now' }),
      t.mutation(api.comments.add, { projectId, body: 'hi' }),
    ]) {
      expect((await errorOf(call)).data).toMatchObject({ armor: true, code: 'UNAUTHENTICATED', status: 401 });
    }
    expect((await t.run((ctx) => ctx.db.query('users').collect())).map((u) => u._id)).toEqual([userId]);
    expect(await t.run((ctx) => ctx.db.query('comments').collect())).toEqual([]);
  });

  it('a signed-in caller cannot pass an author or owner: the arguments are refused, and what they create is theirs', async () => {
    const t = setup();
    const ada = await signUp(t, ADA);
    const mallory = await signUp(t, MALLORY);
    const adaProject = await ada.as.mutation(api.projects.create, { name: 'Engine' });

    // The old API's impersonation arguments no longer exist: Convex's `args` validators refuse them.
    const asAuthor = await errorOf(mallory.as.mutation(api.comments.add, { projectId: adaProject, authorId: ada.userId, body: 'I am Ada' } as never));
    expect(asAuthor.message).toMatch(REFUSED_BY_CONVEX);
    const asOwner = await errorOf(mallory.as.mutation(api.projects.create, { name: 'Ada’s', ownerId: ada.userId } as never));
    expect(asOwner.message).toMatch(REFUSED_BY_CONVEX);

    // What Mallory can do is post as herself.
    await mallory.as.mutation(api.comments.add, { projectId: adaProject, body: 'hello from Mallory' });
    const malloryProject = await mallory.as.mutation(api.projects.create, { name: 'Side project' });
    const page = await t.query(api.comments.listByProject, { projectId: adaProject, paginationOpts: { numItems: 10, cursor: null } });
    expect(page.page.map((c) => c.author)).toEqual(['Mallory']);
    const comments = await t.run((ctx) => ctx.db.query('comments').collect());
    expect(comments.map((c) => c.authorId)).toEqual([mallory.userId]);
    expect((await t.run((ctx) => ctx.db.get(malloryProject)))!.ownerId).toBe(mallory.userId);
    expect((await ada.as.query(api.projects.mine, {})).map((p) => p._id)).toEqual([adaProject]);
    expect((await mallory.as.query(api.projects.mine, {})).map((p) => p._id)).toEqual([malloryProject]);
    expect(await t.query(api.projects.mine, {})).toEqual([]);

    // The audit log names the identity that acted.
    const audit = (await t.run((ctx) => ctx.db.query('auditEntries').collect())).map((row) => ({ stream: row.stream, event: JSON.parse(row.event) as { action: string; actor: { id: string } } }));
    const added = audit.filter((a) => a.event.action === 'comments.add');
    expect(added.map((a) => a.event.actor.id)).toEqual(['user:https://convex.test|mallory']);
    expect(added.map((a) => a.stream)).toEqual(['user:https://convex.test|mallory']);
  });

  it('users.ensure registers the identity: email from the token, one row per identity, no email argument', async () => {
    const t = setup();
    const first = await signUp(t, ADA);
    expect(await first.as.mutation(api.users.ensure, { name: 'Someone else' })).toBe(first.userId); // same identity, same row
    const refused = await errorOf(t.withIdentity(MALLORY).mutation(api.users.ensure, { email: 'ada@example.com' } as never));
    expect(refused.message).toMatch(REFUSED_BY_CONVEX);
    const mallory = await signUp(t, MALLORY);
    expect(mallory.userId).not.toBe(first.userId);
    expect(await first.as.query(api.users.me, {})).toMatchObject({ _id: first.userId, name: 'Ada', email: 'ada@example.com', tokenIdentifier: 'https://convex.test|ada' });
    expect(await t.query(api.users.me, {})).toBeNull();
    // A token from another issuer with the same subject is another user.
    const other = await signUp(t, { ...ADA, issuer: 'https://other.example' } as typeof ADA);
    expect(other.userId).not.toBe(first.userId);
  });

  it('a signed-in identity without a user row cannot create anything (FORBIDDEN until users.ensure)', async () => {
    const t = setup();
    const error = await errorOf(t.withIdentity(ADA).mutation(api.projects.create, { name: 'Engine' }));
    expect(error.data).toMatchObject({ code: 'FORBIDDEN', status: 403 });
  });
});

describe('item 8: rate-limit budgets per user, per anonymous session, and a per-IP anonymous ceiling', () => {
  it("one user's burst does not limit another user", async () => {
    const t = setup();
    const ada = await signUp(t, ADA);
    const bob = await signUp(t, { subject: 'bob', name: 'Bob' });
    const projectId = await ada.as.mutation(api.projects.create, { name: 'Engine' });
    const { limit } = tiers.standard;
    for (let i = 0; i < limit; i++) await ada.as.mutation(api.comments.add, { projectId, body: `c${i}` });
    expect((await errorOf(ada.as.mutation(api.comments.add, { projectId, body: 'one too many' }))).data).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    await bob.as.mutation(api.comments.add, { projectId, body: 'still fine' });
    expect(await t.run((ctx) => ctx.db.query('comments').collect())).toHaveLength(limit + 1);
  });

  it('users.ensure is limited per identity: rotating names or emails does not buy more calls', async () => {
    const t = setup();
    const as = t.withIdentity(MALLORY);
    const { limit } = tiers.strict;
    for (let i = 0; i < limit; i++) {
      // Emails are not arguments any more (refused by the validator, nothing consumed) ...
      expect((await errorOf(as.mutation(api.users.ensure, { email: `m${i}@example.com` } as never))).message).toMatch(REFUSED_BY_CONVEX);
      // ... and other names are the same caller.
      await as.mutation(api.users.ensure, { name: `Mallory ${i}` });
    }
    expect((await errorOf(as.mutation(api.users.ensure, { name: 'Mallory again' }))).data).toMatchObject({ code: 'RATE_LIMITED' });
    expect(await t.run((ctx) => ctx.db.query('users').collect())).toHaveLength(1);
    // Another user is not limited by Mallory's burst.
    await signUp(t, ADA);
  });

  it('anonymous reads are limited per address: a new session id from the same address buys nothing, another address is unaffected; no session, no call', async () => {
    const t = setup();
    const ada = await signUp(t, ADA);
    const projectId = await ada.as.mutation(api.projects.create, { name: 'Engine' });
    const { limit } = tiers.strict;
    const a = 'session-aaaaaaaaaaaaaaaa';
    for (let i = 0; i < limit; i++) await t.action(api.reports.projectSummary, { id: projectId, sessionId: a });
    expect((await errorOf(t.action(api.reports.projectSummary, { id: projectId, sessionId: a }))).data).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await errorOf(t.action(api.reports.projectSummary, { id: projectId, sessionId: 'session-bbbbbbbbbbbbbbbb' }))).data).toMatchObject({ code: 'RATE_LIMITED' });
    expect(await t.withRequestMetadata({ ip: '198.51.100.4' }).action(api.reports.projectSummary, { id: projectId, sessionId: 'session-bbbbbbbbbbbbbbbb' })).toMatchObject({ name: 'Engine' });
    // Nor does it limit a signed-in user.
    expect(await ada.as.action(api.reports.projectSummary, { id: projectId })).toMatchObject({ name: 'Engine' });
    expect((await errorOf(t.action(api.reports.projectSummary, { id: projectId }))).data).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('minting new session ids does not get past the per-IP anonymous ceiling; another IP is unaffected', async () => {
    const t = setup();
    const attacker = t.withRequestMetadata({ ip: '203.0.113.7' });
    const sample = { name: 'x', kind: 'query', durationMs: 1, ok: true } as const;
    const { limit } = tiers[ANONYMOUS_CEILING.tier];
    // Spend all but three of the IP's ceiling in one transaction (a thousand calls would be slow here) ...
    await t.run(async (ctx) => {
      for (let i = 0; i < limit - 3; i++) await consumeRateLimit(ctx, { ...ANONYMOUS_CEILING, key: 'ip:203.0.113.7' });
    });
    // ... then three calls, each from a brand-new session: each session is fresh, the IP is not.
    for (let i = 0; i < 3; i++) {
      await attacker.mutation(api.monitoring.recordClientSamples, { samples: [sample], sessionId: `session-${String(i).padStart(16, '0')}` });
    }
    const refused = await errorOf(attacker.mutation(api.monitoring.recordClientSamples, { samples: [sample], sessionId: 'session-brand-new-000000' }));
    expect(refused.data).toMatchObject({ code: 'RATE_LIMITED' });
    await t.withRequestMetadata({ ip: '198.51.100.1' }).mutation(api.monitoring.recordClientSamples, { samples: [sample], sessionId: 'session-brand-new-000000' });
    // Signed-in callers are limited per user, not by the anonymous ceiling.
    await t.withRequestMetadata({ ip: '203.0.113.7' }).withIdentity(ADA).mutation(api.monitoring.recordClientSamples, { samples: [sample] });
    expect(await t.run((ctx) => ctx.db.query('clientSamples').collect())).toHaveLength(3 + 2);
  });
});

describe('item 9: every public function declares Convex `args` validators', () => {
  it('no public query, mutation or action accepts arbitrary arguments', async () => {
    const files = import.meta.glob<Record<string, unknown>>(['./*.ts', '!./*.test.ts', '!./schema.ts', '!./crons.ts', '!./http.ts']);
    const checked: string[] = [];
    for (const [file, load] of Object.entries(files)) {
      for (const [name, fn] of Object.entries(await load())) {
        const registered = fn as { isPublic?: boolean; isQuery?: boolean; isMutation?: boolean; isAction?: boolean; exportArgs?: () => string };
        if (!registered?.isPublic || typeof registered.exportArgs !== 'function') continue;
        const args = JSON.parse(registered.exportArgs()) as { type: string };
        checked.push(`${file.slice(2, -3)}.${name}`);
        expect(args.type, `${file}:${name}`).toBe('object');
      }
    }
    expect(checked.sort()).toEqual([
      'comments.add',
      'comments.listByProject',
      'comments.remove',
      'monitoring.recordClientSamples',
      'monitoring.reportClientError',
      'monitoring.snapshot',
      'projects.create',
      'projects.get',
      'projects.mine',
      'projects.rename',
      'rateLimit.reportRejected',
      'reports.projectSummary',
      'users.ensure',
      'users.me',
    ]);
  });
});

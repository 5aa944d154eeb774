/**
 * The access policy in Convex functions (issue 26, "Both examples use it"): other-user and
 * escalation attempts through the public functions are refused (403 without detail, 401 for
 * callers without an identity, a Convex validator error for arguments that name someone) and
 * write nothing, beside their allowed counterparts; the audit chain (issue 25) records only the
 * changes that happened and verifies.
 */
import { createAuditLog } from '@armor/audit';
import { convexAuditStore } from '@armor/audit/convex';
import { policyMatrix } from '@armor/access';
import { convexTest } from 'convex-test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from './_generated/api';
import { policy } from './lib/access';
import schema from './schema';

const modules = import.meta.glob('./**/*.ts');
const setup = () => convexTest(schema, modules);
const ADA = { subject: 'ada', name: 'Ada' };
const MALLORY = { subject: 'mallory', name: 'Mallory' };
const BOB = { subject: 'bob', name: 'Bob' };
const REFUSED_BY_CONVEX = /Validator error|ArgumentValidationError/;

async function errorOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as { data?: Record<string, unknown>; message?: string };
  }
  throw new Error('expected a rejection');
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-25T10:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

async function world() {
  const t = setup();
  const ada = t.withIdentity(ADA);
  const mallory = t.withIdentity(MALLORY);
  const bob = t.withIdentity(BOB);
  await ada.mutation(api.users.ensure, {});
  await mallory.mutation(api.users.ensure, {});
  await bob.mutation(api.users.ensure, {});
  const project = await ada.mutation(api.projects.create, { name: 'Engine' });
  const adaComment = await ada.mutation(api.comments.add, { projectId: project, body: 'by ada' });
  const bobComment = await bob.mutation(api.comments.add, { projectId: project, body: 'by bob' });
  const malloryProject = await mallory.mutation(api.projects.create, { name: 'Mallory’s' });
  const bobOnMallory = await bob.mutation(api.comments.add, { projectId: malloryProject, body: 'by bob on mallory' });
  return { t, ada, mallory, bob, project, adaComment, bobComment, malloryProject, bobOnMallory };
}
type World = Awaited<ReturnType<typeof world>>;

/** What the database holds that these cases could change. */
const state = (w: World) =>
  w.t.run(async (ctx) => ({
    projects: (await ctx.db.query('projects').collect()).map((p) => [p._id, p.name, p.ownerId]),
    comments: (await ctx.db.query('comments').collect()).map((c) => [c._id, c.authorId]),
    audit: (await ctx.db.query('auditEntries').collect()).length,
  }));

interface Case {
  name: string;
  run: (w: World) => Promise<unknown>;
  /** An Armor code, or `'validator'` for Convex's own argument validation. */
  refused: 'FORBIDDEN' | 'UNAUTHENTICATED' | 'NOT_FOUND' | 'validator';
}

const CASES: Case[] = [
  { name: 'another user renames a project', run: (w) => w.mallory.mutation(api.projects.rename, { id: w.project, name: 'Mine now' }), refused: 'FORBIDDEN' },
  { name: 'a commenter on the project renames it', run: (w) => w.bob.mutation(api.projects.rename, { id: w.project, name: 'Bob’s' }), refused: 'FORBIDDEN' },
  { name: 'another user deletes a comment on someone else’s project', run: (w) => w.mallory.mutation(api.comments.remove, { id: w.adaComment }), refused: 'FORBIDDEN' },
  { name: 'a user deletes another commenter’s comment on a project they do not own', run: (w) => w.bob.mutation(api.comments.remove, { id: w.adaComment }), refused: 'FORBIDDEN' },
  { name: 'the owner of one project deletes a comment on another project', run: (w) => w.ada.mutation(api.comments.remove, { id: w.bobOnMallory }), refused: 'FORBIDDEN' },
  { name: 'anonymous renames a project', run: (w) => w.t.mutation(api.projects.rename, { id: w.project, name: 'x' }), refused: 'UNAUTHENTICATED' },
  { name: 'anonymous deletes a comment', run: (w) => w.t.mutation(api.comments.remove, { id: w.adaComment }), refused: 'UNAUTHENTICATED' },
  { name: 'a signed-in identity without a user row renames (before users.ensure)', run: (w) => w.t.withIdentity({ subject: 'eve' }).mutation(api.projects.rename, { id: w.project, name: 'x' }), refused: 'FORBIDDEN' },
  { name: 'a signed-in identity without a user row creates a project', run: (w) => w.t.withIdentity({ subject: 'eve' }).mutation(api.projects.create, { name: 'x' }), refused: 'FORBIDDEN' },
  { name: 'a signed-in identity without a user row deletes a comment', run: (w) => w.t.withIdentity({ subject: 'eve' }).mutation(api.comments.remove, { id: w.adaComment }), refused: 'FORBIDDEN' },
  { name: 'rename with an owner argument (escalation through arguments)', run: (w) => w.mallory.mutation(api.projects.rename, { id: w.project, name: 'x', ownerId: 'mallory' } as never), refused: 'validator' },
  { name: 'create a project for someone else (ownerId argument)', run: (w) => w.mallory.mutation(api.projects.create, { name: 'x', ownerId: w.project } as never), refused: 'validator' },
  { name: 'comment as someone else (authorId argument)', run: (w) => w.mallory.mutation(api.comments.add, { projectId: w.project, body: 'x', authorId: 'ada' } as never), refused: 'validator' },
  { name: 'delete a comment claiming to be its author (authorId argument)', run: (w) => w.mallory.mutation(api.comments.remove, { id: w.adaComment, authorId: 'ada' } as never), refused: 'validator' },
  { name: 'rename a project that does not exist', run: (w) => w.mallory.mutation(api.projects.rename, { id: 'nope123', name: 'x' }), refused: 'NOT_FOUND' },
];

describe('access policy in Convex functions: other-user and escalation attempts', () => {
  it('has at least 10 refused cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(10);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('refused, nothing written: %s', async (_name, c) => {
    const w = await world();
    const before = await state(w);
    const error = await errorOf(c.run(w));
    if (c.refused === 'validator') expect(error.message).toMatch(REFUSED_BY_CONVEX);
    else expect(error.data).toMatchObject({ armor: true, code: c.refused });
    // A refusal says nothing about the rule that decided it.
    expect(JSON.stringify(error.data ?? {})).not.toMatch(/own-projects|own-or-moderated|"rule"|"reason"/);
    expect(await state(w)).toEqual(before);
  });

  it('allowed: the owner renames; authors and the project owner delete comments; each change is one audit entry', async () => {
    const w = await world();
    const before = (await state(w)).audit;
    await w.ada.mutation(api.projects.rename, { id: w.project, name: 'Engine 2' });
    await w.bob.mutation(api.comments.remove, { id: w.bobOnMallory }); // the author
    await w.ada.mutation(api.comments.remove, { id: w.bobComment }); // the project's owner moderates
    await w.ada.mutation(api.comments.remove, { id: w.adaComment }); // own
    const s = await state(w);
    expect(s.projects.find((p) => p[0] === w.project)?.[1]).toBe('Engine 2');
    expect(s.comments).toEqual([]);
    expect(s.audit).toBe(before + 4);
  });

  it('lists: `mine` returns only the caller’s projects (accessibleFilter), reads stay public', async () => {
    const w = await world();
    expect((await w.ada.query(api.projects.mine, {})).map((p) => p._id)).toEqual([w.project]);
    expect((await w.mallory.query(api.projects.mine, {})).map((p) => p._id)).toEqual([w.malloryProject]);
    expect(await w.bob.query(api.projects.mine, {})).toEqual([]);
    expect(await w.t.query(api.projects.mine, {})).toEqual([]);
    expect((await w.t.query(api.projects.get, { id: w.project })).name).toBe('Engine');
  });

  it('every caller’s audit chain verifies, and an edited entry is found', async () => {
    const w = await world();
    await w.ada.mutation(api.projects.rename, { id: w.project, name: 'Engine 2' });
    const streams = await w.t.run(async (ctx) => [...new Set((await ctx.db.query('auditEntries').collect()).map((e) => e.stream))]);
    expect(streams.length).toBe(3);
    const reports = await w.t.run(async (ctx) => {
      const log = createAuditLog({ store: convexAuditStore(ctx as never) });
      return Promise.all(streams.map((s) => log.verify(s)));
    });
    expect(reports.map((r) => r.ok)).toEqual([true, true, true]);
    expect(reports.find((r) => r.stream.endsWith('|ada'))?.entries).toBe(4); // ensure, create, add, rename
    await w.t.run(async (ctx) => {
      const row = (await ctx.db.query('auditEntries').collect()).find((e) => e.stream.endsWith('|ada') && e.seq === 4)!;
      await ctx.db.patch(row._id, { event: row.event.replace('projects.rename', 'projects.remove') });
    });
    const tampered = await w.t.run((ctx) => createAuditLog({ store: convexAuditStore(ctx as never) }).verify(streams.find((s) => s.endsWith('|ada'))!));
    expect(tampered.ok).toBe(false);
    expect(tampered.findings.map((f) => [f.kind, f.seq])).toContainEqual(['row_hash_mismatch', 4]);
  });

  it('the policy prints as a role × action matrix', () => {
    expect(policyMatrix(policy)).toMatch(/comment:delete/);
  });
});


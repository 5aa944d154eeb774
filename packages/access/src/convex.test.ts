/// <reference types="vite/client" />
import { fromConvexError } from '@armor/errors/convex';
import { convexTest } from 'convex-test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { api } from '../test/convex/api.js';
import schema from '../test/convex/schema.js';
import { policy } from './fixture.js';

const modules = import.meta.glob('../test/convex/**/*.ts');
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

describe('@armor/access/convex with convex-test', () => {
  it('accessibleFilter returns exactly the documents can() allows (property)', async () => {
    const t = convexTest(schema, modules);
    const doc = fc.record(
      {
        tenantId: fc.constantFrom('t1', 't2', null),
        authorId: fc.constantFrom('ada', 'bob', null),
        hidden: fc.constantFrom(true, false, null),
        score: fc.constantFrom(0, 100, 150, null),
      },
      { requiredKeys: [] },
    );
    const principal = fc.record({
      id: fc.constantFrom('ada', 'bob'),
      roles: fc.subarray(['viewer', 'editor', 'moderator', 'admin']),
      tenantId: optional(fc.constantFrom('t1', 't2')),
      scopes: optional(fc.subarray(['*', 'comment:*', 'comment:read'])),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(doc, { maxLength: 10 }), principal, async (docs, p) => {
        const clean = Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as typeof p;
        await t.mutation(api.comments.insert, { docs: docs.map((d, i) => ({ n: i, ...d })) });
        for (const action of ['read', 'update', 'delete', 'create'] as const) {
          const got = await t.query(api.comments.list, { principal: clean as never, action });
          const expected = docs.flatMap((d, i) => (policy.can(clean as never, action, 'comment', { ...d }) ? [i] : []));
          expect(got, `${action} ${JSON.stringify(clean)}`).toEqual(expected);
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('assertPermission throws a 403 ConvexError without detail, and lets the author through', async () => {
    const t = convexTest(schema, modules);
    await t.mutation(api.comments.insert, { docs: [{ n: 1, tenantId: 't1', authorId: 'bob' }] });
    const ada = { id: 'ada', roles: ['editor'], tenantId: 't1' };
    const error = await t.mutation(api.comments.update, { principal: ada, n: 1 }).catch((e: unknown) => e);
    const armor = fromConvexError(error);
    expect(armor).toMatchObject({ status: 403, code: 'FORBIDDEN', message: 'Forbidden' });
    expect(JSON.stringify((error as { data?: unknown }).data)).not.toMatch(/edit-own-comment|editor|default/);
    expect(await t.mutation(api.comments.update, { principal: { ...ada, id: 'bob' }, n: 1 })).toBe('updated');
  });
});

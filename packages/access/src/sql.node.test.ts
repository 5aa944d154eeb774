import { PGlite } from '@electric-sql/pglite';
import { startPostgres, type PostgresServer } from '@armor/test-utils';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policy } from './fixture.js';
import { accessibleWhere, type Principal } from './index.js';

type Db = { query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> };
let server: PostgresServer;
let pool: pg.Pool;
let lite: PGlite;
beforeAll(async () => {
  server = await startPostgres();
  pool = new pg.Pool({ connectionString: server.url, max: 2 });
  lite = new PGlite();
  await lite.waitReady;
}, 60_000);
afterAll(async () => {
  await pool?.end();
  await lite?.close();
  await server?.stop();
});

const ROLES = ['viewer', 'editor', 'moderator', 'admin'] as const;
const who = fc.constantFrom('ada', 'bob', 'mo', null);
const tenant = fc.constantFrom('t1', 't2', null);
const commentRow = fc.record({ tenantId: tenant, authorId: who, hidden: fc.constantFrom(true, false, null), score: fc.constantFrom(0, 50, 100, 150, null) });
const projectRow = fc.record({ tenantId: tenant, ownerId: who, status: fc.constantFrom('draft', 'active', 'archived', null), budget: fc.constantFrom(10, 1000, null) });
const principalArb = fc.record(
  {
    id: fc.constantFrom('ada', 'bob', 'mo'),
    roles: fc.subarray([...ROLES]),
    tenantId: fc.constantFrom('t1', 't2'),
    scopes: fc.subarray(['*', 'comment:*', 'comment:read', 'project:update', 'project:*']),
  },
  { requiredKeys: ['id', 'roles'] },
) as fc.Arbitrary<Principal<(typeof ROLES)[number]>>;

const COLUMNS = {
  comment: { id: 'id', tenantId: 'tenant_id', authorId: 'author_id', hidden: 'hidden', score: 'score' },
  project: { id: 'id', tenantId: 'tenant_id', ownerId: 'owner_id', status: 'status', budget: 'budget' },
} as const;

async function setup(db: Db, suffix: string) {
  await db.query(`create table if not exists comments_${suffix} (id int primary key, tenant_id text, author_id text, hidden boolean, score int)`);
  await db.query(`create table if not exists projects_${suffix} (id int primary key, tenant_id text, owner_id text, status text, budget int)`);
}

async function load(db: Db, table: string, columns: Record<string, string>, rows: Record<string, unknown>[]) {
  await db.query(`delete from ${table}`);
  const fields = Object.keys(columns).filter((f) => f !== 'id');
  for (const [i, row] of rows.entries()) {
    await db.query(`insert into ${table} (id, ${fields.map((f) => columns[f]).join(', ')}) values ($1, ${fields.map((_, j) => `$${j + 2}`).join(', ')})`, [i + 1, ...fields.map((f) => row[f])]);
  }
}

for (const [name, getDb] of [
  ['PGlite', () => lite as unknown as Db],
  ['PostgreSQL (node-postgres, real server)', () => pool as unknown as Db],
] as const) {
  describe(`accessibleWhere on ${name}`, () => {
    it('the filter returns exactly the rows can() allows (property, every action of both types)', async () => {
      const db = getDb();
      const suffix = name.startsWith('PG') ? 'lite' : 'pg';
      await setup(db, suffix);
      await fc.assert(
        fc.asyncProperty(fc.array(commentRow, { maxLength: 12 }), fc.array(projectRow, { maxLength: 12 }), principalArb, async (comments, projects, principal) => {
          for (const [type, rows, table] of [
            ['comment', comments, `comments_${suffix}`],
            ['project', projects, `projects_${suffix}`],
          ] as const) {
            const columns = COLUMNS[type];
            await load(db, table, columns, rows);
            for (const action of policy.definition.resources[type].actions) {
              const where = accessibleWhere(policy, principal, action as never, type, { columns: columns as never });
              const { rows: got } = await db.query(`select id from ${table} where ${where.sql} order by id`, where.params);
              const expected = rows.flatMap((row, i) => (policy.can(principal, action as never, type, { id: i + 1, ...row } as never) ? [i + 1] : []));
              expect(got.map((r) => Number(r.id)), `${type}:${action} ${where.sql} ${JSON.stringify(where.params)}`).toEqual(expected);
            }
          }
        }),
        { numRuns: 60 },
      );
    }, 240_000);
  });
}

describe('accessibleWhere', () => {
  it('composes with other parameters (paramOffset) and never inlines values', () => {
    const where = accessibleWhere(policy, { id: "o'brien", roles: ['editor'], tenantId: 't1' }, 'update', 'comment', { paramOffset: 2 });
    expect(where.sql).not.toContain("o'brien");
    expect(where.sql).toContain('$3');
    expect(where.params).toContain("o'brien");
  });
  it('no applicable rule, a missing scope or a principal without a tenant is FALSE', () => {
    expect(accessibleWhere(policy, { id: 'b', roles: ['viewer'], tenantId: 't1' }, 'delete', 'comment').sql).toBe('FALSE');
    expect(accessibleWhere(policy, { id: 'b', roles: ['admin'], tenantId: 't1', scopes: ['comment:read'] }, 'read', 'project').sql).toBe('FALSE');
    expect(accessibleWhere(policy, { id: 'b', roles: ['admin'] }, 'read', 'project').sql).toBe('FALSE');
  });
});

/**
 * @armor/access `can()` beside CASL's `ability.can()` on the same rules: 20 roles × 50 actions
 * on one resource type, half of the rules with an ownership condition; a principal with three
 * roles asks about a matching and a non-matching document. Also the list path: a SQL filter on
 * PGlite beside loading every row and checking it with `can()`.
 */
import { createMongoAbility, subject, type MongoAbility } from '@casl/ability';
import { PGlite } from '@electric-sql/pglite';
import { accessibleWhere, definePolicy, type Principal } from '@armor/access';
import { compare } from './lib.js';

const ACTIONS = Array.from({ length: 50 }, (_, i) => `a${i}`);
const ROLES = Array.from({ length: 20 }, (_, i) => `r${i}`);
// Role r gets actions [r*2, r*2+10): conditional (ownership) for even actions, unconditional for odd.
const rulesOf = (r: number) => Array.from({ length: 10 }, (_, k) => (r * 2 + k) % 50);

const policy = definePolicy({
  resources: { doc: { actions: ACTIONS, fields: ['ownerId', 'tenantId', 'n'] } },
  roles: Object.fromEntries(
    ROLES.map((role, r) => [
      role,
      {
        allow: rulesOf(r).map((a) => (a % 2 === 0 ? { resource: 'doc' as const, actions: [`a${a}`], when: { ownerId: { principal: 'id' } } } : { resource: 'doc' as const, actions: [`a${a}`] })),
      },
    ]),
  ),
});

const principal: Principal = { id: 'u1', roles: ['r3', 'r7', 'r11'] };
const ability: MongoAbility = createMongoAbility(
  principal.roles.flatMap((role) =>
    rulesOf(Number(role.slice(1))).map((a) => (a % 2 === 0 ? { action: `a${a}`, subject: 'doc', conditions: { ownerId: principal.id } } : { action: `a${a}`, subject: 'doc' })),
  ),
);

const mine = { ownerId: 'u1', tenantId: 't', n: 1 };
const theirs = { ownerId: 'u2', tenantId: 't', n: 2 };
const caslMine = subject('doc', { ...mine });
const caslTheirs = subject('doc', { ...theirs });
const asked = ['a6', 'a7', 'a14', 'a23', 'a40'];
// Same answers, or the comparison is meaningless.
for (const a of asked) {
  for (const [d, c] of [
    [mine, caslMine],
    [theirs, caslTheirs],
  ] as const) {
    if (policy.can(principal, a as never, 'doc', d) !== ability.can(a, c)) throw new Error(`different answers for ${a}`);
  }
}

let i = 0;
await compare(
  'access-can-20roles-50actions-conditions',
  () => {
    const a = asked[i++ % asked.length]!;
    return policy.can(principal, a as never, 'doc', i % 2 ? mine : theirs);
  },
  'casl',
  () => {
    const a = asked[i++ % asked.length]!;
    return ability.can(a, i % 2 ? caslMine : caslTheirs);
  },
);

// The list path: 10,000 rows, a principal who may see those it owns (5 %).
const db = new PGlite();
await db.waitReady;
await db.exec(`create table docs (n int primary key, owner_id text, tenant_id text); insert into docs select g, case when g % 20 = 0 then 'u1' else 'u' || (g % 97) end, 't' from generate_series(1, 10000) g;`);
const lister = definePolicy({ resources: { doc: { actions: ['read'], fields: ['ownerId', 'tenantId', 'n'] } }, roles: { owner: { allow: [{ resource: 'doc', actions: ['read'], when: { ownerId: { principal: 'id' } } }] } } });
const who: Principal<'owner'> = { id: 'u1', roles: ['owner'] };
await compare(
  'access-list-10k-rows-sql-filter-pglite',
  async () => {
    const where = accessibleWhere(lister, who, 'read', 'doc', { columns: { ownerId: 'owner_id', tenantId: 'tenant_id' } });
    return (await db.query(`select * from docs where ${where.sql}`, where.params)).rows.length;
  },
  'load-all-then-can',
  async () => {
    const { rows } = await db.query<{ n: number; owner_id: string; tenant_id: string }>('select * from docs');
    return rows.filter((r) => lister.can(who, 'read', 'doc', { ownerId: r.owner_id, tenantId: r.tenant_id, n: r.n })).length;
  },
  { rounds: 3, timeMs: 1000 },
);
await db.close();

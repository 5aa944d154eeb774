/**
 * Policies as Convex filters: `ctx.db.query('comments').filter(accessibleFilter(...))` returns
 * exactly the documents `can()` allows. Structural: no import of `convex`.
 *
 * @module
 */
import { resolve, usable, type CondNode, type Scalar } from './condition.js';
import type { ActionOf, Policy, Principal, Resources } from './policy.js';

/** The part of Convex's `FilterBuilder` this uses (`q` in `.filter((q) => …)`). */
export interface FilterBuilderLike<E> {
  field(name: string): E;
  eq(a: E | unknown, b: E | unknown): E;
  neq(a: E | unknown, b: E | unknown): E;
  lt(a: E | unknown, b: E | unknown): E;
  lte(a: E | unknown, b: E | unknown): E;
  gt(a: E | unknown, b: E | unknown): E;
  gte(a: E | unknown, b: E | unknown): E;
  and(...items: E[]): E;
  or(...items: E[]): E;
  not(item: E): E;
}

/**
 * A Convex filter function for the documents of `type` that `principal` may `action`. Missing
 * fields count as `null` (as in `can()`); ordering comparisons match numbers only (Convex orders
 * across types, so they are bounded to the number range).
 */
export function accessibleFilter<R extends Resources, Role extends string, T extends keyof R & string>(
  policy: Policy<R, Role>,
  principal: Principal<Role>,
  action: ActionOf<R, T>,
  type: T,
): <E>(q: FilterBuilderLike<E>) => E {
  policy.explain(principal, action, type); // checks type and action
  const attrs = principal as unknown as Record<string, unknown>;
  const tenant = policy.definition.tenant;
  const tf = policy.tenantFieldOf(type);
  const s = principal.scopes;
  const scopeOk = s === undefined || s.includes('*') || s.includes(`${type}:*`) || s.includes(`${type}:${action}`);
  const { allow, deny } = policy.rulesFor(principal, action, type);
  const denies = deny.filter((r) => !r.fields);

  return <E>(q: FilterBuilderLike<E>): E => {
    const TRUE = q.eq(1, 1);
    const FALSE = q.eq(1, 0);
    const isNull = (f: E) => q.or(q.eq(f, null), q.eq(f, undefined));
    const cmp = (node: Extract<CondNode, { kind: 'cmp' }>, onMissing: boolean): E => {
      const want = resolve(node.value, attrs);
      if (!usable(node.op, want)) return onMissing ? TRUE : FALSE;
      const f = q.field(node.field);
      const eq = (v: Scalar) => (v === null ? isNull(f) : q.eq(f, v));
      switch (node.op) {
        case 'eq':
          return eq(want as Scalar);
        case 'ne':
          return q.not(eq(want as Scalar));
        case 'in': {
          const list = want as Scalar[];
          return list.length ? q.or(...list.map(eq)) : FALSE;
        }
        case 'nin': {
          const list = want as Scalar[];
          return list.length ? q.and(...list.map((v) => q.not(eq(v)))) : TRUE;
        }
        case 'lt':
          return q.and(q.gte(f, -Infinity), q.lt(f, want));
        case 'lte':
          return q.and(q.gte(f, -Infinity), q.lte(f, want));
        case 'gt':
          return q.and(q.gt(f, want), q.lte(f, Infinity));
        case 'gte':
          return q.and(q.gte(f, want), q.lte(f, Infinity));
      }
    };
    const expr = (node: CondNode, onMissing: boolean): E => {
      switch (node.kind) {
        case 'true':
          return TRUE;
        case 'and':
          return q.and(...node.items.map((n) => expr(n, onMissing)));
        case 'or':
          return q.or(...node.items.map((n) => expr(n, onMissing)));
        case 'cmp':
          return cmp(node, onMissing);
      }
    };
    if (!scopeOk || allow.length === 0) return FALSE;
    const parts: E[] = [];
    if (tenant && tf) {
      const mine = attrs[tenant.principal];
      if (typeof mine !== 'string') return FALSE;
      parts.push(q.eq(q.field(tf), mine));
    }
    parts.push(q.or(...allow.map((r) => expr(r.node, false))));
    if (denies.length) parts.push(q.not(q.or(...denies.map((r) => expr(r.node, true)))));
    return q.and(...parts);
  };
}

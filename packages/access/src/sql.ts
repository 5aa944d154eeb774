/**
 * Policies as SQL: a `WHERE` fragment with parameters (node-postgres / PGlite placeholders
 * `$1`, `$2`, …) that selects exactly the rows `can()` allows, so "list what I may see" never
 * loads rows it then drops. Three-valued logic is handled: NULL columns behave like missing
 * fields do in `can()` (tested against row-by-row decisions on real PostgreSQL and PGlite).
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import { resolve, usable, type CondNode, type Scalar } from './condition.js';
import type { ActionOf, FieldOf, Policy, Principal, Resources } from './policy.js';

/** Options of {@link accessibleWhere}. */
export interface SqlFilterOptions<F extends string = string> {
  /** SQL expression per field, e.g. `{ tenantId: 'p.tenant_id' }` (trusted text: never user input). @default `"<field>"` */
  columns?: Partial<Record<F, string>>;
  /** Placeholders start after this many existing parameters. @default 0 */
  paramOffset?: number;
}

/** A `WHERE` fragment and its parameters. */
export interface SqlFilter {
  sql: string;
  params: unknown[];
}

/**
 * The rows of `type` that `principal` may `action`, as a SQL condition.
 *
 * @example
 * ```ts no-run
 * const where = accessibleWhere(policy, principal, 'read', 'comment', { columns: { tenantId: 'tenant_id', authorId: 'author_id' } });
 * const { rows } = await pool.query(`select * from comments where ${where.sql} order by id`, where.params);
 * ```
 */
export function accessibleWhere<R extends Resources, Role extends string, T extends keyof R & string>(
  policy: Policy<R, Role>,
  principal: Principal<Role>,
  action: ActionOf<R, T>,
  type: T,
  options: SqlFilterOptions<FieldOf<R, T>> = {},
): SqlFilter {
  const params: unknown[] = [];
  const offset = options.paramOffset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) throw new ConfigurationError('paramOffset', 'must be a non-negative integer', { received: offset });
  const columns = (options.columns ?? {}) as Record<string, string | undefined>;
  const col = (field: string) => columns[field] ?? `"${field}"`;
  const param = (value: unknown) => {
    params.push(value);
    return `$${offset + params.length}`;
  };
  const attrs = principal as unknown as Record<string, unknown>;

  const cmp = (node: Extract<CondNode, { kind: 'cmp' }>, onMissing: boolean): string => {
    const want = resolve(node.value, attrs);
    if (!usable(node.op, want)) return onMissing ? 'TRUE' : 'FALSE';
    const c = col(node.field);
    switch (node.op) {
      case 'eq':
        return want === null ? `(${c} IS NULL)` : `(${c} IS NOT DISTINCT FROM ${param(want)})`;
      case 'ne':
        return want === null ? `(${c} IS NOT NULL)` : `(${c} IS DISTINCT FROM ${param(want)})`;
      case 'in':
      case 'nin': {
        const list = want as Scalar[];
        const values = list.filter((v) => v !== null);
        const hasNull = values.length !== list.length;
        const any = values.length ? `COALESCE(${c} = ANY(${param(values)}), FALSE)` : 'FALSE';
        if (node.op === 'in') return hasNull ? `(${any} OR ${c} IS NULL)` : `(${any})`;
        return hasNull ? `(${c} IS NOT NULL AND NOT ${any})` : `(${c} IS NULL OR NOT ${any})`;
      }
      default: {
        const op = { lt: '<', lte: '<=', gt: '>', gte: '>=' }[node.op];
        return `COALESCE(${c} ${op} ${param(want)}, FALSE)`;
      }
    }
  };
  const expr = (node: CondNode, onMissing: boolean): string => {
    switch (node.kind) {
      case 'true':
        return 'TRUE';
      case 'and':
        return `(${node.items.map((n) => expr(n, onMissing)).join(' AND ')})`;
      case 'or':
        return `(${node.items.map((n) => expr(n, onMissing)).join(' OR ')})`;
      case 'cmp':
        return cmp(node, onMissing);
    }
  };

  policy.explain(principal, action, type); // checks the type, the action and the principal's roles
  const parts: string[] = [];
  const tenant = policy.definition.tenant;
  const tf = policy.tenantFieldOf(type);
  if (tenant && tf) {
    const mine = attrs[tenant.principal];
    if (typeof mine !== 'string') return { sql: 'FALSE', params: [] };
    parts.push(`COALESCE(${col(tf)} = ${param(mine)}, FALSE)`);
  }
  if (principal.scopes !== undefined) {
    const s = principal.scopes;
    if (!(s.includes('*') || s.includes(`${type}:*`) || s.includes(`${type}:${action}`))) return { sql: 'FALSE', params: [] };
  }
  const { allow, deny } = policy.rulesFor(principal, action, type);
  if (allow.length === 0) return { sql: 'FALSE', params: [] };
  parts.push(`(${allow.map((r) => expr(r.node, false)).join(' OR ')})`);
  const denies = deny.filter((r) => !r.fields);
  if (denies.length) parts.push(`NOT (${denies.map((r) => expr(r.node, true)).join(' OR ')})`);
  return { sql: parts.join(' AND '), params };
}

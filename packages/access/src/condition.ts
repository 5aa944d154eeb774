/**
 * Conditions: a small declarative language over a resource's attributes, so one definition can
 * be evaluated in JavaScript, compiled to a SQL `WHERE` fragment and to a Convex filter, with the
 * same answer for every row.
 *
 * - `{ field: value }` — equal (strings, numbers, booleans; `null` matches a missing field)
 * - `{ field: { ne | in | nin | lt | lte | gt | gte: value } }` (`lt`… on numbers only)
 * - a value may be `{ principal: 'attr' }`: the principal's attribute (e.g. its `id`)
 * - `{ anyOf: [cond, cond] }` — either; several fields in one object — all
 *
 * A condition that refers to a principal attribute the principal does not have never matches in
 * an allow rule and always matches in a deny rule (fails closed).
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';

/** A scalar a condition compares with. */
export type Scalar = string | number | boolean | null;
/** A reference to an attribute of the principal, e.g. `{ principal: 'id' }`. */
export interface PrincipalRef {
  principal: string;
}
/** A value in a condition: a literal or a principal attribute. */
export type CondValue = Scalar | PrincipalRef;
/** Operators on one field. */
export interface FieldOps {
  eq?: CondValue;
  ne?: CondValue;
  in?: readonly Scalar[] | PrincipalRef;
  nin?: readonly Scalar[] | PrincipalRef;
  lt?: number | PrincipalRef;
  lte?: number | PrincipalRef;
  gt?: number | PrincipalRef;
  gte?: number | PrincipalRef;
}
/** A condition over the fields `F` of a resource. */
export type Condition<F extends string = string> = { [K in F]?: CondValue | FieldOps } & { anyOf?: readonly Condition<F>[] };

/** The compiled form: a tree the evaluators and compilers share. */
export type CondNode =
  | { kind: 'true' }
  | { kind: 'and'; items: CondNode[] }
  | { kind: 'or'; items: CondNode[] }
  | { kind: 'cmp'; field: string; op: Op; value: CondValue | readonly Scalar[] };
export type Op = 'eq' | 'ne' | 'in' | 'nin' | 'lt' | 'lte' | 'gt' | 'gte';

const OPS: readonly Op[] = ['eq', 'ne', 'in', 'nin', 'lt', 'lte', 'gt', 'gte'];
const FIELD = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Whether `name` can be a field or principal attribute: an identifier that is not a property of
 * `Object.prototype` (`constructor`, `toString`, `__proto__`, ...), so the compiled checks can
 * read `object[name]` directly without ever seeing an inherited value.
 */
export function isSafeName(name: string): boolean {
  return FIELD.test(name) && !(name in Object.prototype);
}

const isRef = (v: unknown): v is PrincipalRef =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as PrincipalRef).principal === 'string';

function checkRefs(value: unknown, path: string): void {
  if (isRef(value) && !isSafeName(value.principal)) throw new ConfigurationError(`${path}.principal`, 'is not a valid attribute name (letters, digits, _; not an Object.prototype name)');
}
const isScalar = (v: unknown): v is Scalar => v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/**
 * Checks and compiles a condition.
 * @param where - names the rule in errors, e.g. `roles.editor.allow[0].when`
 * @param fields - the resource's declared fields (undefined: any identifier)
 * @throws {ConfigurationError} naming the path of a bad field, operator or value
 */
export function compileCondition(cond: unknown, where: string, fields?: ReadonlySet<string>): CondNode {
  if (cond === undefined) return { kind: 'true' };
  if (typeof cond !== 'object' || cond === null || Array.isArray(cond)) throw new ConfigurationError(where, 'must be a condition object');
  const items: CondNode[] = [];
  for (const [key, raw] of Object.entries(cond)) {
    if (key === 'anyOf') {
      if (!Array.isArray(raw) || raw.length === 0) throw new ConfigurationError(`${where}.anyOf`, 'must be a non-empty array of conditions');
      items.push({ kind: 'or', items: raw.map((c, i) => compileCondition(c, `${where}.anyOf[${i}]`, fields)) });
      continue;
    }
    if (!isSafeName(key)) throw new ConfigurationError(`${where}.${key}`, 'is not a valid field name (letters, digits, _; not an Object.prototype name)');
    if (fields && !fields.has(key)) throw new ConfigurationError(`${where}.${key}`, `is not a declared field of the resource (${[...fields].join(', ')})`);
    checkRefs(raw, `${where}.${key}`);
    if (isScalar(raw) || isRef(raw)) {
      items.push({ kind: 'cmp', field: key, op: 'eq', value: raw });
      continue;
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigurationError(`${where}.${key}`, 'must be a value, { principal }, or operators');
    for (const [op, value] of Object.entries(raw as Record<string, unknown>)) {
      if (!OPS.includes(op as Op)) throw new ConfigurationError(`${where}.${key}.${op}`, `is not an operator (${OPS.join(', ')})`);
      const path = `${where}.${key}.${op}`;
      checkRefs(value, path);
      if (op === 'in' || op === 'nin') {
        if (!isRef(value) && !(Array.isArray(value) && value.every(isScalar))) throw new ConfigurationError(path, 'must be an array of strings, numbers, booleans or null, or { principal }');
      } else if (op === 'eq' || op === 'ne') {
        if (!isScalar(value) && !isRef(value)) throw new ConfigurationError(path, 'must be a string, number, boolean, null or { principal }');
      } else if (!isRef(value) && !(typeof value === 'number' && Number.isFinite(value))) {
        throw new ConfigurationError(path, 'must be a finite number or { principal } (ordering is defined on numbers only)');
      }
      items.push({ kind: 'cmp', field: key, op: op as Op, value: value as CondValue });
    }
  }
  if (items.length === 0) return { kind: 'true' };
  return items.length === 1 ? items[0]! : { kind: 'and', items };
}

/** A principal attribute's value, or `undefined` when missing or not a scalar (arrays for in/nin). */
export function resolve(value: CondValue | readonly Scalar[], principal: Record<string, unknown>): unknown {
  if (!isRef(value)) return value;
  return Object.prototype.hasOwnProperty.call(principal, value.principal) ? principal[value.principal] : undefined;
}

/** Whether a resolved operand is usable for `op` (a missing or wrong-typed principal attribute is not). */
export function usable(op: Op, v: unknown): boolean {
  if (op === 'in' || op === 'nin') return Array.isArray(v) && v.every(isScalar);
  if (op === 'eq' || op === 'ne') return isScalar(v);
  return typeof v === 'number' && Number.isFinite(v);
}

const own = (resource: Record<string, unknown>, field: string): unknown =>
  Object.prototype.hasOwnProperty.call(resource, field) ? resource[field] : undefined;

/** A missing field reads as `null`: the same as a NULL column and a missing Convex field. */
const norm = (v: unknown): unknown => (v === undefined ? null : v);

/**
 * Evaluates a compiled condition. `onMissing` is the result of a comparison whose principal
 * operand is missing: `false` for allow rules, `true` for deny rules (fail closed).
 */
export function evaluate(node: CondNode, resource: Record<string, unknown>, principal: Record<string, unknown>, onMissing: boolean): boolean {
  switch (node.kind) {
    case 'true':
      return true;
    case 'and':
      return node.items.every((n) => evaluate(n, resource, principal, onMissing));
    case 'or':
      return node.items.some((n) => evaluate(n, resource, principal, onMissing));
    case 'cmp': {
      const want = resolve(node.value, principal);
      if (!usable(node.op, want)) return onMissing;
      const have = norm(own(resource, node.field));
      switch (node.op) {
        case 'eq':
          return have === want;
        case 'ne':
          return have !== want;
        case 'in':
          return (want as Scalar[]).includes(have as Scalar);
        case 'nin':
          return !(want as Scalar[]).includes(have as Scalar);
        case 'lt':
          return typeof have === 'number' && have < (want as number);
        case 'lte':
          return typeof have === 'number' && have <= (want as number);
        case 'gt':
          return typeof have === 'number' && have > (want as number);
        case 'gte':
          return typeof have === 'number' && have >= (want as number);
      }
    }
  }
}

/** A compiled condition: reads `resource[field]` and `principal[attr]` directly (names are checked safe). */
export type CondFn = (resource: Record<string, unknown>, principal: Record<string, unknown>) => boolean;

/**
 * Compiles a condition tree into one closure per node, so a decision does no interpretation.
 * Same semantics as {@link evaluate} (a property test checks both on random conditions and data).
 */
export function compileFn(node: CondNode, onMissing: boolean): CondFn {
  switch (node.kind) {
    case 'true':
      return () => true;
    case 'and': {
      const fns = node.items.map((n) => compileFn(n, onMissing));
      return (r, p) => {
        for (const fn of fns) if (!fn(r, p)) return false;
        return true;
      };
    }
    case 'or': {
      const fns = node.items.map((n) => compileFn(n, onMissing));
      return (r, p) => {
        for (const fn of fns) if (fn(r, p)) return true;
        return false;
      };
    }
    case 'cmp': {
      const { field, op, value } = node;
      const ref = isRef(value) ? value.principal : undefined;
      const literal = ref === undefined ? value : undefined;
      const get = ref === undefined ? () => literal : (p: Record<string, unknown>) => p[ref];
      const read = (r: Record<string, unknown>) => {
        const v = r[field];
        return v === undefined ? null : v;
      };
      switch (op) {
        case 'eq':
          if (ref !== undefined) {
            // The hot path of ownership rules, inlined: { ownerId: { principal: 'id' } }.
            return (r, p) => {
              const want = p[ref];
              if (typeof want === 'string' || typeof want === 'boolean' || want === null || (typeof want === 'number' && Number.isFinite(want))) {
                const have = r[field];
                return (have === undefined ? null : have) === want;
              }
              return onMissing;
            };
          }
          return (r) => read(r) === literal;
        case 'ne':
          return (r, p) => {
            const want = get(p);
            return isScalar(want) ? read(r) !== want : onMissing;
          };
        case 'in':
        case 'nin': {
          const negate = op === 'nin';
          return (r, p) => {
            const want = get(p);
            if (!usable(op, want)) return onMissing;
            return (want as Scalar[]).includes(read(r) as Scalar) !== negate;
          };
        }
        default: {
          const cmp =
            op === 'lt' ? (a: number, b: number) => a < b : op === 'lte' ? (a: number, b: number) => a <= b : op === 'gt' ? (a: number, b: number) => a > b : (a: number, b: number) => a >= b;
          return (r, p) => {
            const want = get(p);
            if (typeof want !== 'number' || !Number.isFinite(want)) return onMissing;
            const have = r[field];
            return typeof have === 'number' && cmp(have, want);
          };
        }
      }
    }
  }
}

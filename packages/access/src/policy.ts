/**
 * `definePolicy`: resources (their actions and fields), roles (with inheritance) and rules,
 * declared once and typed end to end; `can`, `assert`, `explain`, `permittedFields`.
 *
 * Decision order (the explanation names the deciding rule):
 * 1. tenant isolation: a resource of another tenant is denied (`tenant`);
 * 2. API-key scopes: a principal with `scopes` must hold `type:action`, `type:*` or `*` (`scope`);
 * 3. any matching deny rule of the principal's roles denies (`deny`): explicit deny beats allow;
 * 4. any matching allow rule allows (`allow`);
 * 5. otherwise deny (`default`).
 *
 * @module
 */
import { checkOptions } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import { compileCondition, compileFn, isSafeName, type CondFn, type CondNode, type Condition } from './condition.js';

/** A resource type: its actions and (optionally) its fields. */
export interface ResourceDef {
  readonly actions: readonly string[];
  /** Declared fields: conditions and field permissions may use only these. @default any identifier */
  readonly fields?: readonly string[];
  /** The field holding the resource's tenant, when the policy isolates tenants. @default the policy's `tenant.field` */
  readonly tenantField?: string;
}
/** Resource definitions by type name. */
export type Resources = Record<string, ResourceDef>;
/** The actions of resource type `T`. */
export type ActionOf<R extends Resources, T extends keyof R> = R[T]['actions'][number];
/** The fields of resource type `T` (any string when none are declared). */
export type FieldOf<R extends Resources, T extends keyof R> = R[T]['fields'] extends readonly string[] ? R[T]['fields'][number] : string;

/** One rule on one resource type. */
export type RuleDef<R extends Resources> = {
  [T in keyof R & string]: {
    resource: T;
    /** The actions, or `'*'` for all of the type's actions. */
    actions: readonly ActionOf<R, T>[] | '*';
    /** When it applies (ABAC). @default always */
    when?: Condition<FieldOf<R, T>>;
    /** Allow rules: the fields this grants (default all). Deny rules: the fields this withholds (default: the whole action). */
    fields?: readonly FieldOf<R, T>[];
    /** A stable name for explanations and audit events. @default `<role>.<allow|deny>[<index>]` */
    id?: string;
  };
}[keyof R & string] | {
  /** Every resource type (e.g. a super-admin rule). Conditions and fields belong on per-type rules. */
  resource: '*';
  /** With `resource: '*'`, all actions of every type. */
  actions: '*';
  id?: string;
};

/** A role: rules of its own plus everything of the roles it inherits. */
export interface RoleDef<R extends Resources, Role extends string> {
  inherits?: readonly Role[];
  allow?: readonly RuleDef<R>[];
  deny?: readonly RuleDef<R>[];
}

/** The policy definition. */
export interface PolicyDef<R extends Resources, Role extends string> {
  resources: R;
  roles: Record<Role, RoleDef<R, NoInfer<Role>>>;
  /**
   * Tenant isolation: a resource whose `field` differs from the principal's `principal`
   * attribute is denied before any rule is looked at (also in the SQL and Convex filters).
   */
  tenant?: { field: string; principal: string };
}

/** Who is asking. */
export interface Principal<Role extends string = string> {
  id: string;
  roles: readonly Role[];
  /** API-key scopes (`type:action`, `type:*`, `*`): a key never exceeds its owner's roles, and its scopes narrow them further. */
  scopes?: readonly string[];
  [attribute: string]: unknown;
}

/** Why a decision came out as it did. */
export interface Decision {
  allowed: boolean;
  /** `allow`/`deny`: a rule decided; `tenant`, `scope`: isolation or a missing scope; `default`: no rule allowed it. */
  reason: 'allow' | 'deny' | 'tenant' | 'scope' | 'default';
  /** The deciding rule's id, when a rule decided. */
  rule?: string;
  /** The role the deciding rule came from. */
  role?: string;
  action: string;
  resource: string;
  principal: string;
}

interface CompiledRule {
  id: string;
  role: string;
  effect: 'allow' | 'deny';
  node: CondNode;
  /** `node` compiled to a closure (deny rules fail closed on a missing principal attribute). */
  test: CondFn;
  fields: ReadonlySet<string> | undefined;
}

/** A compiled policy. */
export interface Policy<R extends Resources, Role extends string> {
  /** The definition, as given. */
  readonly definition: PolicyDef<R, Role>;
  /** Whether `principal` may do `action` on `type` (optionally on one resource, optionally on one `field`). */
  can<T extends keyof R & string>(principal: Principal<Role>, action: ActionOf<R, T>, type: T, resource?: Readonly<Partial<Record<FieldOf<R, T>, unknown>>>, options?: { field?: FieldOf<R, T> }): boolean;
  /** The decision with its reason and deciding rule. */
  explain<T extends keyof R & string>(principal: Principal<Role>, action: ActionOf<R, T>, type: T, resource?: Readonly<Partial<Record<FieldOf<R, T>, unknown>>>, options?: { field?: FieldOf<R, T> }): Decision;
  /** The fields `principal` may `action` on this resource (e.g. `read` → which fields to return). */
  permittedFields<T extends keyof R & string>(principal: Principal<Role>, action: ActionOf<R, T>, type: T, resource?: Readonly<Partial<Record<FieldOf<R, T>, unknown>>>): FieldOf<R, T>[];
  /** @internal the applicable rules (for the query compilers) */
  rulesFor(principal: Principal<Role>, action: string, type: string): { allow: CompiledRule[]; deny: CompiledRule[] };
  /** @internal */
  readonly resourceTypes: readonly string[];
  /** @internal */
  tenantFieldOf(type: string): string | undefined;
}

export type { CompiledRule };

const POLICY_KEYS = ['resources', 'roles', 'tenant'];

/** A rule as untyped code may pass it (checked field by field). */
interface LooseRule {
  resource: unknown;
  actions: unknown;
  when?: unknown;
  fields?: unknown;
  id?: string;
}

function checkRecord(name: string, value: unknown): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigurationError(name, 'must be an object');
}

/**
 * Defines a typed policy. TypeScript refuses an unknown resource type, an action the type does
 * not have, an undeclared field, and an unknown role; at run time the same mistakes (from
 * untyped code) throw `ConfigurationError` naming the path.
 *
 * @example
 * ```ts
 * const policy = definePolicy({
 *   resources: { comment: { actions: ['read', 'update'], fields: ['authorId', 'tenantId', 'body'] } },
 *   tenant: { field: 'tenantId', principal: 'tenantId' },
 *   roles: {
 *     viewer: { allow: [{ resource: 'comment', actions: ['read'] }] },
 *     editor: { inherits: ['viewer'], allow: [{ resource: 'comment', actions: ['update'], when: { authorId: { principal: 'id' } } }] },
 *   },
 * });
 * policy.can({ id: 'u1', roles: ['editor'], tenantId: 't1' }, 'update', 'comment', { authorId: 'u1', tenantId: 't1' }); // true
 * ```
 */
export function definePolicy<const R extends Resources, const Role extends string>(definition: PolicyDef<R, Role>): Policy<R, Role> {
  checkOptions('definePolicy', definition, POLICY_KEYS);
  checkRecord('resources', definition?.resources);
  checkRecord('roles', definition.roles);
  const resources = definition.resources as Resources;
  const types = Object.keys(resources);
  if (types.length === 0) throw new ConfigurationError('resources', 'must declare at least one resource type');
  const fieldSets = new Map<string, ReadonlySet<string> | undefined>();
  for (const type of types) {
    const def = resources[type]!;
    checkOptions(`resources.${type}`, def, ['actions', 'fields', 'tenantField']);
    if (!Array.isArray(def.actions) || def.actions.length === 0 || !def.actions.every((a) => typeof a === 'string' && a !== '' && a !== '*')) {
      throw new ConfigurationError(`resources.${type}.actions`, 'must be a non-empty array of action names (not "*")');
    }
    if (def.fields !== undefined && (!Array.isArray(def.fields) || !def.fields.every((f) => typeof f === 'string' && isSafeName(f)))) {
      throw new ConfigurationError(`resources.${type}.fields`, 'must be an array of field names (letters, digits, _; not an Object.prototype name)');
    }
    if (def.tenantField !== undefined && (typeof def.tenantField !== 'string' || !isSafeName(def.tenantField))) {
      throw new ConfigurationError(`resources.${type}.tenantField`, 'must be a field name', { received: def.tenantField });
    }
    fieldSets.set(type, def.fields ? new Set(def.fields) : undefined);
  }
  const tenant = definition.tenant;
  if (tenant !== undefined) {
    checkOptions('tenant', tenant, ['field', 'principal']);
    if (typeof tenant.field !== 'string' || typeof tenant.principal !== 'string' || !isSafeName(tenant.field) || !isSafeName(tenant.principal)) {
      throw new ConfigurationError('tenant', 'must be { field, principal } (field and attribute names)');
    }
  }
  const tenantFieldOf = (type: string) => resources[type]?.tenantField ?? tenant?.field;

  const roleNames = Object.keys(definition.roles);
  const roles = definition.roles as unknown as Record<string, { inherits?: readonly string[]; allow?: readonly unknown[]; deny?: readonly unknown[] }>;
  // rules[role][type][action] = { allow, deny } of the role itself (inheritance is resolved per principal).
  const own = new Map<string, Map<string, Map<string, { allow: CompiledRule[]; deny: CompiledRule[] }>>>();
  for (const role of roleNames) {
    const def = roles[role]!;
    checkOptions(`roles.${role}`, def, ['inherits', 'allow', 'deny']);
    for (const parent of def.inherits ?? []) {
      if (!roleNames.includes(parent)) throw new ConfigurationError(`roles.${role}.inherits`, `names an unknown role "${parent}"`);
    }
    const byType = new Map<string, Map<string, { allow: CompiledRule[]; deny: CompiledRule[] }>>();
    own.set(role, byType);
    for (const effect of ['allow', 'deny'] as const) {
      const list = def[effect] ?? [];
      if (!Array.isArray(list)) throw new ConfigurationError(`roles.${role}.${effect}`, 'must be an array of rules');
      list.forEach((raw: unknown, i) => {
        const where = `roles.${role}.${effect}[${i}]`;
        checkOptions(where, raw, ['resource', 'actions', 'when', 'fields', 'id']);
        const rule = raw as LooseRule | undefined;
        if (!rule) throw new ConfigurationError(where, 'must be a rule object');
        const ruleTypes = (rule.resource as string) === '*' ? types : [rule.resource as string];
        if (!types.includes(ruleTypes[0]!)) throw new ConfigurationError(`${where}.resource`, `is not a declared resource type (${types.join(', ')})`);
        for (const type of ruleTypes) {
          const declared = resources[type]!.actions;
          const actions: readonly string[] = rule.actions === '*' ? declared : (rule.actions as readonly string[]);
          if (!Array.isArray(actions as unknown) || actions.length === 0) throw new ConfigurationError(`${where}.actions`, 'must be "*" or a non-empty array');
          for (const a of actions) if (!declared.includes(a)) throw new ConfigurationError(`${where}.actions`, `"${a}" is not an action of ${type} (${declared.join(', ')})`);
          const fields = fieldSets.get(type);
          if (rule.fields !== undefined) {
            if (!Array.isArray(rule.fields)) throw new ConfigurationError(`${where}.fields`, 'must be an array of field names');
            for (const f of rule.fields as string[]) if (fields && !fields.has(f)) throw new ConfigurationError(`${where}.fields`, `"${f}" is not a field of ${type}`);
          }
          const node = compileCondition(rule.when, `${where}.when`, fields);
          const compiled: CompiledRule = {
            id: rule.id ?? `${role}.${effect}[${i}]`,
            role,
            effect,
            node,
            test: compileFn(node, effect === 'deny'),
            fields: rule.fields ? new Set(rule.fields as string[]) : undefined,
          };
          let byAction = byType.get(type);
          if (!byAction) byType.set(type, (byAction = new Map<string, { allow: CompiledRule[]; deny: CompiledRule[] }>()));
          for (const a of actions) {
            let slot = byAction.get(a);
            if (!slot) byAction.set(a, (slot = { allow: [], deny: [] }));
            slot[effect].push(compiled);
          }
        }
      });
    }
  }
  // Inheritance closure per role, refusing cycles.
  const closure = new Map<string, string[]>();
  const visit = (role: string, path: string[]): string[] => {
    const done = closure.get(role);
    if (done) return done;
    if (path.includes(role)) throw new ConfigurationError(`roles.${role}.inherits`, `forms a cycle (${[...path, role].join(' → ')})`);
    const out = new Set([role]);
    for (const parent of roles[role]!.inherits ?? []) for (const r of visit(parent, [...path, role])) out.add(r);
    const list = [...out];
    closure.set(role, list);
    return list;
  };
  for (const role of roleNames) visit(role, []);

  // Rules for (role set, type, action). Two caches: per roles array (checked element by element
  // on every call, so a mutated array is never served stale rules), and per role-set key.
  type Slot = { allow: CompiledRule[]; deny: CompiledRule[] };
  const EMPTY: Slot = { allow: [], deny: [] };
  const bySet = new Map<string, Map<string, Map<string, Slot>>>();
  const byArray = new WeakMap<readonly string[], { roles: string[]; index: Map<string, Map<string, Slot>> }>();
  // Per type: its actions, each with the scope that grants it (`type:action`), and `type:*`;
  // built once, so a decision makes no strings.
  const actionScopes = new Map(types.map((t) => [t, new Map(resources[t]!.actions.map((a) => [a, { any: `${t}:*`, scope: `${t}:${a}` }]))]));

  // The last roles array seen: most calls in a request come from one principal.
  let last: { array: readonly string[]; roles: string[]; index: Map<string, Map<string, Slot>> } | undefined;

  function indexFor(principalRoles: readonly string[]): Map<string, Map<string, Slot>> {
    if (last !== undefined && last.array === principalRoles && last.roles.length === principalRoles.length) {
      let same = true;
      for (let i = 0; i < principalRoles.length; i++) if (last.roles[i] !== principalRoles[i]) same = false;
      if (same) return last.index;
    }
    const found = lookup(principalRoles);
    last = { array: principalRoles, roles: [...principalRoles], index: found };
    return found;
  }

  function lookup(principalRoles: readonly string[]): Map<string, Map<string, Slot>> {
    const cached = byArray.get(principalRoles);
    if (cached && cached.roles.length === principalRoles.length) {
      let same = true;
      for (let i = 0; i < principalRoles.length; i++) if (cached.roles[i] !== principalRoles[i]) same = false;
      if (same) return cached.index;
    }
    if (!Array.isArray(principalRoles as unknown) || !principalRoles.every((r) => typeof r === 'string')) {
      throw new ConfigurationError('principal.roles', 'must be an array of role names', { received: principalRoles });
    }
    const key = principalRoles.join('\u0000');
    let index = bySet.get(key);
    if (!index) {
      index = new Map();
      if (bySet.size >= 1000) bySet.delete(bySet.keys().next().value as string);
      bySet.set(key, index);
    }
    byArray.set(principalRoles, { roles: [...principalRoles], index });
    return index;
  }

  function slotOf(principalRoles: readonly string[], type: string, action: string): Slot {
    const index = indexFor(principalRoles);
    let byAction = index.get(type);
    if (!byAction) index.set(type, (byAction = new Map<string, Slot>()));
    let slot = byAction.get(action);
    if (slot) return slot;
    const all = new Set<string>();
    for (const r of principalRoles) for (const x of closure.get(r) ?? []) all.add(x); // unknown roles grant nothing
    const allow: CompiledRule[] = [];
    const deny: CompiledRule[] = [];
    for (const r of all) {
      const own_ = own.get(r)?.get(type)?.get(action);
      if (own_) {
        allow.push(...own_.allow);
        deny.push(...own_.deny);
      }
    }
    slot = allow.length || deny.length ? { allow, deny } : EMPTY;
    byAction.set(action, slot);
    return slot;
  }

  function rulesFor(principal: Principal<Role>, action: string, type: string): Slot {
    return slotOf(principal?.roles, type, action);
  }

  /** Refuses an undeclared type or action; returns the scope names that grant `action` on `type`. */
  function checkCall(type: string, action: string): { any: string; scope: string } {
    const actions = actionScopes.get(type);
    if (!actions) throw new ConfigurationError('type', `is not a declared resource type (${types.join(', ')})`, { received: type });
    const granting = actions.get(action);
    if (granting === undefined) throw new ConfigurationError('action', `is not an action of ${type} (${resources[type]!.actions.join(', ')})`, { received: action });
    return granting;
  }

  const TENANT = 1;
  const SCOPE = 2;
  const DEFAULT = 3;
  const NONE: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

  /** The deciding rule, or why none decided. Allocates nothing on the common path. */
  function decide(principal: Principal<Role>, action: string, type: string, resource: Record<string, unknown> | undefined, field: string | undefined): CompiledRule | 1 | 2 | 3 {
    const granting = checkCall(type, action);
    if (typeof principal !== 'object' || principal === null) throw new ConfigurationError('principal', 'must be { id, roles }', { received: principal });
    const attrs = principal as Record<string, unknown>;
    const res = resource ?? NONE;
    if (tenant !== undefined && resource !== undefined) {
      const tf = tenantFieldOf(type);
      if (tf !== undefined) {
        const mine = attrs[tenant.principal];
        if (typeof mine !== 'string' || res[tf] !== mine) return TENANT;
      }
    }
    const scopes = principal.scopes;
    if (scopes !== undefined && !(scopes.includes(granting.scope) || scopes.includes('*') || scopes.includes(granting.any))) return SCOPE;
    const { allow, deny } = slotOf(principal.roles, type, action);
    for (const rule of deny) {
      if (rule.fields !== undefined && (field === undefined || !rule.fields.has(field))) continue; // a field-level deny withholds fields, not the action
      if (rule.test(res, attrs)) return rule;
    }
    for (const rule of allow) {
      if (field !== undefined && rule.fields !== undefined && !rule.fields.has(field)) continue;
      if (rule.test(res, attrs)) return rule;
    }
    return DEFAULT;
  }

  function explain(principal: Principal<Role>, action: string, type: string, resource?: Record<string, unknown>, options?: { field?: string }): Decision {
    const out = decide(principal, action, type, resource, options?.field);
    const base = { action, resource: type, principal: typeof principal?.id === 'string' ? principal.id : '' };
    if (out === TENANT) return { ...base, allowed: false, reason: 'tenant' };
    if (out === SCOPE) return { ...base, allowed: false, reason: 'scope' };
    if (out === DEFAULT) return { ...base, allowed: false, reason: 'default' };
    return { ...base, allowed: out.effect === 'allow', reason: out.effect, rule: out.id, role: out.role };
  }

  const policy: Policy<R, Role> = {
    definition,
    resourceTypes: types,
    tenantFieldOf,
    rulesFor,
    explain: explain as Policy<R, Role>['explain'],
    can: ((principal: Principal<Role>, action: string, type: string, resource?: Record<string, unknown>, options?: { field?: string }) => {
      const out = decide(principal, action, type, resource, options?.field);
      return typeof out === 'object' && out.effect === 'allow';
    }) as Policy<R, Role>['can'],
    permittedFields: ((principal: Principal<Role>, action: string, type: string, resource?: Record<string, unknown>) => {
      const declared = resources[type]?.fields;
      if (!declared) throw new ConfigurationError('type', `${type} declares no fields`);
      return declared.filter((field) => {
        const out = decide(principal, action, type, resource, field);
        return typeof out === 'object' && out.effect === 'allow';
      });
    }) as Policy<R, Role>['permittedFields'],
  };
  return policy;
}

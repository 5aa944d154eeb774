/**
 * Policy tests as data, and the role × action matrix: users keep a table of expected
 * decisions in their own CI, and print what each role may do for reviews.
 *
 * @module
 */
import type { Decision, Policy, Principal, Resources } from './policy.js';

/** One expected decision. */
export interface PolicyCase {
  /** A label for the report. @default `principal action type` */
  name?: string;
  principal: Principal;
  action: string;
  /** The resource type and (optionally) its attributes. */
  resource: { type: string; [field: string]: unknown };
  /** Check one field of the resource. */
  field?: string;
  expect: 'allow' | 'deny';
}

/** A case whose decision differed, with the decision for the report. */
export interface PolicyCaseFailure {
  case: PolicyCase;
  decision: Decision;
}

/**
 * Runs a table of expected decisions; returns the failures (empty when the policy does what
 * the table says). A case naming an unknown type or action fails with reason `default`.
 *
 * @example
 * ```ts no-run
 * const failures = checkPolicyTable(policy, JSON.parse(readFileSync('policy-cases.json', 'utf8')));
 * if (failures.length) { console.error(failures); process.exit(1); }
 * ```
 */
export function checkPolicyTable<R extends Resources, Role extends string>(policy: Policy<R, Role>, cases: readonly PolicyCase[]): PolicyCaseFailure[] {
  const failures: PolicyCaseFailure[] = [];
  for (const c of cases) {
    const { type, ...attrs } = c.resource;
    let decision: Decision;
    try {
      decision = (policy.explain as (p: Principal, a: string, t: string, r?: object, o?: { field?: string }) => Decision)(
        c.principal,
        c.action,
        type,
        attrs,
        c.field !== undefined ? { field: c.field } : undefined,
      );
    } catch (error) {
      decision = { allowed: false, reason: 'default', action: c.action, resource: type, principal: c.principal?.id ?? '', rule: `error: ${error instanceof Error ? error.message : String(error)}` };
    }
    if ((decision.allowed ? 'allow' : 'deny') !== c.expect) failures.push({ case: c, decision });
  }
  return failures;
}

/**
 * A Markdown table: one row per role, one column per `type:action`; `✓` allowed
 * unconditionally, `if` allowed under a condition (or field-restricted), `✗` never (or denied).
 */
export function policyMatrix<R extends Resources, Role extends string>(policy: Policy<R, Role>): string {
  const resources = policy.definition.resources as Resources;
  const columns = Object.entries(resources).flatMap(([type, def]) => def.actions.map((a) => [type, a] as const));
  const roles = Object.keys(policy.definition.roles);
  const head = `| role | ${columns.map(([t, a]) => `${t}:${a}`).join(' | ')} |`;
  const sep = `|---|${columns.map(() => '---').join('|')}|`;
  const rows = roles.map((role) => {
    const cells = columns.map(([type, action]) => {
      const { allow, deny } = policy.rulesFor({ id: '', roles: [role as Role] }, action, type);
      if (deny.some((r) => r.node.kind === 'true' && !r.fields)) return '✗';
      if (allow.some((r) => r.node.kind === 'true' && !r.fields) && deny.length === 0) return '✓';
      return allow.length ? 'if' : '✗';
    });
    return `| ${role} | ${cells.join(' | ')} |`;
  });
  return [head, sep, ...rows].join('\n');
}

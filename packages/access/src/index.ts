/**
 * `@armor/access`: typed access control. One policy (resources, roles with inheritance, allow
 * and deny rules with conditions, tenant isolation, field permissions) answers `can()`,
 * explains every decision, and compiles to SQL and Convex filters that return exactly the rows
 * `can()` allows. Runtime-neutral (Node, Convex, edge); adapters under `/express` and `/convex`.
 *
 * @module
 */
export { definePolicy } from './policy.js';
export type { ActionOf, Decision, FieldOf, Policy, PolicyDef, Principal, Resources, ResourceDef, RoleDef, RuleDef } from './policy.js';
export type { Condition, CondValue, FieldOps, PrincipalRef, Scalar } from './condition.js';
export { AccessDeniedError } from './errors.js';
export { accessibleWhere } from './sql.js';
export type { SqlFilter, SqlFilterOptions } from './sql.js';
export { accessibleFilter } from './convex-filter.js';
export type { FilterBuilderLike } from './convex-filter.js';
export { checkPolicyTable, policyMatrix } from './table.js';
export type { PolicyCase, PolicyCaseFailure } from './table.js';
export { auditDenials } from './audit.js';
export type { AuditLogLike } from './audit.js';
export { withPermission } from './fetch.js';
export type { WithPermissionOptions } from './fetch.js';
export { assertAllowed, principalFromApiKey } from './helpers.js';

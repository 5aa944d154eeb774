/**
 * Denials into `@armor/audit`, without depending on it: anything with `append(event)` works.
 *
 * @module
 */
import type { Decision } from './policy.js';

/** What this needs of an audit log (`createAuditLog()` of `@armor/audit` fits). */
export interface AuditLogLike {
  append(event: {
    action: string;
    actor: { id: string; type?: string };
    targets?: { type: string; id: string }[];
    outcome?: 'success' | 'failure' | 'denied';
    metadata?: Record<string, string>;
  }): Promise<unknown>;
}

/**
 * An `onDeny` hook that appends `access.denied` events with the decision's explanation (reason,
 * rule, role) to an audit log. The append runs in the background; failures go to `onError`
 * and never reach the request.
 *
 * @example
 * ```ts no-run
 * app.delete('/projects/:id', requirePermission(policy, 'delete', 'project', { principal, onDeny: auditDenials(auditLog) }), handler);
 * ```
 */
export function auditDenials(log: AuditLogLike, options: { onError?: (error: unknown) => void } = {}): (decision: Decision, target?: { id?: unknown }) => void {
  return (decision, target) => {
    const metadata: Record<string, string> = { reason: decision.reason };
    if (decision.rule) metadata.rule = decision.rule;
    if (decision.role) metadata.role = decision.role;
    const id = typeof target?.id === 'string' || typeof target?.id === 'number' ? String(target.id) : undefined;
    try {
      log
        .append({
          action: 'access.denied',
          actor: { id: decision.principal || 'anonymous' },
          targets: id ? [{ type: decision.resource, id }] : [],
          outcome: 'denied',
          metadata: { ...metadata, action: decision.action, resource: decision.resource },
        })
        .catch((error: unknown) => options.onError?.(error));
    } catch (error) {
      options.onError?.(error);
    }
  };
}

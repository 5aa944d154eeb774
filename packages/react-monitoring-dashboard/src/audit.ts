/**
 * `@armor/react-monitoring-dashboard/audit`: the audit log panel for a snapshot with an `audit`
 * section (`@armor/audit`'s `auditSnapshotSection()`): the integrity of each stream and the recent
 * events, filterable by outcome. Use it on its own, or give it to the drop-in dashboard:
 * `<MonitoringDashboard source={…} panels={{ audit: AuditPanel }} />`.
 *
 * Its own entry so that apps without `@armor/audit` do not load it (the root entry exported it
 * before).
 *
 * @module
 */
export { AuditPanel } from './panels/audit.js';
export type { AuditPanelProps, AuditOutcomeFilter } from './panels/audit.js';

/**
 * The dashboard's optional panels (the SLO scorecard and the audit log, each its own entry):
 * the `panels` prop's type and checks, and the note shown in a panel's place when a snapshot
 * has its section but the app did not pass the panel.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import type { ComponentType } from 'react';
import type { MonitoringSnapshot } from './types.js';
import { Panel } from './ui.js';

/**
 * Panels the dashboard shows only when the app passes them. Each lives in its own subpath entry,
 * so an app that does not need it does not load it (the root entry stays small).
 */
export interface DashboardPanels {
  /**
   * The SLO scorecard: `SloScorecard` from `@armor/react-monitoring-dashboard/slo`, shown for a
   * snapshot with an `slo` section (`@armor/metrics/slo`'s scorecard). Without it such a snapshot
   * shows a short note in the panel's place saying how to add it.
   * @default none
   */
  slo?: ComponentType<{ snapshot: MonitoringSnapshot }>;
  /**
   * The audit log panel: `AuditPanel` from `@armor/react-monitoring-dashboard/audit`, shown for a
   * snapshot with an `audit` section (`@armor/audit`'s `auditSnapshotSection()`). Without it such
   * a snapshot shows a short note in the panel's place saying how to add it.
   * @default none
   */
  audit?: ComponentType<{ snapshot: MonitoringSnapshot }>;
}

/** The optional panels: where each comes from, for the note shown when a snapshot needs one. */
const OPTIONAL_PANELS = {
  slo: { title: 'SLO scorecard', section: 'an SLO', component: 'SloScorecard' },
  audit: { title: 'Audit log', section: 'an audit', component: 'AuditPanel' },
} as const;
const PANEL_NAMES = Object.keys(OPTIONAL_PANELS);

/** In place of an optional panel the app did not pass: what the section is and how to show it. */
export function MissingPanel({ id }: { id: keyof typeof OPTIONAL_PANELS }) {
  const { title, section, component } = OPTIONAL_PANELS[id];
  return (
    <Panel testId={id} title={title} wide>
      <p className="ad-empty" data-panel-missing="">
        This snapshot has {section} section. Show it with <code>{`panels={{ ${id}: ${component} }}`}</code> and{' '}
        <code>{`import { ${component} } from '@armor/react-monitoring-dashboard/${id}'`}</code>.
      </p>
    </Panel>
  );
}

/** Checks the `panels` prop: an object of known panel names to components. */
export function validatePanels(panels: unknown): void {
  if (panels === undefined) return;
  if (typeof panels !== 'object' || panels === null || Array.isArray(panels)) {
    throw new ConfigurationError('panels', 'must be an object like { slo: SloScorecard, audit: AuditPanel }', { received: panels });
  }
  for (const [key, value] of Object.entries(panels)) {
    if (!PANEL_NAMES.includes(key)) {
      throw new ConfigurationError(`panels.${key}`, `is not a panel the dashboard knows; known: ${PANEL_NAMES.join(', ')}`, { received: value });
    }
    // a component: a function, or the object React.memo / forwardRef / lazy return
    if (value !== undefined && typeof value !== 'function' && (typeof value !== 'object' || value === null)) {
      throw new ConfigurationError(`panels.${key}`, `must be a React component (${OPTIONAL_PANELS[key as keyof typeof OPTIONAL_PANELS].component} from @armor/react-monitoring-dashboard/${key})`, { received: value });
    }
  }
}

/**
 * `@armor/react-monitoring-dashboard/slo`: the SLO scorecard panel for a snapshot with an `slo`
 * section (`@armor/metrics/slo`'s scorecard): target, actual, status and trend per objective, the
 * error budget left, and "not enough data" instead of a green light without samples. Use it on its
 * own, or give it to the drop-in dashboard:
 * `<MonitoringDashboard source={…} panels={{ slo: SloScorecard }} />`.
 *
 * Its own entry so that apps without a scorecard do not load it (the root entry exported it
 * before).
 *
 * @module
 */
export { SloScorecard } from './panels/slo.js';
export type { SloScorecardProps } from './panels/slo.js';
export { formatBytes } from './format.js';

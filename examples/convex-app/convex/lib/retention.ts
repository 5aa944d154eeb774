/** How long each monitoring table keeps its rows (ms); `maintenance.trim` enforces them hourly. */

/** `metricSamples`, by `at`. */
export const SAMPLE_RETENTION_MS = 24 * 60 * 60 * 1000;
/** `auditLog`, by `at`. */
export const AUDIT_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;
/** `errorGroups`, by `lastSeen`: a group not seen for this long is forgotten (it starts over if it recurs). */
export const ERROR_GROUP_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
/** `rateLimitStats`, by `bucket`. */
export const RATE_LIMIT_STATS_RETENTION_MS = 24 * 60 * 60 * 1000;
/** `webVitalBuckets` by `minute`, and `webVitalRoutes` not seen for this long (the route's slot frees up). */
export const VITALS_RETENTION_MS = 24 * 60 * 60 * 1000;
/** How often the cron trims (ms). */
export const TRIM_INTERVAL_MS = 60 * 60 * 1000;

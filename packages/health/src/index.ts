/**
 * `@armor/health`: liveness, readiness and startup probes answering `application/health+json`
 * (IETF draft), with concurrent checks, per-check timeouts and caching. Runtime-neutral; graceful
 * shutdown lives in `@armor/health/node`, the Express router in `@armor/health/express`, and the
 * `armor-health` CLI in `@armor/health/cli`.
 *
 * @module
 */
export { createHealth, healthResponse, httpStatusFor, HEALTH_CONTENT_TYPE, DEFAULT_CHECK_TIMEOUT_MS } from './health.js';
export type {
  CheckDefinition,
  CheckFunction,
  CheckOutcome,
  Health,
  HealthCheckEntry,
  HealthDocument,
  HealthOptions,
  HealthReport,
  HealthReportCheck,
  HealthStatus,
  Probe,
  ProbeOptions,
  ShowDetails,
} from './health.js';

/**
 * `@armor/metrics/http`: HTTP request instrumentation for Fetch handlers (Workers, Bun, Deno,
 * Convex HTTP actions) and the recorder the framework adapters share: `instrumentFetch`,
 * `metricsResponse` (a `/metrics` answer by `Accept`), `createHttpMetrics` for frameworks without
 * an adapter, and the label helpers (`compileRoute`, `normalizeMethod`, `statusClass`,
 * `UNMATCHED_ROUTE`). Express, Hono, Fastify and Next.js have their own adapters
 * (`@armor/metrics/express`, `/hono`, `/fastify`, `/next`). Runtime-neutral.
 *
 * Kept out of the root entry so an app that only keeps metrics and serves the snapshot does not
 * carry it (the root `@armor/metrics` exported them before).
 *
 * @module
 */
export { createHttpMetrics, instrumentFetch, metricsResponse, compileRoute, normalizeMethod, statusClass, UNMATCHED_ROUTE } from './http.js';
export type { HttpMetrics, HttpMetricsOptions, InstrumentFetchOptions } from './http.js';

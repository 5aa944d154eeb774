/**
 * `@armor/fleet`: one monitoring dashboard for N instances. A `MonitoringSnapshot` built from
 * Prometheus (request rate, latency percentiles, error rates, breakers, caches, rate limits, with
 * a per-instance breakdown) and a Redis store for error groups and slow operations that survive
 * restarts, fed by each instance in the background.
 *
 * @module
 */
export { createFleetMonitor, FLEET_RANGES } from './fleet.js';
export type { FleetInstance, FleetMonitor, FleetMonitorOptions, FleetRange, FleetSnapshot } from './fleet.js';
export { createPrometheusClient } from './prometheus.js';
export type { MatrixSeries, PrometheusClient, PrometheusClientOptions, Sample, VectorSample } from './prometheus.js';
export { redisFleetStore } from './store.js';
export type { ErrorGroupSighting, FleetErrorGroup, FleetPush, FleetSlowOperation, FleetStore, RedisFleetStoreOptions } from './store.js';
export { syncToFleet } from './sync.js';
export type { FleetSync, SyncToFleetOptions } from './sync.js';

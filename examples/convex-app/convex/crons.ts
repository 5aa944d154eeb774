import { cronJobs } from 'convex/server';
import { internal } from './_generated/api';

const crons = cronJobs();

/** Hourly: trim metric samples, audit rows, stale error groups and rate-limit stats (`maintenance.trim`). */
crons.interval('trim monitoring data', { hours: 1 }, internal.maintenance.trim, {});

/** Hourly: delete expired rate-limit rows. */
crons.interval('clean rate limits', { hours: 1 }, internal.rateLimit.cleanup, {});

/**
 * Every minute: time the health checks from an action (where the clock moves) and keep the
 * result for the snapshot (`healthcheck.probe`; `PROBE_INTERVAL_MS` in `lib/health.ts`).
 */
crons.interval('probe health', { minutes: 1 }, internal.healthcheck.probe, {});

export default crons;

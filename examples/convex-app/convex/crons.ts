import { cronJobs } from 'convex/server';
import { internal } from './_generated/api';

const crons = cronJobs();

/** Hourly: trim old metric samples and audit rows. */
crons.interval('trim monitoring data', { hours: 1 }, internal.maintenance.trim, {});

/** Hourly: delete expired rate-limit rows. */
crons.interval('clean rate limits', { hours: 1 }, internal.rateLimit.cleanup, {});

export default crons;

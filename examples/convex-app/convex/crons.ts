import { cronJobs } from 'convex/server';
import { internal } from './_generated/api';

const crons = cronJobs();

/** Hourly: trim old metric samples and audit rows. */
crons.interval('trim monitoring data', { hours: 1 }, internal.maintenance.trim, {});

export default crons;

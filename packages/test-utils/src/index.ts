/**
 * Shared test helpers. Every server here is real: a Debian `redis-server` or PostgreSQL on a
 * free loopback port, and Debian `chromium` driven by playwright-core. Nothing is mocked.
 *
 * @module
 */
export { freePort, waitForPort } from './net.js';
export { startRedis, type RedisServer } from './redis.js';
export { startPostgres, type PostgresServer } from './postgres.js';
export { launchChromium, CHROMIUM_PATH } from './chromium.js';
export { outageSuite, settleWithin, type OutageSubject, type OutageSuiteOptions, type OutageFault, type SettledWithin } from './outage.js';
export { checkReadme, expectReadmeRuns, readmeBlocks, type ReadmeBlock, type ReadmeResult, type CheckReadmeOptions } from './readme.js';
export { auditStoreSuite, type AuditSuiteOptions } from './audit.js';
export { growthRatio, type Growth, type GrowthOptions } from './linear.js';
export * from './adapters.js';

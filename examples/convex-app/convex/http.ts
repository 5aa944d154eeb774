import { createHealth } from '@armor/health';
import { problemResponse, AuthenticationError } from '@armor/errors';
import { httpRouter } from 'convex/server';
import { internal } from './_generated/api';
import { httpAction } from './_generated/server';
import { timedChecks, type TimedChecks } from './healthcheck';
import { isAdminKey, presentedKey } from './lib/adminKey';

const http = httpRouter();

/**
 * `GET /health`: application/health+json from @armor/health, with the same checks as the
 * snapshot (`./lib/health.ts`): `database` (critical; indexed reads, and its `observedValue` is
 * the round trip of the check query, timed here where the clock moves) and `retention`
 * (non-critical: `warn` when the trim cron is behind). One `healthcheck.ping` query serves both
 * checks. Public, so it writes nothing and shows check outputs only with the admin key
 * (`Authorization: Bearer …`); the cron probe records latencies for the snapshot.
 */
http.route({
  path: '/health',
  method: 'GET',
  handler: httpAction(async (ctx, request) => {
    let run: Promise<TimedChecks> | undefined;
    const checks = () => (run ??= timedChecks(ctx));
    const definition = (name: string, componentType: string, critical: boolean) => ({
      componentType,
      critical,
      timeoutMs: 5000,
      cacheMs: 0,
      check: async () => {
        const { checks: results, latencyMs } = await checks();
        const result = results.find((c) => c.name === name);
        if (!result) return { status: 'fail' as const, output: 'check did not run (the check query failed)' };
        return {
          status: result.status,
          ...(result.output ? { output: result.output } : {}),
          ...(name === 'database' ? { observedValue: latencyMs, observedUnit: 'ms' } : {}),
        };
      },
    });
    const health = createHealth({
      serviceId: 'convex-app',
      checks: { database: definition('database', 'datastore', true), retention: definition('retention', 'component', false) },
      // Check outputs (error messages) only for holders of the admin key; the public answer has statuses.
      showDetails: (probe) => isAdminKey(presentedKey(probe)),
    });
    health.markReady();
    const url = new URL(request.url);
    return health.handleHealthRequest(new Request(new URL('/health/ready', url), { method: 'GET', headers: request.headers }));
  }),
});

/** `GET /monitoring/snapshot`: the MonitoringSnapshot; requires the admin key. */
http.route({
  path: '/monitoring/snapshot',
  method: 'GET',
  handler: httpAction(async (ctx, request) => {
    if (!(await isAdminKey(presentedKey(request)))) {
      return problemResponse(new AuthenticationError('Admin API key required'), { instance: '/monitoring/snapshot' });
    }
    const snapshot = await ctx.runQuery(internal.monitoring.buildMonitoringSnapshot, {});
    return new Response(JSON.stringify(snapshot), { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
  }),
});

export default http;

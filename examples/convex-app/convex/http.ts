import { createHealth } from '@armor/health';
import { problemResponse, AuthenticationError } from '@armor/errors';
import { httpRouter } from 'convex/server';
import { internal } from './_generated/api';
import { httpAction } from './_generated/server';
import { isAdminKey, presentedKey } from './lib/adminKey';

const http = httpRouter();

/** `GET /health`: application/health+json from @armor/health, with a database check. */
http.route({
  path: '/health',
  method: 'GET',
  handler: httpAction(async (ctx, request) => {
    const health = createHealth({
      serviceId: 'convex-app',
      checks: {
        database: { componentType: 'datastore', timeoutMs: 5000, cacheMs: 0, check: async () => { await ctx.runQuery(internal.healthcheck.ping, {}); } },
      },
    });
    health.markReady();
    const url = new URL(request.url);
    return health.handleHealthRequest(new Request(new URL('/health/ready', url), { method: 'GET' }));
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

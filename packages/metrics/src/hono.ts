/**
 * `@armor/metrics/hono`: request metrics as a Hono `MiddlewareHandler`, labelled by the matched
 * route template (`/users/:id`, never the raw URL; unmatched requests read `(unmatched)`), and
 * the scrape endpoint. Uses Hono's `hono/route` helper (Hono is an optional peer).
 *
 * @module
 */
import { checkBoolean, checkFunction, checkOptions } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import type { Context, Handler, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { createHttpMetrics, httpOptions, metricsResponse, UNMATCHED_ROUTE } from './http.js';
import type { Registry } from './registry.js';
import { isScrape } from './scrape-marks.js';

/** Options of {@link metricsMiddleware} (Hono). */
export interface HonoMetricsOptions {
  registry: Registry;
  /** Duration buckets (seconds). @default the registry's HTTP buckets */
  buckets?: readonly number[];
  /** Custom route label; return `undefined` to fall back to the matched route template. */
  route?: (c: Context) => string | undefined;
  /** Also label requests with the exact `status_code`. @default false */
  statusCode?: boolean;
  /** Count requests answered by {@link metricsHandler} (scrapes) as traffic. @default false */
  countScrapes?: boolean;
}

/** @internal Checks the options the metrics adapters share. */
export function checkMetricsOptions(component: string, options: { registry?: unknown; route?: unknown; countScrapes?: unknown }, extra: readonly string[] = []): void {
  checkOptions(component, options, ['registry', 'buckets', 'route', 'statusCode', 'countScrapes', ...extra]);
  checkFunction('route', options?.route);
  checkBoolean('countScrapes', options?.countScrapes);
  if (typeof (options?.registry as Registry | undefined)?.counter !== 'function') throw new ConfigurationError('registry', 'must be a registry from createRegistry()', { received: options?.registry });
}

/** The template of the route handler that answered (app.use middleware, method `ALL`, is not a route). */
function templateOf(c: Context): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i]!;
    if (route.method !== 'ALL') return route.path;
  }
  return UNMATCHED_ROUTE;
}

/**
 * Records `http_requests_total`, `http_request_duration_seconds` and `http_requests_in_flight`
 * for every request (a thrown error counts as 500). Mount it first.
 *
 * @example
 * ```ts no-run
 * app.use(metricsMiddleware({ registry }));
 * app.get('/metrics', metricsHandler(registry));
 * ```
 */
export function metricsMiddleware(options: HonoMetricsOptions): MiddlewareHandler {
  checkMetricsOptions('metricsMiddleware', options);
  const http = createHttpMetrics(options.registry, httpOptions(options));
  const custom = options.route;
  const skipScrapes = options.countScrapes !== true;
  return async (c, next) => {
    const started = http.start();
    let status = 500;
    try {
      await next();
      status = c.res.status;
    } finally {
      if (skipScrapes && isScrape(c.req.raw)) http.cancel();
      else {
        let route: string | undefined;
        if (custom) {
          try {
            route = custom(c);
          } catch {
            route = undefined;
          }
        }
        http.end(started, c.req.method, route ?? templateOf(c), status);
      }
    }
  };
}

/** The scrape endpoint: Prometheus text or OpenMetrics, negotiated from `Accept`. */
export function metricsHandler(registry: Registry): Handler {
  if (typeof registry?.metrics !== 'function') throw new ConfigurationError('registry', 'must be a registry from createRegistry()', { received: registry });
  return (c) => metricsResponse(registry, c.req.raw);
}

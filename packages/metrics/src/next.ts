/**
 * `@armor/metrics/next`: request metrics for Next.js (App Router) route handlers, labelled by the
 * route's template (a route handler knows its file, not its pattern: give it, e.g.
 * `'/users/[id]'`), and the scrape route. Web-standard only (no import of `next`).
 *
 * @module
 */
import { checkOptions } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import { createHttpMetrics, httpOptions, metricsResponse } from './http.js';
import type { Registry } from './registry.js';

/** Options of {@link withMetrics}. */
export interface NextMetricsOptions {
  registry: Registry;
  /** The route template this handler answers, e.g. `'/users/[id]'` (its folder under `app/`). */
  route: string;
  /** Duration buckets (seconds). */
  buckets?: readonly number[];
  /** Also label requests with the exact `status_code`. @default false */
  statusCode?: boolean;
}

/**
 * Wraps a route handler to record request metrics under its template (a thrown error counts
 * as 500 and is rethrown).
 *
 * @example
 * ```ts no-run
 * // app/users/[id]/route.ts
 * export const GET = withMetrics(async (request: Request) => Response.json(await load(request)), { registry, route: '/users/[id]' });
 * ```
 */
export function withMetrics<A extends unknown[]>(
  handler: (request: Request, ...rest: A) => Response | Promise<Response>,
  options: NextMetricsOptions,
): (request: Request, ...rest: A) => Promise<Response> {
  if (typeof handler !== 'function') throw new ConfigurationError('handler', 'must be a function', { received: handler });
  checkOptions('withMetrics', options, ['registry', 'route', 'buckets', 'statusCode']);
  if (typeof options.registry?.counter !== 'function') throw new ConfigurationError('registry', 'must be a registry from createRegistry()', { received: options.registry });
  if (typeof options.route !== 'string' || options.route === '') throw new ConfigurationError('route', "is required: the route's template, e.g. '/users/[id]'", { received: options.route });
  const http = createHttpMetrics(options.registry, httpOptions(options));
  const route = options.route;
  return async (request, ...rest) => {
    const started = http.start();
    let status = 500;
    try {
      const response = await handler(request, ...rest);
      status = response.status;
      return response;
    } finally {
      http.end(started, request.method, route, status);
    }
  };
}

/**
 * The scrape route (`app/metrics/route.ts`): Prometheus text or OpenMetrics from `Accept`.
 *
 * @example
 * ```ts no-run
 * export const { GET } = metricsRoute(registry);
 * ```
 */
export function metricsRoute(registry: Registry): { GET: (request: Request) => Response } {
  if (typeof registry?.metrics !== 'function') throw new ConfigurationError('registry', 'must be a registry from createRegistry()', { received: registry });
  return { GET: (request) => metricsResponse(registry, request) };
}

/**
 * `@armor/metrics/express`: request-metrics middleware (route templates, never raw URLs), a
 * `/metrics` handler with content negotiation, and a handler serving the `MonitoringSnapshot`.
 *
 * @module
 */
import type { NextFunction, Request, Response } from 'express';
import { checkBoolean, checkFunction, checkOptions } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import { negotiateFormat } from './format.js';
import { createHttpMetrics, httpOptions, UNMATCHED_ROUTE } from './http.js';
import type { Monitor } from './monitor.js';
import { stringifySafe } from './safe-json.js';
import type { Registry } from './registry.js';
import { isScrape, markScrape } from './scrape-marks.js';

/** Options of {@link metricsMiddleware}. */
export interface MetricsMiddlewareOptions {
  registry: Registry;
  /** Duration buckets (seconds). */
  buckets?: readonly number[];
  /** Custom route label; return `undefined` to fall back to the matched Express route. */
  route?: (req: Request) => string | undefined;
  /** Also label requests with the exact `status_code` (see `createHttpMetrics`). @default false */
  statusCode?: boolean;
  /**
   * Count requests answered by {@link metricsEndpoint} (Prometheus scrapes) as traffic. Off by
   * default: a scrape every second would otherwise be a large share of a quiet service's
   * requests, whatever the order of the middleware and the `/metrics` route. A scrape is still
   * in `http_requests_in_flight` while it renders.
   * @default false
   */
  countScrapes?: boolean;
}

const ID_SEGMENT = /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{12,}|[A-Za-z0-9_-]{20,})$/i;

/** Memo of the last template computed for a route object (routes are long-lived; the base URL rarely changes). */
const templates = new WeakMap<object, { baseUrl: string; path: unknown; template: string }>();

function computeTemplate(baseUrl: string, routePath: unknown): string {
  const path = Array.isArray(routePath) ? routePath.map(String).join('|') : String(routePath);
  const base =
    baseUrl === ''
      ? ''
      : baseUrl
          .split('/')
          .map((seg) => (ID_SEGMENT.test(seg) ? ':param' : seg))
          .join('/');
  const joined = `${base}${path === '/' && base !== '' ? '' : path}`;
  return joined === '' ? '/' : joined;
}

/**
 * The route template of a request: `req.baseUrl` + `req.route.path` (`/api/users/:id`), or
 * `(unmatched)` when no route matched (404s, static files, middleware-only answers). Segments of
 * the base URL that look like ids (numbers, UUIDs, long hex or tokens) become `:param`, because
 * Express only knows the concrete path of a mounted router. The result is memoized per route
 * (and base URL), so a request usually costs one `WeakMap` lookup.
 */
export function routeTemplate(req: Request): string {
  const route: unknown = (req as { route?: unknown }).route;
  // No route matched, or a primitive `req.route` (which has no `path`).
  if ((typeof route !== 'object' && typeof route !== 'function') || route === null) return UNMATCHED_ROUTE;
  const path = (route as { path?: unknown }).path;
  if (path === undefined) return UNMATCHED_ROUTE;
  const baseUrl = req.baseUrl ?? '';
  const memo = templates.get(route);
  if (memo !== undefined && memo.baseUrl === baseUrl && memo.path === path) return memo.template;
  const template = computeTemplate(baseUrl, path);
  templates.set(route, { baseUrl, path, template });
  return template;
}

/**
 * Express middleware recording `http_requests_total`, `http_request_duration_seconds` (method,
 * route template, status class) and `http_requests_in_flight`, and feeding `createMonitor`.
 * Register it before your routes. Requests the client aborted are recorded with status 499;
 * requests answered by {@link metricsEndpoint} (scrapes) are not recorded unless `countScrapes`.
 *
 * @example
 * ```ts
 * app.get('/metrics', metricsEndpoint(registry)); // scrapes are not traffic
 * app.use(metricsMiddleware({ registry }));
 * ```
 */
export function metricsMiddleware(options: MetricsMiddlewareOptions) {
  checkOptions('metricsMiddleware', options, ['registry', 'buckets', 'route', 'statusCode', 'countScrapes']);
  checkFunction('route', options?.route);
  checkBoolean('countScrapes', options?.countScrapes);
  const skipScrapes = options?.countScrapes !== true;
  if (typeof options?.registry?.counter !== 'function') throw new ConfigurationError('registry', 'must be a registry from createRegistry()', { received: options?.registry });
  const http = createHttpMetrics(options.registry, httpOptions(options));
  const custom = options.route;
  const record = (req: Request, res: Response, started: number) => {
    if (skipScrapes && isScrape(req)) return void http.cancel();
    let route: string | undefined;
    if (custom) {
      try {
        route = custom(req);
      } catch {
        route = undefined;
      }
    }
    http.end(started, req.method, route ?? routeTemplate(req), res.writableFinished ? res.statusCode : 499);
  };
  return function armorMetrics(req: Request, res: Response, next: NextFunction): void {
    const started = http.start();
    // A response emits 'close' exactly once: right after 'finish' when it was sent, or when the
    // client went away first (then it is recorded as 499). One listener, no `once` wrappers, and
    // no property added to `res` (adding one to Express's request objects is slow).
    res.on('close', () => record(req, res, started));
    next();
  };
}

/** Express handler serving `registry.metrics()` in the format the scraper asks for. */
export function metricsEndpoint(registry: Registry) {
  if (typeof registry?.metrics !== 'function') throw new ConfigurationError('registry', 'must be a registry from createRegistry()', { received: registry });
  return function armorMetricsEndpoint(req: Request, res: Response): void {
    markScrape(req);
    const { format, contentType } = negotiateFormat(req.headers.accept);
    res.setHeader('content-type', contentType);
    res.setHeader('cache-control', 'no-store');
    res.end(registry.metrics(format));
  };
}

/**
 * Express handler serving the `MonitoringSnapshot` as JSON. Put your admin auth in front of it.
 * It cannot crash the process: the snapshot is serialized without throwing (circular values,
 * `BigInt`s, throwing getters), and a snapshot that fails answers 500 with a JSON body.
 */
export function monitoringEndpoint(monitor: Monitor) {
  if (typeof monitor?.snapshot !== 'function') throw new ConfigurationError('monitor', 'must be a monitor from createMonitor()', { received: monitor });
  return function armorMonitoringEndpoint(_req: Request, res: Response): void {
    const send = (status: number, body: string) => {
      try {
        if (res.headersSent) return void res.end();
        res.status(status).setHeader('content-type', 'application/json; charset=utf-8');
        res.setHeader('cache-control', 'no-store');
        res.end(body);
      } catch {
        // the socket is gone; nothing to answer
      }
    };
    let pending: Promise<unknown>;
    try {
      pending = Promise.resolve(monitor.snapshot());
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (snapshot) => send(200, stringifySafe(snapshot)),
      () => send(500, '{"error":"the monitoring snapshot could not be built"}'),
    );
  };
}

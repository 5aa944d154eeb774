import { checkBoolean, checkFunction, checkOptions } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import { hubOf } from './hub.js';
import { negotiateFormat } from './format.js';
import { isScrape, markScrape } from './scrape-marks.js';
import type { Counter, Gauge, Histogram, Labels, Registry } from './registry.js';

/** Route label used when no route template matched. */
export const UNMATCHED_ROUTE = '(unmatched)';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE']);
const STATUS_CLASS = ['1xx', '1xx', '2xx', '3xx', '4xx', '5xx'];
/** Method labels by slot (the known methods, then `OTHER`), for the bound-children table. */
const METHOD_LABELS = [...METHODS, 'OTHER'];
const METHOD_SLOT = new Map(METHOD_LABELS.map((m, i) => [m, i]));
const OTHER_SLOT = METHOD_LABELS.length - 1;
/** Slot of {@link normalizeMethod}'s label; no upper-casing for the usual upper-case method. */
const methodSlot = (method: string): number => METHOD_SLOT.get(method) ?? METHOD_SLOT.get(method.toUpperCase()) ?? OTHER_SLOT;
/** Index into STATUS_CLASS of {@link statusClass}'s label. */
const statusSlot = (status: number): number => {
  const c = Math.floor(status / 100);
  return c >= 1 && c <= 5 ? c : 5;
};

/** Normalizes an HTTP method for labels: known methods upper-cased, anything else `OTHER`. */
export function normalizeMethod(method: string): string {
  return METHOD_LABELS[methodSlot(method)]!;
}

/** `2xx`, `4xx`, …; `5xx` for out-of-range statuses. */
export function statusClass(status: number): string {
  return STATUS_CLASS[statusSlot(status)]!;
}

/** The {@link createHttpMetrics} options carried by an adapter's options. @internal */
export function httpOptions(options: { buckets?: readonly number[] | undefined; statusCode?: boolean | undefined }): HttpMetricsOptions {
  const out: HttpMetricsOptions = {};
  if (options.buckets) out.buckets = options.buckets;
  if (options.statusCode !== undefined) out.statusCode = options.statusCode;
  return out;
}

/** Options of {@link createHttpMetrics}. */
export interface HttpMetricsOptions {
  /** Duration buckets in seconds. @default [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] */
  buckets?: readonly number[];
  /**
   * Also label requests with the exact `status_code` (`"200"`, `"404"`; out-of-range statuses
   * read `"500"`), as prom-client-based middlewares do. Up to ~60 times more series than the
   * status class alone; the registry's cardinality cap still applies. All users of one registry
   * must agree (a different label set is refused at registration).
   * @default false
   */
  statusCode?: boolean;
}

type HttpLabels = 'method' | 'route' | 'status_class';

/** The bound counter and histogram children of one (method, route, status class). */
interface BoundHttp {
  count: { inc(): void };
  time: { observe(v: number): void };
}

/** The request metrics of a registry and the functions adapters call. */
export interface HttpMetrics {
  readonly requests: Counter<HttpLabels>;
  readonly duration: Histogram<HttpLabels>;
  readonly inFlight: Gauge;
  /** Call when a request starts; returns the start time (epoch ms). */
  start(): number;
  /** Call once when it finished. `error` marks a thrown handler (counted as 5xx). */
  end(startedAt: number, method: string, route: string, status: number): void;
  /** Call instead of `end` for a request that is not traffic (a scrape): only releases the in-flight count. */
  cancel(): void;
}

/**
 * Registers `http_requests_total`, `http_request_duration_seconds` (by method, route template
 * and status class) and `http_requests_in_flight` on `registry` (idempotent) and returns the
 * recorder adapters use. Also feeds `createMonitor`.
 */
export function createHttpMetrics(registry: Registry, options: HttpMetricsOptions = {}): HttpMetrics {
  checkOptions('createHttpMetrics', options, ['buckets', 'statusCode']);
  checkBoolean('statusCode', options.statusCode);
  const withCode = options.statusCode === true;
  const labelNames = (withCode ? ['method', 'route', 'status_class', 'status_code'] : ['method', 'route', 'status_class']) as unknown as readonly HttpLabels[];
  const requests = registry.counter({ name: 'http_requests_total', help: 'HTTP requests finished, by method, route template and status class', labelNames });
  const histogramOptions = { name: 'http_request_duration_seconds', help: 'HTTP request duration in seconds, by method, route template and status class', labelNames };
  const duration = registry.histogram(options.buckets ? { ...histogramOptions, buckets: options.buckets } : histogramOptions);
  const inFlight = registry.gauge({ name: 'http_requests_in_flight', help: 'HTTP requests being handled' });
  const inFlightChild = inFlight.labels({} as never);
  const hub = hubOf(registry);
  const clock = registry.clock;
  // Bound children per route, then per (method, status class) slot: one Map lookup per request
  // (the route string is usually the same memoized string, so its hash is cached too).
  const children = new Map<string, (BoundHttp | undefined)[]>();
  // With status codes: one slot per (method, status 100-599).
  const SLOTS = withCode ? 600 : STATUS_CLASS.length;
  return {
    requests,
    duration,
    inFlight,
    start() {
      hub.inFlight++;
      inFlightChild.inc();
      return clock.now();
    },
    cancel() {
      hub.inFlight--;
      inFlightChild.dec();
    },
    end(startedAt, method, route, status) {
      hub.inFlight--;
      inFlightChild.dec();
      const at = clock.now();
      const durationMs = Math.max(0, at - startedAt);
      const ms = methodSlot(method);
      const ss = statusSlot(status);
      const m = METHOD_LABELS[ms]!;
      let row = children.get(route);
      if (row === undefined) {
        row = [];
        if (children.size < 10_000) children.set(route, row);
      }
      const code = withCode ? (Number.isInteger(status) && status >= 100 && status <= 599 ? status : 500) : 0;
      const slot = ms * SLOTS + (withCode ? code : ss);
      let child = row[slot];
      if (child === undefined) {
        const labels: Record<string, string> = { method: m, route, status_class: STATUS_CLASS[ss]! };
        if (withCode) labels.status_code = String(code);
        child = { count: requests.labels(labels as Labels<HttpLabels>), time: duration.labels(labels as Labels<HttpLabels>) };
        row[slot] = child;
      }
      child.count.inc();
      child.time.observe(durationMs / 1000);
      if (hub.events.has('request')) hub.events.emit('request', { method: m, route, status, durationMs, at, error: status >= 500 });
    },
  };
}

/** Compiles a route template (`/users/:id`, `/files/*`) into a matcher. */
export function compileRoute(template: string): (path: string) => boolean {
  const pattern = template
    .split('/')
    .map((seg) => (seg === '*' ? '.*' : seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  const re = new RegExp(`^${pattern}/?$`);
  return (path) => re.test(path);
}

/** Options of {@link instrumentFetch}. */
export interface InstrumentFetchOptions {
  registry: Registry;
  /**
   * Route templates (`/users/:id`) matched in order against the path; a path that matches none
   * is labelled `(unmatched)`, so raw URLs never become labels.
   */
  routes?: readonly string[];
  /** Custom route resolver; return `undefined` for `(unmatched)`. Takes precedence over `routes`. */
  route?: (request: Request) => string | undefined;
  /** Duration buckets (seconds). */
  buckets?: readonly number[];
  /** Also label requests with the exact `status_code` (see {@link createHttpMetrics}). @default false */
  statusCode?: boolean;
  /**
   * Count requests answered by {@link metricsResponse} (Prometheus scrapes) as traffic.
   * @default false
   */
  countScrapes?: boolean;
}

/**
 * Wraps a Fetch handler (`(request) => Response`) to record request metrics. A handler that
 * throws is recorded as 500 and the error is rethrown. Requests answered by
 * {@link metricsResponse} (scrapes) are not recorded unless `countScrapes`.
 *
 * @example
 * ```ts
 * const handler = instrumentFetch(app.fetch, { registry, routes: ['/users/:id', '/health/*'] });
 * export default { fetch: handler };
 * ```
 */
export function instrumentFetch<A extends unknown[]>(
  handler: (request: Request, ...rest: A) => Response | Promise<Response>,
  options: InstrumentFetchOptions,
): (request: Request, ...rest: A) => Promise<Response> {
  if (typeof handler !== 'function') throw new ConfigurationError('handler', 'must be a function', { received: handler });
  checkOptions('instrumentFetch', options, ['registry', 'routes', 'route', 'buckets', 'statusCode', 'countScrapes']);
  checkFunction('route', options?.route);
  checkBoolean('countScrapes', options?.countScrapes);
  const skipScrapes = options?.countScrapes !== true;
  if (typeof options?.registry?.counter !== 'function') throw new ConfigurationError('registry', 'must be a registry from createRegistry()', { received: options?.registry });
  const http = createHttpMetrics(options.registry, httpOptions(options));
  const matchers = (options.routes ?? []).map((t) => [t, compileRoute(t)] as const);
  const resolve = (request: Request): string => {
    if (options.route) {
      try {
        return options.route(request) ?? UNMATCHED_ROUTE;
      } catch {
        return UNMATCHED_ROUTE;
      }
    }
    if (matchers.length === 0) return UNMATCHED_ROUTE;
    const path = new URL(request.url).pathname;
    for (const [template, match] of matchers) if (match(path)) return template;
    return UNMATCHED_ROUTE;
  };
  return async (request, ...rest) => {
    const started = http.start();
    let status = 500;
    try {
      const response = await handler(request, ...rest);
      status = response.status;
      return response;
    } finally {
      if (skipScrapes && isScrape(request)) http.cancel();
      else http.end(started, request.method, resolve(request), status);
    }
  };
}

/**
 * Fetch handler for a `/metrics` endpoint: negotiates Prometheus text 0.0.4 or OpenMetrics 1.0
 * from the `Accept` header and renders `registry`.
 *
 * @example
 * ```ts
 * if (new URL(request.url).pathname === '/metrics') return metricsResponse(registry, request);
 * ```
 */
export function metricsResponse(registry: Registry, request?: Request): Response {
  markScrape(request);
  const { format, contentType } = negotiateFormat(request?.headers.get('accept'));
  return new Response(registry.metrics(format), { headers: { 'content-type': contentType, 'cache-control': 'no-store' } });
}

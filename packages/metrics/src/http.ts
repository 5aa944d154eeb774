import { ConfigurationError } from '@armor/errors';
import { emitRequest, hubOf } from './hub.js';
import { negotiateFormat } from './format.js';
import type { Counter, Gauge, Histogram, Registry } from './registry.js';

/** Route label used when no route template matched. */
export const UNMATCHED_ROUTE = '(unmatched)';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE']);
const STATUS_CLASS = ['1xx', '1xx', '2xx', '3xx', '4xx', '5xx'];

/** Normalizes an HTTP method for labels: known methods upper-cased, anything else `OTHER`. */
export function normalizeMethod(method: string): string {
  const m = method.toUpperCase();
  return METHODS.has(m) ? m : 'OTHER';
}

/** `2xx`, `4xx`, …; `5xx` for out-of-range statuses. */
export function statusClass(status: number): string {
  const c = Math.floor(status / 100);
  return c >= 1 && c <= 5 ? STATUS_CLASS[c]! : '5xx';
}

/** Options of {@link createHttpMetrics}. */
export interface HttpMetricsOptions {
  /** Duration buckets in seconds. @default [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] */
  buckets?: readonly number[];
}

type HttpLabels = 'method' | 'route' | 'status_class';

/** The request metrics of a registry and the functions adapters call. */
export interface HttpMetrics {
  readonly requests: Counter<HttpLabels>;
  readonly duration: Histogram<HttpLabels>;
  readonly inFlight: Gauge;
  /** Call when a request starts; returns the start time (epoch ms). */
  start(): number;
  /** Call once when it finished. `error` marks a thrown handler (counted as 5xx). */
  end(startedAt: number, method: string, route: string, status: number): void;
}

/**
 * Registers `http_requests_total`, `http_request_duration_seconds` (by method, route template
 * and status class) and `http_requests_in_flight` on `registry` (idempotent) and returns the
 * recorder adapters use. Also feeds `createMonitor`.
 */
export function createHttpMetrics(registry: Registry, options: HttpMetricsOptions = {}): HttpMetrics {
  const labelNames = ['method', 'route', 'status_class'] as const;
  const requests = registry.counter({ name: 'http_requests_total', help: 'HTTP requests finished, by method, route template and status class', labelNames });
  const histogramOptions = { name: 'http_request_duration_seconds', help: 'HTTP request duration in seconds, by method, route template and status class', labelNames };
  const duration = registry.histogram(options.buckets ? { ...histogramOptions, buckets: options.buckets } : histogramOptions);
  const inFlight = registry.gauge({ name: 'http_requests_in_flight', help: 'HTTP requests being handled' });
  const inFlightChild = inFlight.labels({} as never);
  const hub = hubOf(registry);
  const clock = registry.clock;
  // Bound children per (method, route, status class): one Map lookup per request.
  const children = new Map<string, { inc(): void; observe(v: number): void }>();
  return {
    requests,
    duration,
    inFlight,
    start() {
      hub.inFlight++;
      inFlightChild.inc();
      return clock.now();
    },
    end(startedAt, method, route, status) {
      hub.inFlight--;
      inFlightChild.dec();
      const at = clock.now();
      const durationMs = Math.max(0, at - startedAt);
      const m = normalizeMethod(method);
      const sc = statusClass(status);
      const key = `${m} ${sc} ${route}`;
      let child = children.get(key);
      if (!child) {
        const labels = { method: m, route, status_class: sc };
        const c = requests.labels(labels);
        const h = duration.labels(labels);
        child = { inc: () => c.inc(), observe: (v) => h.observe(v) };
        if (children.size < 10_000) children.set(key, child);
      }
      child.inc();
      child.observe(durationMs / 1000);
      if (hub.requestListeners.size) emitRequest(hub, { method: m, route, status, durationMs, at, error: status >= 500 });
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
}

/**
 * Wraps a Fetch handler (`(request) => Response`) to record request metrics. A handler that
 * throws is recorded as 500 and the error is rethrown.
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
  if (typeof options?.registry?.counter !== 'function') throw new ConfigurationError('registry', 'must be a registry from createRegistry()', { received: options?.registry });
  const http = createHttpMetrics(options.registry, options.buckets ? { buckets: options.buckets } : {});
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
      http.end(started, request.method, resolve(request), status);
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
  const { format, contentType } = negotiateFormat(request?.headers.get('accept'));
  return new Response(registry.metrics(format), { headers: { 'content-type': contentType, 'cache-control': 'no-store' } });
}

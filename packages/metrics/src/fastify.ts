/**
 * `@armor/metrics/fastify`: a plugin (`fastify-plugin`, name `@armor/metrics`) recording request
 * metrics for every route, labelled by the route template (`/users/:id`; unmatched requests
 * read `(unmatched)`), with per-route `config.armor.metrics: false` to leave a route out, and the
 * scrape route. Imports Fastify's types only.
 *
 * @module
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { checkString } from '@armor/core';
import { negotiateFormat } from './format.js';
import { checkMetricsOptions } from './hono.js';
import { createHttpMetrics, httpOptions, UNMATCHED_ROUTE } from './http.js';
import type { Registry } from './registry.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Armor's per-route settings: `false` turns every Armor request plugin off for the route;
     * an object configures each plugin under its key (e.g. `{ rateLimit: false }`).
     */
    armor?: false | ArmorRouteConfig;
  }
  /** Per-route settings of the Armor plugins, one key per plugin (each package adds its own). */
  interface ArmorRouteConfig {
    /** `@armor/metrics/fastify`: `false` leaves the route out of the request metrics. */
    metrics?: false;
  }
}

/** Options of {@link armorMetrics}. */
export interface FastifyMetricsOptions {
  registry: Registry;
  /** Duration buckets (seconds). */
  buckets?: readonly number[];
  /** Custom route label; return `undefined` to fall back to the route template. */
  route?: (request: FastifyRequest) => string | undefined;
  /** Also label requests with the exact `status_code`. @default false */
  statusCode?: boolean;
  /** Count scrapes of the metrics route as traffic. @default false */
  countScrapes?: boolean;
  /** Path of the scrape route; `false` registers none. @default '/metrics' */
  path?: string | false;
}

const kStarted = Symbol.for('@armor/metrics.started');
type Marked = FastifyRequest & { [kStarted]?: number | undefined };

// Async, so a bad option rejects `register`/`ready()` instead of throwing out of the boot loop.
const plugin: FastifyPluginAsync<FastifyMetricsOptions> = async (fastify, options) => {
  checkMetricsOptions('armorMetrics', options, ['path']);
  const { path = '/metrics', registry, route: custom } = options;
  if (path !== false) checkString('path', path);
  const http = createHttpMetrics(registry, httpOptions(options));
  const skipScrapes = options.countScrapes !== true;
  const skipped = (request: FastifyRequest) => {
    const armor = request.routeOptions.config?.armor;
    return armor === false || armor?.metrics === false;
  };
  fastify.addHook('onRequest', (request, _reply, done) => {
    // Once per request, whatever the number of registrations.
    if ((request as Marked)[kStarted] === undefined && !skipped(request)) (request as Marked)[kStarted] = http.start();
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const started = (request as Marked)[kStarted];
    if (started !== undefined) {
      (request as Marked)[kStarted] = undefined;
      let label: string | undefined;
      if (custom) {
        try {
          label = custom(request);
        } catch {
          label = undefined;
        }
      }
      http.end(started, request.method, label ?? (reply.statusCode === 404 && request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE)), reply.statusCode);
    }
    done();
  });
  if (path !== false) {
    fastify.get(path, { config: skipScrapes ? { armor: { metrics: false } } : {} }, (request, reply) => {
      const { format, contentType } = negotiateFormat(request.headers.accept);
      return reply.header('content-type', contentType).header('cache-control', 'no-store').send(registry.metrics(format));
    });
  }
};

/**
 * The Fastify plugin.
 *
 * @example
 * ```ts no-run
 * await app.register(armorMetrics, { registry }); // also serves GET /metrics
 * ```
 */
export const armorMetrics = fp(plugin, { fastify: '5.x', name: '@armor/metrics' });

/**
 * `@armor/health/fastify`: a plugin (`fastify-plugin`, name `@armor/health`) that registers the
 * liveness, readiness and startup probes as `GET` routes (Fastify adds `HEAD`). Imports
 * Fastify's types only.
 *
 * @module
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Health } from './health.js';
import { HEALTH_CONTENT_TYPE, httpStatusFor } from './health.js';
import { checkProbeOptions, probeRoutes } from './hono.js';

/** Options of {@link armorHealth}. */
export interface FastifyHealthOptions {
  /** The health instance to answer for (`createHealth(...)`). */
  health: Health;
  /** Path prefix of the probes. @default '/health' */
  path?: string;
  /**
   * Whether answers include check details. Hidden by default (probes are usually public).
   * @default false
   */
  showDetails?: boolean | ((request: FastifyRequest) => boolean | Promise<boolean>);
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Armor's per-route settings: `false` turns every Armor request plugin off for the route;
     * an object configures each plugin under its key (e.g. `{ rateLimit: false }`).
     */
    armor?: false | ArmorRouteConfig;
  }
  /** Per-route settings of the Armor plugins, one key per plugin (each package adds its own). */
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface ArmorRouteConfig {}
}

// Async, so a bad option rejects `register`/`ready()` instead of throwing out of the boot loop.
const plugin: FastifyPluginAsync<FastifyHealthOptions> = async (fastify, options) => {
  const { health, ...rest } = options;
  checkProbeOptions('armorHealth', rest);
  const showDetails = rest.showDetails ?? false;
  for (const [url, probe] of probeRoutes(health, rest.path)) {
    fastify.get(url, { config: { armor: false } }, async (request, reply) => {
      let details = false;
      try {
        details = typeof showDetails === 'function' ? (await showDetails(request)) === true : showDetails;
      } catch {
        details = false;
      }
      const doc = await probe({ details });
      reply.code(httpStatusFor(doc)).header('content-type', HEALTH_CONTENT_TYPE).header('cache-control', 'no-store');
      return reply.send(JSON.stringify(doc));
    });
  }
};

/**
 * The Fastify plugin. Probe routes carry `config: { armor: false }`, so Armor's rate limit and
 * other per-request plugins skip them.
 *
 * @example
 * ```ts no-run
 * await app.register(armorHealth, { health }); // /health/live, /health/ready, /health/startup
 * ```
 */
export const armorHealth = fp(plugin, { fastify: '5.x', name: '@armor/health' });

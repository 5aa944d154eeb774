/**
 * `@armor/health/hono`: the liveness, readiness and startup probes as Hono middleware. Imports
 * Hono's types only.
 *
 * @module
 */
import { checkFunction, checkOptions, checkString } from '@armor/core';
import type { Context, MiddlewareHandler } from 'hono';
import type { Health, HealthDocument, ProbeOptions } from './health.js';
import { healthResponse } from './health.js';

/** Options of {@link healthProbes} (Hono). */
export interface HonoHealthOptions {
  /** Path prefix of the probes (matched exactly). @default '/health' */
  path?: string;
  /**
   * Whether answers include check details (per-check `output`, reasons). Hidden by default:
   * probes are usually public and exception messages leak secrets.
   * @default false
   */
  showDetails?: boolean | ((c: Context) => boolean | Promise<boolean>);
}

/** @internal The probe routes of a prefix (`<prefix>/live|ready|startup`, `<prefix>` = readiness). */
export function probeRoutes(health: Health, path: string | undefined): Map<string, (o: ProbeOptions) => Promise<HealthDocument>> {
  const prefix = (path ?? '/health').replace(/(?<!\/)\/+$/, '');
  return new Map<string, (o: ProbeOptions) => Promise<HealthDocument>>([
    [`${prefix}/live`, (o) => health.live(o)],
    [`${prefix}/ready`, (o) => health.ready(o)],
    [`${prefix}/startup`, (o) => health.startup(o)],
    [prefix === '' ? '/' : prefix, (o) => health.ready(o)],
  ]);
}

/** @internal Checks the options every health adapter shares. */
export function checkProbeOptions(component: string, options: { path?: unknown; showDetails?: unknown }): void {
  checkOptions(component, options, ['path', 'showDetails']);
  checkString('path', options.path, { allowEmpty: true });
  if (typeof options.showDetails !== 'boolean') checkFunction('showDetails', options.showDetails);
}

/**
 * Hono middleware answering `GET|HEAD <path>/live`, `<path>/ready`, `<path>/startup` and
 * `<path>` (readiness) with `application/health+json`: 200 for pass/warn, 503 for fail. Other
 * requests go on to `next()`.
 *
 * @throws ConfigurationError for a bad or unknown option
 * @example
 * ```ts no-run
 * app.use(healthProbes(health)); // /health/live, /health/ready, /health/startup
 * ```
 */
export function healthProbes(health: Health, options: HonoHealthOptions = {}): MiddlewareHandler {
  checkProbeOptions('healthProbes', options);
  const routes = probeRoutes(health, options.path);
  const showDetails = options.showDetails ?? false;
  return async (c, next) => {
    const method = c.req.method;
    const raw = c.req.path;
    const probe = method === 'GET' || method === 'HEAD' ? routes.get(raw.length > 1 ? raw.replace(/(?<!\/)\/+$/, '') : raw) : undefined;
    if (!probe) {
      await next();
      return;
    }
    let details = false;
    try {
      details = typeof showDetails === 'function' ? (await showDetails(c)) === true : showDetails;
    } catch {
      details = false;
    }
    return healthResponse(await probe({ details }), { head: method === 'HEAD' });
  };
}

/**
 * `@armor/health/express`: mounts the liveness, readiness and startup probes on an Express app.
 *
 * @module
 */
import type { NextFunction, Request, Response } from 'express';
import { checkFunction, checkOptions, checkString } from '@armor/core';
import type { Health, HealthDocument, ProbeOptions } from './health.js';
import { HEALTH_CONTENT_TYPE, httpStatusFor } from './health.js';

/** Options of {@link healthRouter}. */
export interface HealthRouterOptions {
  /** Path prefix of the probes (matched exactly, relative to where the router is mounted). @default '/health' */
  path?: string;
  /**
   * Whether answers include check details (per-check `output`, reasons in the top-level
   * `output`). Hidden by default because probes are usually public and exception messages leak
   * secrets; pass a function to show them to authorized callers.
   * @default false
   * @example
   * ```ts
   * app.use(healthRouter(health, { showDetails: (req) => req.get('x-admin-token') === process.env.ADMIN_TOKEN }));
   * ```
   */
  showDetails?: boolean | ((req: Request) => boolean | Promise<boolean>);
}

/**
 * Express middleware answering `GET|HEAD <path>/live`, `<path>/ready`, `<path>/startup` (and
 * `<path>` itself as readiness) with `application/health+json`: 200 for pass/warn, 503 with a
 * body saying why for fail. Paths are matched exactly; other requests fall through to `next()`.
 *
 * @throws ConfigurationError for a bad or unknown option
 * @example
 * ```ts
 * import { healthRouter } from '@armor/health/express';
 * app.use(healthRouter(health)); // /health/live, /health/ready, /health/startup
 * ```
 */
export function healthRouter(health: Health, options: HealthRouterOptions = {}) {
  checkOptions('healthRouter', options, ['path', 'showDetails']);
  checkString('path', options.path, { allowEmpty: true });
  if (typeof options.showDetails !== 'boolean') checkFunction('showDetails', options.showDetails);
  const showDetails = options.showDetails ?? false;
  const prefix = (options.path ?? '/health').replace(/(?<!\/)\/+$/, '');
  const routes = new Map<string, (o: ProbeOptions) => Promise<HealthDocument>>([
    [`${prefix}/live`, (o) => health.live(o)],
    [`${prefix}/ready`, (o) => health.ready(o)],
    [`${prefix}/startup`, (o) => health.startup(o)],
    [prefix === '' ? '/' : prefix, (o) => health.ready(o)],
  ]);
  // Every probe path starts with this; '' and '/' mean every path could be a probe.
  const root = prefix === '' ? '/' : prefix;
  return function armorHealth(req: Request, res: Response, next: NextFunction): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const raw = req.path;
    // Not under the prefix (most requests): no further work.
    if (!raw.startsWith(root)) return next();
    // Trailing slashes are trimmed only when there is one (a regex replace on every request is not free).
    const path = raw.length > 1 && raw.charCodeAt(raw.length - 1) === 47 ? raw.replace(/(?<!\/)\/+$/, '') : raw;
    const probe = routes.get(path);
    if (!probe) return next();
    const answer = async () => {
      let details = false;
      try {
        details = typeof showDetails === 'function' ? (await showDetails(req)) === true : showDetails;
      } catch {
        details = false;
      }
      return probe({ details });
    };
    answer().then(
      (doc) => {
        res.status(httpStatusFor(doc));
        res.setHeader('content-type', HEALTH_CONTENT_TYPE);
        res.setHeader('cache-control', 'no-store');
        res.end(req.method === 'HEAD' ? undefined : JSON.stringify(doc));
      },
      (error: unknown) => next(error),
    );
  };
}

/**
 * `@armor/health/express`: mounts the liveness, readiness and startup probes on an Express app.
 *
 * @module
 */
import type { NextFunction, Request, Response } from 'express';
import type { Health, HealthDocument } from './health.js';
import { HEALTH_CONTENT_TYPE, httpStatusFor } from './health.js';

/** Options of {@link healthRouter}. */
export interface HealthRouterOptions {
  /** Path prefix of the probes. @default '/health' */
  path?: string;
}

/**
 * Express middleware answering `GET|HEAD <path>/live`, `<path>/ready`, `<path>/startup` (and
 * `<path>` itself as readiness) with `application/health+json`: 200 for pass/warn, 503 with a
 * body saying why for fail. Other paths fall through to `next()`.
 *
 * @example
 * ```ts
 * import { healthRouter } from '@armor/health/express';
 * app.use(healthRouter(health)); // /health/live, /health/ready, /health/startup
 * ```
 */
export function healthRouter(health: Health, options: HealthRouterOptions = {}) {
  const prefix = (options.path ?? '/health').replace(/\/+$/, '');
  const routes = new Map<string, () => Promise<HealthDocument>>([
    [`${prefix}/live`, () => health.live()],
    [`${prefix}/ready`, () => health.ready()],
    [`${prefix}/startup`, () => health.startup()],
    [prefix === '' ? '/' : prefix, () => health.ready()],
  ]);
  return function armorHealth(req: Request, res: Response, next: NextFunction): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const path = req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path;
    const probe = routes.get(path);
    if (!probe) return next();
    probe().then(
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

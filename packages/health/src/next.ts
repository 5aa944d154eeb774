/**
 * `@armor/health/next`: the probes as Next.js App Router route handlers. Web-standard only (no
 * import of `next`): works in the Node and the edge runtime.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import type { Health } from './health.js';
import { healthResponse } from './health.js';
import { checkProbeOptions } from './hono.js';

/** Options of {@link healthRoute}. */
export interface NextHealthOptions {
  /**
   * Whether answers include check details. Hidden by default (probes are usually public).
   * @default false
   */
  showDetails?: boolean | ((request: Request) => boolean | Promise<boolean>);
}

/** The probe a route answers. */
export type ProbeName = 'live' | 'ready' | 'startup';

/**
 * `GET` and `HEAD` handlers of one probe, for `app/health/<probe>/route.ts`:
 * 200 for pass/warn, 503 for fail, `application/health+json`, `cache-control: no-store`.
 *
 * @example
 * ```ts no-run
 * // app/health/ready/route.ts
 * export const { GET, HEAD } = healthRoute(health, 'ready');
 * ```
 */
export function healthRoute(health: Health, probe: ProbeName, options: NextHealthOptions = {}): { GET: (request: Request) => Promise<Response>; HEAD: (request: Request) => Promise<Response> } {
  checkProbeOptions('healthRoute', options);
  if (probe !== 'live' && probe !== 'ready' && probe !== 'startup') {
    throw new ConfigurationError('probe', "must be 'live', 'ready' or 'startup'", { received: probe });
  }
  const showDetails = options.showDetails ?? false;
  const answer = async (request: Request, head: boolean) => {
    let details = false;
    try {
      details = typeof showDetails === 'function' ? (await showDetails(request)) === true : showDetails;
    } catch {
      details = false;
    }
    return healthResponse(await health[probe]({ details }), { head });
  };
  return { GET: (request) => answer(request, false), HEAD: (request) => answer(request, true) };
}

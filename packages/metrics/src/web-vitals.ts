/**
 * `@armor/metrics/web-vitals`: the server side of real-user web vitals. A Fetch handler
 * (`(request) => Promise<Response>`, for any runtime) that takes the beacons of
 * `@armor/metrics/web-vitals-client`, validates them with zod, limits each client's rate, caps
 * the number of distinct routes, and records one Prometheus histogram per metric
 * (`web_vitals_lcp_seconds`, `web_vitals_inp_seconds`, `web_vitals_cls`,
 * `web_vitals_fcp_seconds`, `web_vitals_ttfb_seconds`, label `route`) on your registry. The bucket
 * edges include the published good/poor thresholds, so the p75 of a route is
 * `histogram_quantile(0.75, sum by (le, route) (rate(web_vitals_lcp_seconds_bucket[5m])))`, and it
 * merges across every instance of a fleet. The Express adapter is `@armor/metrics/web-vitals-express`.
 *
 * @example
 * ```ts
 * import { createRegistry } from '@armor/metrics';
 * import { createWebVitalsIngest } from '@armor/metrics/web-vitals';
 *
 * const registry = createRegistry();
 * const vitals = createWebVitalsIngest({ registry, maxRoutes: 50 });
 * const response = await vitals.handle(new Request('http://localhost/vitals', {
 *   method: 'POST',
 *   body: JSON.stringify({ metrics: [{ name: 'LCP', value: 1830, route: '/projects/:id' }] }),
 * }), { clientKey: '203.0.113.7' });
 * console.log(response.status); // 204
 * ```
 *
 * @module
 */
import { checkFunction, checkInt, checkOptions, checkClock, toScheduler, type Clock } from '@armor/core';
import { readBodyText } from '@armor/core/body';
import { BadRequestError, ConfigurationError, MethodNotAllowedError, PayloadTooLargeError, RateLimitError, ValidationError, problemResponse, type ValidationIssue } from '@armor/errors';
import { z } from 'zod';
import type { Counter, Histogram } from './metric-types.js';
import type { Registry } from './registry.js';
import { WEB_VITAL_BUCKETS, WEB_VITAL_METRIC_NAMES, WEB_VITAL_NAMES, type WebVitalName } from './web-vitals-thresholds.js';
import { toLimiter, type WebVitalsLimiterLike, type WebVitalsRateLimitOptions } from './web-vitals-limiter.js';

export { WEB_VITAL_BUCKETS, WEB_VITAL_METRIC_NAMES, WEB_VITAL_NAMES, WEB_VITAL_THRESHOLDS, type WebVitalName } from './web-vitals-thresholds.js';
export type { WebVitalsLimitDecision, WebVitalsLimiterLike, WebVitalsRateLimitOptions } from './web-vitals-limiter.js';

/** The route label of beacons beyond `maxRoutes` distinct routes. */
export const OTHER_ROUTE = 'other';

/** Longest accepted route template (characters). */
export const MAX_ROUTE_LENGTH = 128;

/** Most metrics accepted in one beacon (a page reports at most a few per navigation). */
export const MAX_METRICS_PER_BEACON = 100;

/** Largest plausible value of a timing (ms): one hour. Anything above is refused as bad input. */
const MAX_MS = 3_600_000;
/** Largest plausible CLS: layout shift scores are a fraction of the viewport per shift, summed per session window. */
const MAX_CLS = 1000;

// A template, not a URL: starts with `/`, printable ASCII, no query or fragment.
const ROUTE = /^\/[\x21-\x22\x24-\x3e\x40-\x7e]*$/;

/** One metric of a beacon, as `@armor/metrics/web-vitals-client` sends it. */
export const webVitalSchema = z
  .object({
    /** `LCP`, `INP`, `CLS`, `FCP` or `TTFB`. */
    name: z.enum(WEB_VITAL_NAMES),
    /** Milliseconds (LCP, INP, FCP, TTFB) or the unitless layout shift score (CLS). */
    value: z.number().finite().min(0),
    /** The route template, e.g. `/projects/:id` (never a raw URL: no query, no fragment). */
    route: z.string().min(1).max(MAX_ROUTE_LENGTH).regex(ROUTE, 'must be a route template starting with "/" (printable ASCII, no "?" or "#")'),
    /** The `web-vitals` metric id (unique per metric instance). */
    id: z.string().max(128).optional(),
    /** The `web-vitals` navigation type (`navigate`, `reload`, `soft-navigation`, ...). */
    navigationType: z.string().max(32).optional(),
  })
  .superRefine((m, ctx) => {
    if (m.value > (m.name === 'CLS' ? MAX_CLS : MAX_MS))
      ctx.addIssue({ code: 'custom', path: ['value'], message: `must be <= ${m.name === 'CLS' ? MAX_CLS : `${MAX_MS} ms`} for ${m.name}` });
  });

/** A beacon: every metric a page had when it was hidden. */
export const webVitalsBeaconSchema = z.object({
  metrics: z.array(webVitalSchema).min(1).max(MAX_METRICS_PER_BEACON),
});

/** A validated beacon. */
export type WebVitalsBeacon = z.infer<typeof webVitalsBeaconSchema>;

/** Options of {@link createWebVitalsIngest}. */
export interface WebVitalsIngestOptions {
  /** The registry the five histograms (and `web_vitals_beacons_total`) are registered on. */
  registry: Registry;
  /**
   * Most distinct route labels this process records; the beacons of further routes are recorded
   * under `other`. Bounds the series count whatever the clients send.
   * @default 100
   */
  maxRoutes?: number;
  /** Largest accepted body (bytes); a larger body is answered 413 without being read further. @default 16384 */
  maxBodyBytes?: number;
  /**
   * Per-client rate limit: options of the built-in fixed-window limiter (30 beacons per 60 s per
   * client, 10 000 clients remembered), a limiter with `consume(key)` (e.g. an
   * `@armor/rate-limit` `RateLimiter`), or `false` for none. Refused beacons are answered 429.
   * @default {}
   */
  rateLimit?: false | WebVitalsRateLimitOptions | WebVitalsLimiterLike;
  /**
   * The client key of a request when {@link WebVitalsIngest.handle} is not given one (Fetch
   * runtimes do not know the peer address: read it from your platform, e.g. a trusted proxy
   * header). Requests without a key share the key `anonymous`.
   * @default () => undefined
   */
  clientKey?: (request: Request) => string | undefined;
  /** Time source of the built-in limiter. @default systemClock */
  clock?: Clock;
}

/** Per-call context of {@link WebVitalsIngest.handle}. */
export interface WebVitalsRequestContext {
  /** The client's key for rate limiting, usually its (normalized) IP address. */
  clientKey?: string | undefined;
}

/** What {@link WebVitalsIngest.ingest} did with one beacon. */
export type WebVitalsIngestResult =
  | { readonly ok: true; readonly recorded: number }
  | { readonly ok: false; readonly error: BadRequestError | ValidationError | PayloadTooLargeError | RateLimitError };

/** The ingest returned by {@link createWebVitalsIngest}. */
export interface WebVitalsIngest {
  /**
   * The Fetch handler: `POST` with a JSON body (any content type: `sendBeacon` sends
   * `text/plain`). Answers 204 when recorded, 400 problem+json for a bad body, 413 when larger
   * than `maxBodyBytes`, 429 when the client is over its limit, 405 for other methods. Never
   * rejects.
   */
  handle(request: Request, context?: WebVitalsRequestContext): Promise<Response>;
  /**
   * Framework-neutral core: validates a parsed (or JSON text) body, applies the client's limit
   * and records it. Used by the adapters; never rejects.
   */
  ingest(body: unknown, clientKey: string | undefined): Promise<WebVitalsIngestResult>;
  /** The route labels seen so far (at most `maxRoutes`, plus `other` once it was used). */
  routes(): string[];
  /** The `maxBodyBytes` option (bytes), for adapters that read the body themselves. */
  readonly maxBodyBytes: number;
  /** The 413 answer for a body over `maxBodyBytes` (counted as `too_large`), for adapters. */
  tooLarge(): Response;
}

const OPTION_KEYS = ['registry', 'maxRoutes', 'maxBodyBytes', 'rateLimit', 'clientKey', 'clock'] as const;
const SECONDS: Record<WebVitalName, boolean> = { LCP: true, INP: true, CLS: false, FCP: true, TTFB: true };

function issuesOf(error: z.ZodError): ValidationIssue[] {
  return error.issues.slice(0, 20).map((i) => ({
    path: i.path.map((p) => `/${String(p)}`).join(''),
    message: i.message,
    code: i.code,
  }));
}

/**
 * Builds the web vitals ingest: registers the five histograms on `registry` and returns the
 * Fetch handler and its framework-neutral core. Throws `ConfigurationError` for bad options.
 */
export function createWebVitalsIngest(options: WebVitalsIngestOptions): WebVitalsIngest {
  checkOptions('createWebVitalsIngest', options, OPTION_KEYS);
  if (options === undefined) throw new ConfigurationError('registry', 'is required: a Registry from createRegistry()');
  const { registry, maxRoutes = 100, maxBodyBytes = 16_384, rateLimit, clientKey, clock } = options;
  if (typeof registry !== 'object' || registry === null || typeof (registry as Partial<Registry>).histogram !== 'function')
    throw new ConfigurationError('registry', 'is required: a Registry from createRegistry()', { received: registry });
  checkInt('maxRoutes', maxRoutes, 1);
  checkInt('maxBodyBytes', maxBodyBytes, 64);
  checkFunction('clientKey', clientKey);
  checkClock(clock);
  const limiter = toLimiter(rateLimit, toScheduler(clock));

  const histograms = {} as Record<WebVitalName, Histogram<'route'>>;
  for (const name of WEB_VITAL_NAMES) {
    histograms[name] = registry.histogram({
      name: WEB_VITAL_METRIC_NAMES[name],
      help: `${name} of real page loads per route template (${SECONDS[name] ? 'seconds' : 'unitless layout shift score'}), from web-vitals beacons.`,
      labelNames: ['route'],
      buckets: WEB_VITAL_BUCKETS[name],
      maxSeries: maxRoutes + 1,
    });
  }
  const beacons: Counter<'result'> = registry.counter({
    name: 'web_vitals_beacons_total',
    help: 'Web vitals beacons received, by result (recorded, invalid, too_large, rate_limited).',
    labelNames: ['result'],
  });
  const seen = new Set<string>();
  let otherUsed = false;

  const label = (route: string) => {
    if (seen.has(route)) return route;
    if (seen.size < maxRoutes) {
      seen.add(route);
      return route;
    }
    otherUsed = true;
    return OTHER_ROUTE;
  };

  const admit = async (key: string) => {
    if (limiter === undefined) return undefined;
    try {
      const d = await limiter.consume(key);
      if (d.allowed) return undefined;
      return new RateLimitError('Too many web vitals beacons', { retryAfterMs: typeof d.retryAfterMs === 'number' && d.retryAfterMs > 0 ? d.retryAfterMs : 1000 });
    } catch {
      return undefined; // fail open: a broken limiter must not cost the vitals
    }
  };

  const ingest = async (body: unknown, key: string | undefined): Promise<WebVitalsIngestResult> => {
    const limited = await admit(typeof key === 'string' && key !== '' ? key : 'anonymous');
    if (limited !== undefined) {
      beacons.inc({ result: 'rate_limited' });
      return { ok: false, error: limited };
    }
    let parsed: unknown = body;
    if (typeof body === 'string') {
      try {
        parsed = JSON.parse(body);
      } catch {
        beacons.inc({ result: 'invalid' });
        return { ok: false, error: new BadRequestError('The web vitals beacon is not valid JSON') };
      }
    }
    const result = webVitalsBeaconSchema.safeParse(parsed);
    if (!result.success) {
      beacons.inc({ result: 'invalid' });
      return { ok: false, error: new ValidationError('Invalid web vitals beacon', { issues: issuesOf(result.error) }) };
    }
    for (const m of result.data.metrics) histograms[m.name].observe({ route: label(m.route) }, SECONDS[m.name] ? m.value / 1000 : m.value);
    beacons.inc({ result: 'recorded' });
    return { ok: true, recorded: result.data.metrics.length };
  };

  const safeIngest = async (body: unknown, key: string | undefined): Promise<WebVitalsIngestResult> => {
    try {
      return await ingest(body, key);
    } catch {
      return { ok: false, error: new BadRequestError('The web vitals beacon could not be read') };
    }
  };

  const tooLarge = () => {
    beacons.inc({ result: 'too_large' });
    return problemResponse(new PayloadTooLargeError(`A web vitals beacon is at most ${maxBodyBytes} bytes`));
  };

  const handle = async (request: Request, context?: WebVitalsRequestContext): Promise<Response> => {
    try {
      if (request.method !== 'POST') return problemResponse(new MethodNotAllowedError('Web vitals beacons are POSTed', { allow: ['POST'] }));
      const read = await readBodyText(request, maxBodyBytes);
      if (read.tooLarge) return tooLarge();
      let key = context?.clientKey;
      if (key === undefined && clientKey !== undefined) {
        try {
          key = clientKey(request);
        } catch {
          key = undefined;
        }
      }
      const result = await safeIngest(read.text, key);
      return result.ok ? new Response(null, { status: 204 }) : problemResponse(result.error);
    } catch (error) {
      return problemResponse(new BadRequestError('The web vitals beacon could not be read', { cause: error }));
    }
  };

  return {
    handle,
    ingest: safeIngest,
    routes: () => (otherUsed ? [...seen, OTHER_ROUTE] : [...seen]),
    maxBodyBytes,
    tooLarge,
  };
}

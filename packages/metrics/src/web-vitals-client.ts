/**
 * `@armor/metrics/web-vitals-client`: the browser side of real-user web vitals, on Google's
 * `web-vitals` library. It collects LCP, INP, CLS, FCP and TTFB of the page (and of each soft
 * navigation, in browsers that expose them), labels each with the route TEMPLATE your `route`
 * function returns for its URL (never the raw URL), and sends everything collected as ONE beacon
 * when the page is hidden (`navigator.sendBeacon`, or `fetch` with `keepalive` where a beacon is
 * refused). Sampling is uniform and decided once per page load. The server side is
 * `@armor/metrics/web-vitals`.
 *
 * @example
 * ```ts
 * import { reportWebVitals } from '@armor/metrics/web-vitals-client';
 *
 * reportWebVitals({
 *   endpoint: '/vitals',
 *   sampleRate: 0.1,
 *   route: (url) => url.pathname.replace(/^\/projects\/[^/]+/, '/projects/:id'),
 * });
 * ```
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';
import { onCLS, onFCP, onINP, onLCP, onTTFB, type MetricType } from 'web-vitals';

/** Options of {@link reportWebVitals}. */
export interface WebVitalsClientOptions {
  /** Where the beacon is POSTed (same-origin path or absolute URL), e.g. `/vitals`. */
  endpoint: string;
  /**
   * Maps the URL a metric belongs to onto its route template, e.g. `/projects/42` →
   * `/projects/:id`. Return `undefined` to drop the metric. Must never return the raw URL of a
   * page with ids or personal data in it: the template becomes a Prometheus label. A function
   * that throws drops the metric.
   */
  route: (url: URL) => string | undefined;
  /**
   * Share of page loads that report, in [0, 1]; decided once per page load, uniformly, so the
   * reported distribution is the real one. @default 1
   */
  sampleRate?: number;
  /**
   * Also report the metrics of soft navigations (single-page app route changes) where the browser
   * exposes them (`web-vitals`' `reportSoftNavs`); each is labelled with the route of its own URL.
   * A soft navigation has no TTFB (no document is fetched), so none is sent for it.
   * @default true
   */
  reportSoftNavs?: boolean;
  /** The random source of the sampling decision, in [0, 1). @default Math.random */
  random?: () => number;
}

/** What {@link reportWebVitals} returns. */
export interface WebVitalsReporter {
  /** Whether this page load was sampled (when not, nothing is observed or sent). */
  readonly sampled: boolean;
  /** Metrics collected and not yet sent. */
  pending(): number;
  /** Sends what is collected now, as one beacon; `false` when there was nothing to send. */
  flush(): boolean;
}

/** One metric on the wire (the body is `{ "metrics": [...] }`). */
export interface WebVitalsBeaconMetric {
  name: MetricType['name'];
  /** Milliseconds; the unitless score for CLS. */
  value: number;
  route: string;
  id: string;
  navigationType: MetricType['navigationType'];
}

const KEYS = ['endpoint', 'route', 'sampleRate', 'reportSoftNavs', 'random'];
/** Metrics held before the ones of finished navigations are sent early (a beacon stays ~8 KB). */
const MAX_BATCH = 50;
const OFF: WebVitalsReporter = { sampled: false, pending: () => 0, flush: () => false };

function check(options: WebVitalsClientOptions): void {
  if (typeof options !== 'object' || options === null) throw new ConfigurationError('options', 'reportWebVitals options must be an object', { received: options });
  for (const key of Object.keys(options)) if (!KEYS.includes(key)) throw new ConfigurationError(key, `unknown option of reportWebVitals; known options: ${KEYS.join(', ')}`);
  const { endpoint, route, sampleRate, reportSoftNavs, random } = options;
  if (typeof endpoint !== 'string' || endpoint === '') throw new ConfigurationError('endpoint', 'is required: the URL beacons are POSTed to', { received: endpoint });
  if (typeof route !== 'function') throw new ConfigurationError('route', 'is required: a function from URL to route template', { received: route });
  if (sampleRate !== undefined && !(typeof sampleRate === 'number' && sampleRate >= 0 && sampleRate <= 1))
    throw new ConfigurationError('sampleRate', 'must be a number in [0, 1]', { received: sampleRate });
  if (reportSoftNavs !== undefined && typeof reportSoftNavs !== 'boolean') throw new ConfigurationError('reportSoftNavs', 'must be a boolean', { received: reportSoftNavs });
  if (random !== undefined && typeof random !== 'function') throw new ConfigurationError('random', 'must be a function', { received: random });
}

/**
 * Starts collecting this page's web vitals; call it once, early (before the first paint when you
 * can). Each metric instance is sent once: with the value it had at the first page hide after it
 * was reported (CLS and INP are final by then for most pages). Throws `ConfigurationError` for bad
 * options; never throws afterwards.
 */
export function reportWebVitals(options: WebVitalsClientOptions): WebVitalsReporter {
  check(options);
  const { endpoint, route, sampleRate = 1, reportSoftNavs = true, random = Math.random } = options;
  if (typeof window === 'undefined' || typeof document === 'undefined') return OFF;
  if (!(random() < sampleRate)) return OFF;

  const pageHref = location.href;
  const queue = new Map<string, WebVitalsBeaconMetric>();
  const sent = new Set<string>();
  const navigationOf = new Map<string, number>();

  const onReport = (metric: MetricType) => {
    if (sent.has(metric.id)) return;
    // A soft navigation fetches no document: web-vitals reports its TTFB as 0, which would only
    // drag the TTFB distribution towards zero.
    if (metric.name === 'TTFB' && metric.navigationType === 'soft-navigation') return;
    let template: unknown;
    try {
      template = route(new URL(metric.navigationURL ?? pageHref, pageHref));
    } catch {
      return;
    }
    if (typeof template !== 'string' || template === '') return;
    queue.set(metric.id, { name: metric.name, value: metric.value, route: template, id: metric.id, navigationType: metric.navigationType });
    navigationOf.set(metric.id, metric.navigationId);
    // A long single-page session piles up soft navigations between hides: once the batch is
    // full, send the metrics of navigations already left (final by now), keep the current ones.
    if (queue.size >= MAX_BATCH) flushWhere((id) => navigationOf.get(id) !== metric.navigationId);
  };

  const send = (body: string) => {
    try {
      if (typeof navigator.sendBeacon === 'function' && navigator.sendBeacon(endpoint, body)) return;
    } catch {
      // fall through to fetch
    }
    try {
      void fetch(endpoint, { method: 'POST', body, keepalive: true, credentials: 'same-origin', headers: { 'content-type': 'text/plain;charset=UTF-8' } }).catch(() => {});
    } catch {
      // nothing else to try: vitals are best-effort
    }
  };

  const flushWhere = (pick: (id: string) => boolean) => {
    const metrics = [...queue.values()].filter((m) => pick(m.id));
    if (metrics.length === 0) return false;
    for (const m of metrics) {
      queue.delete(m.id);
      navigationOf.delete(m.id);
      sent.add(m.id);
    }
    // the server takes at most 100 metrics per beacon
    for (let i = 0; i < metrics.length; i += 100) send(JSON.stringify({ metrics: metrics.slice(i, i + 100) }));
    return true;
  };
  const flush = () => flushWhere(() => true);

  const opts = { reportSoftNavs, reportAllChanges: true };
  onTTFB(onReport, opts);
  onFCP(onReport, opts);
  onLCP(onReport, opts);
  onCLS(onReport, opts);
  onINP(onReport, opts);
  // Bubble phase on window: after web-vitals' own capture-phase `visibilitychange` listeners have
  // reported the final LCP, CLS and INP, so one beacon carries them all.
  addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') flush();
  });

  return { sampled: true, pending: () => queue.size, flush };
}

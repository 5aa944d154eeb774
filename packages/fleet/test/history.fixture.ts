// A day of metrics history for 4 instances (about 1,000 series, one sample every 4 minutes),
// as the instances' registries would have exported it, with an instance restart whose new
// counts pass the old ones before its first scrape. The test backfills it into a real
// Prometheus (promtool) and compares the fleet snapshot with the exact figures computed here.

export const INTERVAL_S = 240;
export const INSTANCES = ['10.0.0.1:3000', '10.0.0.2:3000', '10.0.0.3:3000', '10.0.0.4:3000'];
export const ROUTES = Array.from({ length: 12 }, (_, r) => `/r${r}`);
const CLASSES = ['2xx', '5xx'] as const;
const LES = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '+Inf'];
/** The instance that restarts, and how much its new process served before its first scrape. */
export const RESTARTED = INSTANCES[3]!;
export const BEFORE_FIRST_SCRAPE = 1_000;

interface Point {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** Counters: what was served since the previous sample of the same process. */
  inc?: number;
}

export interface Expected {
  count: number;
  errors: number;
  byInstance: Map<string, { count: number; errors: number }>;
  byRoute: Map<string, { count: number; errors: number }>;
  cacheHits: number;
  cacheMisses: number;
  allowed: number;
  limited: number;
  storeErrors: number;
  shop: number;
}

export function history(endMs: number) {
  const samples = Math.ceil((24 * 3600 + 40 * 60) / INTERVAL_S);
  const timeOf = (n: number) => endMs - 7_000 - (samples - 1 - n) * INTERVAL_S * 1000; // n ascending in time
  const restartAt = samples - 1 - Math.round((3 * 3600) / INTERVAL_S); // 3 h before the end: inside 24 h, outside 1 h
  const totals = new Map<string, number>();
  const key = (name: string, labels: Record<string, string>) => `${name}${JSON.stringify(labels)}`;

  const counter = (name: string, labels: Record<string, string>, inc: number): Point => {
    const k = key(name, labels);
    const value = (totals.get(k) ?? 0) + inc;
    totals.set(k, value);
    return { name, labels, value, inc };
  };

  function* points(n: number): Generator<Point> {
    const t = timeOf(n);
    for (let i = 0; i < INSTANCES.length; i++) {
      const instance = INSTANCES[i]!;
      const restarted = instance === RESTARTED;
      const base = { job: 'api', instance };
      if (restarted && n === restartAt - 1) {
        yield { name: 'up', labels: base, value: 0 }; // down: the old process died, the new one is starting
        continue;
      }
      const fresh = restarted && n === restartAt; // the new process's first scrape
      if (fresh) for (const k of [...totals.keys()]) if (k.includes(`"instance":"${instance}"`)) totals.delete(k);
      yield { name: 'up', labels: base, value: 1 };
      yield { name: 'health_ready', labels: base, value: i === 1 ? 0 : 1 };
      yield { name: 'http_requests_in_flight', labels: base, value: i + 1 };
      const start = restarted && n >= restartAt ? timeOf(restartAt) / 1000 - 60 : timeOf(0) / 1000 - 3600 * (i + 1);
      yield { name: 'process_start_time_seconds', labels: base, value: Math.round(start) };
      for (let r = 0; r < ROUTES.length; r++) {
        for (const c of CLASSES) {
          let inc = c === '5xx' ? ((n + i + r) % 7 === 0 ? 1 : 0) : 1 + ((n * 3 + i * 5 + r) % 4);
          if (fresh && c === '2xx' && r === 0) inc += BEFORE_FIRST_SCRAPE;
          const labels = { ...base, method: 'GET', route: ROUTES[r]!, status_class: c };
          yield counter('http_requests_total', labels, inc);
          const bucket = (r + i) % 8;
          for (let l = 0; l < LES.length; l++) yield counter('http_request_duration_seconds_bucket', { ...labels, le: LES[l]! }, l >= bucket ? inc : 0);
        }
      }
      for (const state of ['closed', 'open', 'half-open', 'isolated']) yield { name: 'circuit_breaker_state', labels: { ...base, breaker: 'payments', state }, value: (i === 0 ? 'open' : 'closed') === state ? 1 : 0 };
      yield counter('cache_requests_total', { ...base, cache: 'users', result: 'hit' }, 3);
      yield counter('cache_requests_total', { ...base, cache: 'users', result: 'miss' }, 1);
      yield counter('cache_requests_total', { ...base, cache: 'users', result: 'stale' }, 1);
      yield { name: 'cache_size', labels: { ...base, cache: 'users' }, value: 100 + i };
      yield counter('rate_limit_decisions_total', { ...base, limiter: 'api', decision: 'allowed' }, 5);
      yield counter('rate_limit_decisions_total', { ...base, limiter: 'api', decision: 'limited' }, 1);
      yield counter('rate_limit_store_errors_total', { ...base, limiter: 'api' }, n % 10 === 0 ? 1 : 0);
    }
    // a second service whose registry has a prefix
    const shop = { job: 'shop', instance: 'shop:1' };
    yield { name: 'up', labels: shop, value: 1 };
    yield { name: 'shop_process_start_time_seconds', labels: shop, value: Math.round(timeOf(0) / 1000 - 60) };
    yield counter('shop_http_requests_total', { ...shop, method: 'POST', route: '/buy', status_class: '2xx' }, 2);
    for (const le of LES) yield counter('shop_http_request_duration_seconds_bucket', { ...shop, method: 'POST', route: '/buy', status_class: '2xx', le }, 2);
    void t;
  }

  const format = (p: Point, t: number) =>
    `${p.name}{${Object.entries(p.labels)
      .map(([k, v]) => `${k}="${v}"`)
      .join(',')}} ${p.value} ${(t / 1000).toFixed(3)}`;

  return {
    samples,
    restartAt: timeOf(restartAt),
    *lines(): Generator<string> {
      totals.clear();
      for (let n = 0; n < samples; n++) for (const p of points(n)) yield format(p, timeOf(n));
    },
    /** Exact figures for the window (windowStart, endMs]. */
    expected(windowStart: number): Expected {
      totals.clear();
      const e: Expected = { count: 0, errors: 0, byInstance: new Map(), byRoute: new Map(), cacheHits: 0, cacheMisses: 0, allowed: 0, limited: 0, storeErrors: 0, shop: 0 };
      for (let n = 0; n < samples; n++) {
        const inside = timeOf(n) > windowStart;
        for (const p of points(n)) {
          if (!inside || p.inc === undefined || p.inc === 0) continue;
          const l = p.labels;
          if (p.name === 'http_requests_total') {
            const err = l.status_class === '5xx' ? p.inc : 0;
            e.count += p.inc;
            e.errors += err;
            for (const [map, k] of [
              [e.byInstance, l.instance!],
              [e.byRoute, l.route!],
            ] as const) {
              const v = map.get(k) ?? { count: 0, errors: 0 };
              map.set(k, { count: v.count + p.inc, errors: v.errors + err });
            }
          } else if (p.name === 'cache_requests_total') {
            if (l.result === 'miss') e.cacheMisses += p.inc;
            else e.cacheHits += p.inc;
          } else if (p.name === 'rate_limit_decisions_total') {
            if (l.decision === 'limited') e.limited += p.inc;
            else e.allowed += p.inc;
          } else if (p.name === 'rate_limit_store_errors_total') e.storeErrors += p.inc;
          else if (p.name === 'shop_http_requests_total') e.shop += p.inc;
        }
      }
      return e;
    },
  };
}

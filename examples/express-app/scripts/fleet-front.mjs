// The front of the fleet demo (scripts/fleet-demo.mjs): one port, two instances behind it.
//
// - Every request goes to the next instance in turn (round robin). Like scripts/front.mjs it is
//   the one trusted proxy hop: it overwrites X-Forwarded-For with the peer's address and drops
//   Forwarded and X-Real-IP (the instances run with TRUST_PROXY=1).
// - `GET /monitoring/snapshot` is first sent to an instance, which applies its own admin gate
//   (open with DEMO=1). When it answers 200 and a fleet monitor is given, the answer is replaced
//   by the fleet snapshot (`@armor/fleet`: Prometheus + the Redis fleet store) for the query's
//   `instance` and `range`, with its SLO scorecard (`@armor/metrics/slo`) added as `slo`: page
//   loads from the instances' web-vitals histograms merged in Prometheus, the bundle size from
//   the built page. Without a fleet monitor the snapshot always comes from the first instance
//   (a dashboard that flipped between instances on every refresh would show nothing true).
import { readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { createScorecard } from '@armor/metrics/slo';

/**
 * Size of the JavaScript the built /monitoring page loads (every chunk under `assets/`, bytes,
 * uncompressed), or `null` when the page is not built.
 */
export function dashboardJsBytes(dashboardDir) {
  try {
    return readdirSync(join(dashboardDir, 'assets'))
      .filter((f) => f.endsWith('.js'))
      .reduce((sum, f) => sum + statSync(join(dashboardDir, 'assets', f)).size, 0);
  } catch {
    return null;
  }
}

const RANGE_SECONDS = { '15m': 900, '1h': 3600, '6h': 21600, '24h': 86400 };

/**
 * A `pageLoads` source for the scorecard: p75 of LCP per route over `range`, merged over the
 * fleet (or one instance) by Prometheus' `histogram_quantile`.
 */
function pageLoadsFromPrometheus(prometheus, job, instance, range) {
  const sel = `job="${job}"${instance ? `,instance="${instance.replace(/["\\]/g, '\\$&')}"` : ''}`;
  const window = `${RANGE_SECONDS[range] ?? 900}s`;
  return async () => {
    const [quantiles, counts] = await Promise.all([
      prometheus.query(`histogram_quantile(0.75, sum by (route, le) (increase(web_vitals_lcp_seconds_bucket{${sel}}[${window}])))`),
      prometheus.query(`sum by (route) (increase(web_vitals_lcp_seconds_count{${sel}}[${window}]))`),
    ]);
    const samples = new Map(counts.resultType === 'vector' ? counts.result.map((s) => [s.metric.route, Math.round(s.value[1])]) : []);
    if (quantiles.resultType !== 'vector') return [];
    return quantiles.result.map((s) => ({
      route: s.metric.route ?? '',
      p75Ms: Number.isFinite(s.value[1]) ? Math.round(s.value[1] * 1000) : null,
      samples: samples.get(s.metric.route) ?? 0,
    }));
  };
}

/**
 * Creates the front server (not listening yet).
 *
 * @param {object} options
 * @param {{ upstreams: { port: number }[], fleet?: import('@armor/fleet').FleetMonitor, prometheus?: import('@armor/fleet').PrometheusClient }} options.state
 *   read at each request (the demo fills it in as it starts things): the instances in order, the
 *   fleet monitor (when Prometheus runs) and its Prometheus client (for the page-load figures)
 * @param {string} options.job the instances' Prometheus job
 * @param {string} options.dashboardDir the built page (for the bundle size)
 * @param {(message: string) => void} options.warn
 */
export function createFront({ state, job, dashboardDir, warn }) {
  const agent = new http.Agent({ keepAlive: true });
  let next = 0;
  /** One scorecard per (instance, range): each keeps its own trend and error-budget history. */
  const scorecards = new Map();
  const scorecardFor = (instance, range) => {
    const key = `${instance}\u0000${range}`;
    let card = scorecards.get(key);
    if (!card) {
      card = createScorecard({
        bundleBytes: () => dashboardJsBytes(dashboardDir),
        ...(state.prometheus ? { pageLoads: pageLoadsFromPrometheus(state.prometheus, job, instance, range) } : {}),
      });
      scorecards.set(key, card);
    }
    return card;
  };

  /** Sends `req` to `target` and calls `onResponse(upstreamResponse)`; a connection failure answers 502. */
  const forward = (req, res, target, onResponse) => {
    const headers = { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '' };
    delete headers.forwarded;
    delete headers['x-real-ip'];
    const proxied = http.request({ host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers, agent }, onResponse);
    proxied.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/problem+json' });
      res.end('{"title":"Bad Gateway","status":502,"code":"EXTERNAL_SERVICE_ERROR"}');
    });
    req.pipe(proxied);
  };
  const pipeBack = (res) => (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  };

  const server = http.createServer((req, res) => {
    const list = state.upstreams;
    const fleet = state.fleet;
    if (list.length === 0) {
      res.writeHead(503, { 'content-type': 'application/problem+json' }).end('{"title":"Service Unavailable","status":503,"code":"SERVICE_UNAVAILABLE","detail":"No instance"}');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://front');
    const isSnapshot = req.method === 'GET' && url.pathname === '/monitoring/snapshot';
    if (isSnapshot && !fleet) return forward(req, res, list[0], pipeBack(res));
    const target = list[next++ % list.length];
    if (!isSnapshot) return forward(req, res, target, pipeBack(res));
    forward(req, res, target, (up) => {
      if (up.statusCode !== 200) return pipeBack(res)(up);
      up.resume(); // the instance said yes (its admin gate); the fleet answers instead
      up.on('end', () => {
        const range = url.searchParams.get('range') || '15m';
        const instance = url.searchParams.get('instance') || '';
        void fleetAnswer(fleet, range, instance).then(
          ({ status, body }) => res.writeHead(status, { 'content-type': status === 200 ? 'application/json' : 'application/problem+json', 'cache-control': 'no-store' }).end(body),
          (error) => {
            warn(`fleet snapshot failed: ${error?.message ?? error}`);
            if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/problem+json' });
            res.end('{"title":"Internal Server Error","status":500,"code":"INTERNAL_ERROR"}');
          },
        );
      });
    });
  });

  async function fleetAnswer(fleet, range, instance) {
    const response = await fleet.handleRequest(new Request(`http://front/monitoring/snapshot?${new URLSearchParams({ range, instance })}`));
    const body = await response.text();
    if (response.status !== 200) return { status: response.status, body };
    const snapshot = JSON.parse(body);
    snapshot.slo = await scorecardFor(instance, range).evaluate(snapshot);
    return { status: 200, body: JSON.stringify(snapshot) };
  }

  return { server, close: () => agent.destroy() };
}

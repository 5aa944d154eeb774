#!/usr/bin/env node
// A minimal reverse proxy standing in for your load balancer in deploy.sh's blue/green
// deploys: it listens on PORT and forwards every request to 127.0.0.1:<port in UPSTREAM_FILE>,
// re-reading that file (written atomically by deploy.sh) at most every 100 ms.
//
// It is the one trusted proxy hop: it sets X-Forwarded-For to the address of the peer that
// connected to it, overwriting whatever the client sent (and drops Forwarded and X-Real-IP),
// so the app, run with TRUST_PROXY=1 (deploy.sh does), limits and audits the real client
// address and a forged header changes nothing. Put a load balancer in front of it and that
// balancer's address is what the app sees: make that balancer the one hop instead.
import { readFileSync } from 'node:fs';
import http from 'node:http';

const port = Number(process.env.PORT ?? 3000);
const file = process.env.UPSTREAM_FILE;
if (!file) {
  process.stderr.write('front.mjs: UPSTREAM_FILE is required\n');
  process.exit(1);
}
let cached = { at: 0, port: 0 };
const upstream = () => {
  const now = Date.now();
  if (now - cached.at > 100) {
    try {
      cached = { at: now, port: Number(readFileSync(file, 'utf8').trim()) };
    } catch {
      cached = { at: now, port: 0 };
    }
  }
  return cached.port;
};
const agent = new http.Agent({ keepAlive: true });
const server = http.createServer((req, res) => {
  const target = upstream();
  if (!target) {
    res.writeHead(503, { 'content-type': 'application/problem+json' }).end('{"title":"Service Unavailable","status":503,"code":"SERVICE_UNAVAILABLE","detail":"No upstream"}');
    return;
  }
  const headers = { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '' };
  delete headers.forwarded;
  delete headers['x-real-ip'];
  const proxied = http.request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers, agent }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  proxied.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/problem+json' });
    res.end('{"title":"Bad Gateway","status":502,"code":"EXTERNAL_SERVICE_ERROR"}');
  });
  req.pipe(proxied);
});
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));

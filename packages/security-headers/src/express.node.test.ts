import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import helmet from 'helmet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cspReportEndpoint, getCspNonce, securityHeaders } from './express.js';
import type { CspViolation } from './reports.js';

const servers: Server[] = [];
async function listen(app: express.Express): Promise<string> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterAll(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

const IGNORED = new Set(['date', 'etag', 'connection', 'keep-alive', 'content-length', 'content-type']);
function securityOnly(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of response.headers) if (!IGNORED.has(name)) out[name] = value;
  return out;
}

let ours: string;
let theirs: string;
let plain: string;
const reports: CspViolation[] = [];

beforeAll(async () => {
  const a = express();
  const headers = securityHeaders();
  a.use(headers);
  a.get('/', (_req, res) => {
    res.send('hello');
  });
  a.get('/embed', headers.override({ xFrameOptions: false, contentSecurityPolicy: { directives: { 'frame-ancestors': ['https://partner.example'] } } }), (_req, res) => {
    res.send('embed');
  });
  a.get('/api', headers.override({ preset: 'api' }), (_req, res) => {
    res.json({ ok: true });
  });
  a.post('/csp-reports', cspReportEndpoint((v) => {
    reports.push(...v);
  }));
  ours = await listen(a);

  const b = express();
  b.use(helmet());
  b.get('/', (_req, res) => {
    res.send('hello');
  });
  theirs = await listen(b);

  const c = express();
  const html = securityHeaders({ preset: 'html' });
  c.use(html);
  c.use(express.json({ type: ['application/json'] }));
  c.get('/', (_req, res) => {
    res.send(`<script nonce="${getCspNonce(res)}">1</script><p>${res.locals.cspNonce as string}</p>`);
  });
  plain = await listen(c);
});

describe('securityHeaders middleware over real HTTP', () => {
  it('sends exactly the headers helmet 8 sends by default', async () => {
    const [mine, helmets] = await Promise.all([fetch(`${ours}/`), fetch(`${theirs}/`)]);
    expect(securityOnly(mine)).toEqual(securityOnly(helmets));
    expect(Object.keys(securityOnly(helmets)).length).toBeGreaterThanOrEqual(12);
    expect(mine.headers.has('x-powered-by')).toBe(false);
  });

  it('per-route override changes and removes headers for that route only', async () => {
    const embed = await fetch(`${ours}/embed`);
    expect(embed.headers.has('x-frame-options')).toBe(false);
    expect(embed.headers.get('content-security-policy')).toContain('frame-ancestors https://partner.example');
    const api = await fetch(`${ours}/api`);
    expect(api.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    expect(api.headers.get('cache-control')).toBe('no-store');
    expect(api.headers.get('x-frame-options')).toBe('DENY');
    const root = await fetch(`${ours}/`);
    expect(root.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('a fresh nonce per response, the same one in the header and the page', async () => {
    const nonces: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${plain}/`);
      const csp = response.headers.get('content-security-policy')!;
      const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
      const body = await response.text();
      expect(body).toBe(`<script nonce="${nonce}">1</script><p>${nonce}</p>`);
      nonces.push(nonce);
    }
    expect(new Set(nonces).size).toBe(3);
  });

  it('report endpoint accepts application/csp-report bodies', async () => {
    const response = await fetch(`${ours}/csp-reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/csp-report' },
      body: JSON.stringify({ 'csp-report': { 'document-uri': 'http://x/', 'effective-directive': 'img-src', 'blocked-uri': 'http://evil/' } }),
    });
    expect(response.status).toBe(204);
    expect(reports).toEqual([expect.objectContaining({ effectiveDirective: 'img-src', blockedUrl: 'http://evil/' })]);
    const big = await fetch(`${ours}/csp-reports`, { method: 'POST', headers: { 'content-type': 'application/reports+json' }, body: 'x'.repeat(70_000) });
    expect(big.status).toBe(413);
  });
});

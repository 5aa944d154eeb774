/**
 * `cspReportEndpoint`'s body limit over real HTTP: it reads the raw body with the kernel's
 * bounded Node reader (`readNodeBodyText` of `@armor/core/body`), like `cspReportHandler` reads
 * Web bodies with `readBodyText`.
 */
import { once } from 'node:events';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { cspReportEndpoint } from './express.js';
import type { CspViolation } from './reports.js';

const servers: Server[] = [];
async function listen(app: express.Express): Promise<number> {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

const REPORT = JSON.stringify({ 'csp-report': { 'document-uri': 'https://app.example/', 'effective-directive': 'img-src', 'blocked-uri': 'data' } });

/**
 * POSTs `parts` one write at a time (chunked unless a content-length is given) on a connection
 * of its own; the status.
 */
function post(port: number, parts: readonly string[], headers: Record<string, string> = {}) {
  return new Promise<number>((resolve, reject) => {
    const req = httpRequest({ port, host: '127.0.0.1', agent: false, method: 'POST', path: '/csp', headers: { 'content-type': 'application/csp-report', ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    for (const part of parts) req.write(part);
    req.end();
  });
}

describe('cspReportEndpoint body limit', () => {
  it('reads a report, answers 413 past maxBytes bytes, and refuses a declared Content-Length over it unread', async () => {
    const got: CspViolation[][] = [];
    const app = express();
    app.post('/csp', cspReportEndpoint((v) => void got.push(v), { maxBytes: REPORT.length + 10 }));
    const port = await listen(app);
    expect(await post(port, [REPORT])).toBe(204);
    expect(got).toHaveLength(1);
    expect(await post(port, [REPORT, ' '.repeat(11)])).toBe(413);
    expect(await post(port, ['{}'], { 'content-length': '100000' })).toBe(413);
    // Bytes, not characters: 'é' is 2 bytes.
    expect(await post(port, [REPORT.slice(0, -3), `"${'é'.repeat(6)}}}`])).toBe(413);
  });

  it('takes a body another middleware read as text (it waited forever for the stream)', async () => {
    const got: CspViolation[][] = [];
    const app = express();
    // express.text() reads the stream and leaves a string in req.body.
    app.use(express.text({ type: 'application/csp-report' }));
    app.post('/csp', cspReportEndpoint((v) => void got.push(v)));
    const port = await listen(app);
    expect(await post(port, [REPORT])).toBe(204);
    expect(got[0]?.[0]?.effectiveDirective).toBe('img-src');
  });

  it.each([-1, 1.5, Number.NaN, '2000'])('refuses maxBytes %s at construction, naming the option', (maxBytes) => {
    expect(() => cspReportEndpoint(() => undefined, { maxBytes: maxBytes as number })).toThrow(/maxBytes/);
  });
});

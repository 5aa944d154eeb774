import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MonitoringSnapshot } from '@armor/metrics';
import { monitoringPage } from '../src/monitoring-page.js';

const STATIC = `<!doctype html><html><head><link rel="preload" as="fetch" crossorigin href="/monitoring/snapshot" /><script type="module" crossorigin src="/monitoring/assets/index.js"></script></head><body><div id="root"></div></body></html>`;

/** A minimal valid snapshot, with a hostile string in it. */
const snapshot = (): MonitoringSnapshot =>
  ({
    version: 1,
    generatedAt: Date.now(),
    service: { name: '</script><script>alert(1)</script>', version: '1.0.0', uptimeSeconds: 1 },
    window: { windowMs: 900_000, bucketMs: 10_000 },
    health: { status: 'healthy', checks: [] },
    requests: { total: 0, errors: 0, ratePerSecond: 0, errorRate: 0, latency: { p50: 0, p95: 0, p99: 0 }, series: [], routes: [], statuses: {} },
    errors: [],
    slowOperations: [],
    caches: [],
    rateLimits: [],
    breakers: [],
  }) as unknown as MonitoringSnapshot;

/**
 * `src/monitoring-page.ts` on its own: the first view rendered into the built page with its
 * snapshot inlined safely, the static page when rendering fails, and `next()` when the page is
 * not built.
 */
describe('monitoringPage()', () => {
  let dir: string;
  let server: Server;
  let base: string;
  const failures: unknown[] = [];
  let source: () => Promise<MonitoringSnapshot> = async () => snapshot();
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'armor-page-'));
    writeFileSync(join(dir, 'index.html'), STATIC);
    const app = express();
    app.get('/monitoring/', monitoringPage({ dir, snapshot: () => source(), onRenderError: (e) => failures.push(e) }));
    app.get('/missing/', monitoringPage({ dir: join(dir, 'nope'), snapshot: () => source() }), (_req, res) => void res.status(404).send('not built'));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server?.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** GET with an Accept-Encoding, decoded by hand (fetch would send its own). */
  async function get(path: string, encoding: string) {
    const { request } = await import('node:http');
    return new Promise<{ status: number; headers: Record<string, unknown>; text: string }>((resolve, reject) => {
      request(`${base}${path}`, { headers: { 'accept-encoding': encoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const e = res.headers['content-encoding'];
          const text = (e === 'br' ? brotliDecompressSync(body) : e === 'gzip' ? gunzipSync(body) : body).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text });
        });
      })
        .on('error', reject)
        .end();
    });
  }

  it('renders the dashboard into #root and inlines its snapshot without a way out of the script block', async () => {
    source = async () => snapshot();
    for (const [accept, encoding] of [['gzip, deflate, br', 'br'], ['gzip', 'gzip'], ['identity', undefined]] as const) {
      const page = await get('/monitoring/', accept);
      expect(page.status).toBe(200);
      expect(page.headers['content-encoding']).toBe(encoding);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.headers.vary).toMatch(/Accept-Encoding/i);
      const m = /<div id="root">([\s\S]*)<\/div><script type="application\/json" id="first-snapshot">([\s\S]*?)<\/script>/.exec(page.text);
      expect(m).not.toBeNull();
      expect(m![1]).toContain('class="ad-tiles"');
      // The hostile service name is text in the markup and \u003c-escaped in the JSON.
      expect(m![1]).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(m![2]).not.toContain('<');
      expect((JSON.parse(m![2]!) as MonitoringSnapshot).service.name).toBe('</script><script>alert(1)</script>');
      expect(page.text).not.toContain('rel="preload" as="fetch"');
      expect(page.text).toContain('src="/monitoring/assets/index.js"');
    }
  });

  it('sends the static page (which loads the snapshot itself) when the snapshot fails', async () => {
    source = async () => {
      throw new Error('database down');
    };
    const page = await get('/monitoring/', 'identity');
    expect(page.status).toBe(200);
    expect(page.text).toBe(STATIC);
    expect((failures.at(-1) as Error).message).toBe('database down');
  });

  it('falls through to the next handler when the page is not built', async () => {
    const page = await get('/missing/', 'identity');
    expect(page.status).toBe(404);
    expect(page.text).toBe('not built');
  });
});

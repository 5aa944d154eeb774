import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { monitoringEndpoint } from '@armor/metrics/express';
import { dashboardRouter, favicon } from '../src/routes/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '@armor/test-utils';
import { call, start, type Running } from './harness.js';
import { CPU_SLOWDOWN, FAST_3G, measurePage, type Browser, type PageLoad } from './page-load.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const assetsDir = `${appDir}/dist/dashboard/assets`;
const ADMIN = 'admin-key-for-the-page-load-test-0123456789abcdef';
const basic = { authorization: `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}` };

/** Issue 28's targets: all of the page's JavaScript (uncompressed) and the first data on screen. */
const JS_BUDGET_BYTES = 500_000;
const FIRST_DATA_TARGET_MS = 2000;
/** Throttled runs; the timing target is checked against the best one (see below). */
const RUNS = 3;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/**
 * Issue 28: the `/monitoring` page shows its first data in under 2 s with 4× CPU slowdown and
 * DevTools' Fast 3G profile, with under 500 KB of JavaScript (code-split, a vendor chunk), and
 * the first snapshot does not wait for a request of its own. The server renders the page's first
 * view with the snapshot (src/monitoring-page.ts): the data is in the HTML, so it is on screen
 * one round trip after the click, before any script has run.
 *
 * What is asserted: the budget and the split (bytes are deterministic), that the first data
 * is in the document and on screen before the page's scripts ran (an order, not a time), and
 * that no snapshot request precedes it. The 2 s target itself is a wall-clock figure: tests never
 * assert on wall-clock speed (the shared CI machine may be loaded), so every run's figures and
 * the best run against the target are printed, and recorded in the README.
 */
describe('the /monitoring page under 4× CPU slowdown and Fast 3G (issue 28)', () => {
  let js: Array<{ name: string; raw: number; gzip: number; br: number; text: string }>;
  let html: string;
  let r: Running;
  let browser: Browser;

  beforeAll(async () => {
    // Always build: the figures are about what this config produces now.
    execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'dashboard/vite.config.ts'], { cwd: appDir, stdio: 'pipe' });
    js = readdirSync(assetsDir)
      .filter((f) => f.endsWith('.js'))
      .map((name) => {
        const path = `${assetsDir}/${name}`;
        return { name, raw: statSync(path).size, gzip: statSync(`${path}.gz`).size, br: statSync(`${path}.br`).size, text: readFileSync(path, 'utf8') };
      });
    html = readFileSync(`${appDir}/dist/dashboard/index.html`, 'utf8');
    r = await start('pglite', { env: { ADMIN_API_KEY: ADMIN } });
    browser = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await r?.stop();
  });

  it('ships under 500 KB of JavaScript, split into entry, vendor (React) and dashboard chunks, all preloaded', () => {
    const sum = (k: 'raw' | 'gzip' | 'br') => js.reduce((n, f) => n + f[k], 0);
    console.info(
      `/monitoring JavaScript: total ${kb(sum('raw'))} raw, ${kb(sum('gzip'))} gzip, ${kb(sum('br'))} brotli (served); ` +
        js.map((f) => `${f.name} ${kb(f.raw)}/${kb(f.gzip)}/${kb(f.br)}`).join(', '),
    );
    expect(sum('raw')).toBeLessThan(JS_BUDGET_BYTES);
    const entryName = /<script type="module"[^>]* src="\/monitoring\/assets\/([^"]+\.js)"/.exec(html)?.[1];
    const entry = js.find((f) => f.name === entryName);
    expect(entry, 'the entry script').toBeDefined();
    expect(entry!.text, 'the entry has no static imports').not.toMatch(/^import\b|\bfrom\s*["'`]\.\//m);
    expect(js.find((f) => f.name.startsWith('vendor-'))?.text, 'React in the vendor chunk').toContain('react.transitional.element');
    const dashboard = js.find((f) => f.text.includes('ad-tiles'));
    expect(dashboard && dashboard.name !== entry!.name && !dashboard.name.startsWith('vendor-'), 'the dashboard in a chunk of its own').toBe(true);
    for (const f of js.filter((c) => c.name !== entry!.name)) expect(html).toContain(`<link rel="modulepreload" crossorigin href="/monitoring/assets/${f.name}">`);
    // The static page (served when the first view cannot be rendered) preloads the snapshot.
    expect(html).toContain('<link rel="preload" as="fetch" crossorigin href="/monitoring/snapshot" />');
  });

  it('sends the first view in the HTML: the dashboard rendered from a snapshot, and that snapshot', async () => {
    const page = await call(r.base, 'GET', '/monitoring/', { headers: basic });
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const root = /<div id="root">([\s\S]*?)<\/div><script type="application\/json" id="first-snapshot">([^<]*)<\/script>/.exec(page.text);
    expect(root, 'rendered root and inlined snapshot').not.toBeNull();
    expect(root![1]).toContain('class="ad-tiles"');
    const snapshot = JSON.parse(root![2]!) as { version: number; generatedAt: number; slo?: unknown };
    expect(snapshot.version).toBe(1);
    expect(snapshot.slo, 'the scorecard is part of it').toBeDefined();
    // Rendered from that snapshot: its generation time (HH:MM:SS, the server's local time) is on the page.
    const at = new Date(snapshot.generatedAt);
    const clock = [at.getHours(), at.getMinutes(), at.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
    expect(root![1]).toMatch(new RegExp(`snapshot (?:<!-- -->)?${clock}`));
    expect(page.text, 'no snapshot preload when the snapshot comes with the page').not.toContain('rel="preload" as="fetch"');
    expect(page.text).toContain('<link rel="modulepreload"');
  });

  it('shows the first data with the document, before the scripts ran; prints first data, LCP and bytes against the 2 s target', async () => {
    // Warm the server (its first page render loads React's server renderer and the dashboard).
    await measurePage(browser, `${r.base}/monitoring/`, { headers: basic, throttle: false });
    const runs: PageLoad[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await measurePage(browser, `${r.base}/monitoring/`, { headers: basic }));
    for (const [i, m] of runs.entries()) {
      const scripts = m.responses.filter((x) => x.type === 'Script');
      const doc = m.responses.find((x) => x.type === 'Document');
      console.info(
        `/monitoring run ${i + 1} (${CPU_SLOWDOWN}x CPU, Fast 3G ${FAST_3G.latency} ms / ${FAST_3G.downloadThroughput / 1000} kB/s): ` +
          `first data ${m.firstDataMs} ms (painted ${m.firstDataPaintMs} ms), LCP ${m.lcpMs} ms (${m.lcpElement}), document ${m.documentEndMs} ms, ` +
          `DOMContentLoaded ${m.domContentLoadedMs} ms, load ${m.loadMs} ms; HTML ${kb(doc?.transferred ?? 0)} transferred (${doc?.encoding ?? 'identity'}, ${kb(doc?.decoded ?? 0)} decoded); ` +
          `JS ${scripts.length} files, ${kb(scripts.reduce((n, x) => n + x.transferred, 0))} transferred, ${kb(scripts.reduce((n, x) => n + x.decoded, 0))} decoded`,
      );
    }
    for (const m of runs) {
      expect(m.errors).toEqual([]);
      // Order, not time: the data came with the document and was on screen before the page's
      // module scripts ran (they run before DOMContentLoaded).
      expect(m.firstDataMs).toBeGreaterThan(0);
      expect(m.firstDataPaintMs).toBeLessThanOrEqual(m.domContentLoadedMs);
      // No snapshot request on the way to the first data.
      expect(m.responses.filter((x) => x.url.includes('/snapshot'))).toEqual([]);
      for (const s of m.responses.filter((x) => x.type === 'Script')) expect(s.encoding, s.url).toBe('br');
    }
    const best = Math.min(...runs.map((m) => m.firstDataPaintMs));
    const bestLcp = Math.min(...runs.map((m) => m.lcpMs ?? Infinity));
    console.info(
      `/monitoring best of ${RUNS}: first data ${best} ms, LCP ${bestLcp} ms ` +
        `(target ${FIRST_DATA_TARGET_MS} ms: ${best < FIRST_DATA_TARGET_MS ? 'met' : 'NOT met'} on this run; printed, not asserted)`,
    );
  }, 300_000);

  it('the static page (sent when the first view cannot be rendered) preloads the snapshot and its entry uses that one request', async () => {
    // The built page as static files, and the service's own snapshot, on a server of their own.
    let snapshots = 0;
    const app = express();
    app.get('/favicon.svg', favicon);
    app.get('/monitoring/snapshot', (_req, _res, next) => void (snapshots++, next()), monitoringEndpoint(r.service.monitor));
    app.use('/monitoring', dashboardRouter(`${appDir}/dist/dashboard`));
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const address = server.address();
      const m = await measurePage(browser, `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/monitoring/`);
      const snapshot = m.responses.filter((x) => x.url.includes('/snapshot'));
      console.info(`/monitoring static page (4x CPU, Fast 3G): first data ${m.firstDataPaintMs} ms, LCP ${m.lcpMs} ms, snapshot request ${m.snapshot?.startMs}–${m.snapshot?.endMs} ms, document ${m.documentEndMs} ms`);
      expect(m.errors).toEqual([]);
      expect(m.firstDataMs).toBeGreaterThan(0);
      expect(m.firstDataPaintMs, 'the data comes from the script, after the page was parsed').toBeGreaterThan(m.documentEndMs);
      // One snapshot request (the preload, taken over by the entry), started while the HTML was parsed.
      expect(snapshot).toHaveLength(1);
      expect(snapshots).toBe(1);
      expect(m.snapshot!.startMs).toBeLessThan(m.domContentLoadedMs);
    } finally {
      await new Promise<void>((res) => server.close(() => res()));
    }
  }, 120_000);
});

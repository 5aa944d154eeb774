/**
 * Web vitals end to end in Debian Chromium: the client entry (bundled as a browser would get it)
 * on a page served over a real socket, whose LCP image the server holds back ~3 s and which shifts
 * its layout once; the page is hidden by navigating away, its one beacon reaches the Fetch handler,
 * and the histograms hold the values in the right buckets under the route template.
 */
import { launchChromium } from '@armor/test-utils';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync, gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { build, defaultClientConditions } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry, type Histogram } from './index.js';
import { createWebVitalsIngest, WEB_VITAL_METRIC_NAMES, type WebVitalName } from './web-vitals.js';
import type { WebVitalsClientOptions, WebVitalsReporter } from './web-vitals-client.js';

const IMAGE_DELAY_MS = 3000;
const pkgDir = fileURLToPath(new URL('..', import.meta.url));

/** A real PNG (solid colour), big enough to be the page's largest contentful element. */
function png(width: number, height: number): Uint8Array {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Uint8Array) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const raw = new Uint8Array((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw.set([40, 120, 200], y * (width * 3 + 1) + 1 + x * 3);
  const parts = [new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array())];
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>project</title>
<script src="/client.js"></script>
<script>
  window.__shifts = 0;
  window.__lcp = 0;
  new PerformanceObserver((l) => { for (const e of l.getEntries()) if (!e.hadRecentInput) window.__shifts += e.value; }).observe({ type: 'layout-shift', buffered: true });
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lcp = e.startTime; }).observe({ type: 'largest-contentful-paint', buffered: true });
  ArmorWebVitals.reportWebVitals({
    endpoint: '/vitals',
    route: (url) => url.pathname.replace(/^\\/projects\\/\\d+$/, '/projects/:id'),
  });
  // Created after the client's observers, so theirs see the interaction first. Leaves the page
  // as soon as the click's event timing entry exists, before any idle time: the moment
  // web-vitals alone (without reportAllChanges) loses INP.
  new PerformanceObserver((l) => {
    if (l.getEntries().some((e) => e.interactionId)) location.href = '/elsewhere';
  }).observe({ type: 'event', durationThreshold: 16 });
</script></head>
<body style="margin:0;font:16px sans-serif">
<p id="text">Project 42</p>
<p>Some text that moves when the banner arrives.</p>
<button id="slow" style="width:120px;height:40px">Slow</button>
<img id="hero" src="/slow.png" width="600" height="400" alt="">
<script>
  setTimeout(() => {
    const banner = document.createElement('div');
    banner.style.height = '150px';
    banner.textContent = 'late banner';
    document.body.prepend(banner);
  }, 300);
  document.getElementById('slow').addEventListener('click', () => {
    const end = performance.now() + 300;
    while (performance.now() < end) {}
    document.getElementById('text').textContent = 'clicked';
  });
</script>
</body></html>`;

/** A single-page app: a click changes the URL with pushState and renders the new view (a soft navigation). */
const SPA = `<!doctype html>
<html><head><meta charset="utf-8"><title>app</title>
<script src="/client.js"></script>
<script>
  ArmorWebVitals.reportWebVitals({
    endpoint: '/vitals',
    route: (url) => url.pathname.replace(/^\\/app\\/projects\\/\\d+$/, '/app/projects/:id'),
  });
  window.__softNavs = 0;
  new PerformanceObserver((l) => { window.__softNavs += l.getEntries().length; }).observe({ type: 'soft-navigation', buffered: true });
</script></head>
<body style="margin:0;font:16px sans-serif">
<nav><a id="open" href="/app/projects/7">Project 7</a></nav>
<main id="view"><h1>All projects</h1><p>Pick one.</p></main>
<script>
  document.getElementById('open').addEventListener('click', (event) => {
    event.preventDefault();
    const n = (window.__opened = (window.__opened || 0) + 1);
    history.pushState({}, '', n === 1 ? '/app/projects/7' : '/app/projects/' + (100 + n));
    const view = document.getElementById('view');
    view.innerHTML = '';
    const h = document.createElement('h1');
    h.textContent = 'Project ' + n;
    const p = document.createElement('p');
    p.style.fontSize = '40px';
    p.textContent = 'A much larger paragraph that becomes the largest contentful paint of the soft navigation.';
    view.append(h, p);
  });
</script>
</body></html>`;

let browser: Browser;
let server: Server;
let base: string;
let outDir: string;
let clientJs: string;
const registry = createRegistry();
const ingest = createWebVitalsIngest({ registry, maxRoutes: 10 });
const beacons: { contentType: string | undefined; body: string; status: number }[] = [];

async function toRequest(req: IncomingMessage): Promise<{ request: Request; body: string }> {
  const chunks: Uint8Array[] = [];
  for await (const c of req as AsyncIterable<Uint8Array>) chunks.push(c);
  const body = new TextDecoder().decode(Uint8Array.from(chunks.flatMap((c) => [...c])));
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
  return { request: new Request(`${base}${req.url}`, { method: req.method ?? 'GET', headers, ...(req.method === 'POST' ? { body } : {}) }), body };
}

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'armor-web-vitals-'));
  await build({
    configFile: false,
    root: pkgDir,
    logLevel: 'warn',
    resolve: { conditions: ['@armor/source', ...defaultClientConditions] },
    build: {
      outDir,
      emptyOutDir: true,
      lib: { entry: join(pkgDir, 'src/web-vitals-client.ts'), formats: ['iife'], name: 'ArmorWebVitals', fileName: () => 'client.js' },
    },
  });
  clientJs = readFileSync(join(outDir, 'client.js'), 'utf8');
  const image = png(600, 400);
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/client.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(clientJs);
    if (path === '/app' || path.startsWith('/app/')) return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(SPA);
    if (path === '/projects/42') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE);
    if (path === '/slow.png') {
      setTimeout(() => res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }).end(image), IMAGE_DELAY_MS);
      return;
    }
    if (path === '/vitals') {
      void toRequest(req).then(async ({ request, body }) => {
        const response = await ingest.handle(request, { clientKey: req.socket.remoteAddress });
        beacons.push({ contentType: req.headers['content-type'], body, status: response.status });
        res.writeHead(response.status).end(await response.text());
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title><p>elsewhere</p>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  rmSync(outDir, { recursive: true, force: true });
});

const hist = (name: WebVitalName) => registry.get(WEB_VITAL_METRIC_NAMES[name]) as Histogram<'route'>;
/** Observations at or below `le` (the cumulative bucket). */
const atOrBelow = (name: WebVitalName, le: number) => {
  const h = hist(name);
  return h.get({ route: '/projects/:id' }).buckets[h.buckets.indexOf(le)]!;
};

describe('web vitals in Chromium', () => {
  it('a page with a ~3 s LCP image and a layout shift sends one beacon on hide; the server buckets it under the route template', async () => {
    const size = gzipSync(clientJs).length;
    console.log(`web-vitals-client bundle: ${clientJs.length} B minified, ${size} B gzip`);
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await page.goto(`${base}/projects/42`);
    await page.waitForFunction(() => (document.getElementById('hero') as HTMLImageElement).complete && (window as unknown as { __lcp: number }).__lcp > 0, undefined, { timeout: 20_000 });
    await page.waitForFunction(() => (window as unknown as { __shifts: number }).__shifts > 0, undefined, { timeout: 10_000 });
    const { lcpMs, shifts } = await page.evaluate(() => ({ lcpMs: (window as unknown as { __lcp: number }).__lcp, shifts: (window as unknown as { __shifts: number }).__shifts }));
    expect(lcpMs).toBeGreaterThanOrEqual(IMAGE_DELAY_MS);
    expect(beacons).toHaveLength(0); // nothing is sent while the page is visible
    await page.click('#slow'); // an interaction for INP (its handler blocks 300 ms); the page then leaves itself, which hides it
    const deadline = Date.now() + 15_000;
    while (beacons.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500)); // a second beacon would have arrived by now
    await page.close();

    expect(beacons).toHaveLength(1);
    const beacon = beacons[0]!;
    expect(beacon.status).toBe(204);
    expect(beacon.contentType).toMatch(/^text\/plain/);
    const sent = (JSON.parse(beacon.body) as { metrics: { name: string; value: number; route: string }[] }).metrics;
    expect(sent.map((m) => m.name).sort()).toEqual(['CLS', 'FCP', 'INP', 'LCP', 'TTFB']);
    expect(new Set(sent.map((m) => m.route))).toEqual(new Set(['/projects/:id']));
    expect(beacon.body).not.toContain('/projects/42');

    // LCP: above the 2.5 s "good" edge, in the bucket its value belongs to
    expect(hist('LCP').get({ route: '/projects/:id' }).count).toBe(1);
    expect(atOrBelow('LCP', 2.5)).toBe(0);
    const lcp = hist('LCP').get({ route: '/projects/:id' }).sum;
    expect(lcp).toBeGreaterThanOrEqual(IMAGE_DELAY_MS / 1000);
    expect(lcp).toBeCloseTo(sent.find((m) => m.name === 'LCP')!.value / 1000, 9);
    const lcpLe = hist('LCP').buckets.find((b) => b >= lcp)!;
    expect(atOrBelow('LCP', lcpLe)).toBe(1);

    // CLS: above 0, in the bucket of the shift the page itself measured
    const cls = hist('CLS').get({ route: '/projects/:id' });
    expect(cls.count).toBe(1);
    expect(cls.sum).toBeGreaterThan(0);
    expect(cls.sum).toBeCloseTo(shifts, 6);
    const clsLe = hist('CLS').buckets.find((b) => b >= cls.sum)!;
    expect(atOrBelow('CLS', clsLe)).toBe(1);
    const below = hist('CLS').buckets[hist('CLS').buckets.indexOf(clsLe) - 1];
    if (below !== undefined) expect(atOrBelow('CLS', below)).toBe(0);

    // INP: the 300 ms handler puts it above the 200 ms "good" edge
    expect(hist('INP').get({ route: '/projects/:id' }).count).toBe(1);
    expect(atOrBelow('INP', 0.2)).toBe(0);
    for (const name of ['FCP', 'TTFB'] as const) expect(hist(name).get({ route: '/projects/:id' }).count).toBe(1);

    const text = registry.metrics();
    expect(text).toContain('web_vitals_lcp_seconds_bucket{route="/projects/:id",le="2.5"} 0');
    expect(text).not.toContain('/projects/42');
    expect(ingest.routes()).toEqual(['/projects/:id']);
  }, 90_000);

  it('soft navigations (pushState after a click) are reported under their own route template, in the same one beacon', async () => {
    beacons.length = 0;
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await page.goto(`${base}/app`);
    await page.waitForFunction(() => performance.getEntriesByType('paint').length > 0);
    const supported = await page.evaluate(() => PerformanceObserver.supportedEntryTypes.includes('soft-navigation'));
    expect(supported, 'this Chromium exposes soft navigations').toBe(true);
    await page.click('#open');
    await page.waitForFunction(() => (window as unknown as { __softNavs: number }).__softNavs > 0, undefined, { timeout: 10_000 });
    await page.goto(`${base}/elsewhere`);
    const deadline = Date.now() + 15_000;
    while (beacons.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    await page.close();

    expect(beacons).toHaveLength(1);
    expect(beacons[0]!.status).toBe(204);
    const sent = (JSON.parse(beacons[0]!.body) as { metrics: { name: string; route: string; navigationType: string }[] }).metrics;
    const soft = sent.filter((m) => m.navigationType === 'soft-navigation');
    expect(soft.map((m) => m.name)).toContain('LCP');
    expect(soft.map((m) => m.name)).not.toContain('TTFB'); // no document was fetched
    expect(new Set(soft.map((m) => m.route))).toEqual(new Set(['/app/projects/:id']));
    expect(new Set(sent.filter((m) => m.navigationType !== 'soft-navigation').map((m) => m.route))).toEqual(new Set(['/app']));
    expect(beacons[0]!.body).not.toContain('/app/projects/7');
    expect(hist('LCP').get({ route: '/app/projects/:id' }).count).toBe(1);
    expect(hist('LCP').get({ route: '/app' }).count).toBe(1);
    expect(hist('TTFB').get({ route: '/app/projects/:id' }).count).toBe(0);
    expect(registry.metrics()).not.toContain('/app/projects/7');
  }, 60_000);

  it('samples page loads uniformly: the draw decides, sampleRate 0 never reports, an unsampled page sends nothing', async () => {
    beacons.length = 0;
    const page = await browser.newPage();
    await page.goto(`${base}/elsewhere`);
    await page.addScriptTag({ content: clientJs });
    const decisions = await page.evaluate(() => {
      const { reportWebVitals } = (window as unknown as { ArmorWebVitals: { reportWebVitals(options: WebVitalsClientOptions): WebVitalsReporter } }).ArmorWebVitals;
      const route = () => '/elsewhere';
      return [
        reportWebVitals({ endpoint: '/vitals', route, sampleRate: 0.25, random: () => 0.3 }).sampled,
        reportWebVitals({ endpoint: '/vitals', route, sampleRate: 0, random: () => 0 }).sampled,
        reportWebVitals({ endpoint: '/vitals', route, sampleRate: 0.25, random: () => 0.2 }).sampled,
      ];
    });
    expect(decisions).toEqual([false, false, true]);
    await page.close({ runBeforeUnload: true });
    const deadline = Date.now() + 15_000;
    while (beacons.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    // only the sampled reporter sent (closing the page hides it), and only once
    expect(beacons).toHaveLength(1);
    const sent = (JSON.parse(beacons[0]!.body) as { metrics: { route: string }[] }).metrics;
    expect(new Set(sent.map((m) => m.route))).toEqual(new Set(['/elsewhere']));
  }, 60_000);

  it('a long single-page session: once 50 metrics wait, those of navigations already left go early; none lost, none twice', async () => {
    beacons.length = 0;
    const before = hist('LCP').get({ route: '/app/projects/:id' }).count;
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await page.goto(`${base}/app`);
    await page.waitForFunction(() => performance.getEntriesByType('paint').length > 0);
    const SOFT = 16;
    for (let i = 1; i <= SOFT; i++) {
      await page.click('#open');
      await page.waitForFunction((n) => (window as unknown as { __softNavs: number }).__softNavs >= n, i, { timeout: 10_000 });
    }
    const sentEarly = Date.now() + 10_000;
    while (beacons.length === 0 && Date.now() < sentEarly) await new Promise((r) => setTimeout(r, 50));
    expect(beacons.length).toBeGreaterThan(0); // sent while the page was still visible
    const early = beacons.length;
    await page.goto(`${base}/elsewhere`);
    const deadline = Date.now() + 15_000;
    while (beacons.length === early && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    await page.close();

    expect(beacons.every((b) => b.status === 204)).toBe(true);
    const all = beacons.flatMap((b) => (JSON.parse(b.body) as { metrics: { id: string; name: string; route: string }[] }).metrics);
    for (const b of beacons) expect((JSON.parse(b.body) as { metrics: unknown[] }).metrics.length).toBeLessThanOrEqual(50);
    expect(new Set(all.map((m) => m.id)).size).toBe(all.length); // no metric sent twice
    const softLcp = all.filter((m) => m.name === 'LCP' && m.route === '/app/projects/:id');
    expect(softLcp).toHaveLength(SOFT); // one LCP per soft navigation, none lost
    expect(hist('LCP').get({ route: '/app/projects/:id' }).count - before).toBe(SOFT);
  }, 90_000);
});

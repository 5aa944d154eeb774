import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '@armor/test-utils';
import { start, type Running } from './harness.js';

type Browser = Awaited<ReturnType<typeof launchChromium>>;

const appDir = fileURLToPath(new URL('..', import.meta.url));
const assetsDir = `${appDir}/dist/dashboard/assets`;
const ADMIN = 'admin-key-for-the-dashboard-page-test-0123456789';
/** The seed's budget: all of the page's JavaScript, uncompressed. */
const JS_BUDGET_BYTES = 500 * 1024;

/**
 * The /monitoring page against the seed's frontend targets (issue 20): code split (a lazily
 * loaded dashboard chunk, a React vendor chunk, all preloaded by the HTML), at most 500 KB of
 * JavaScript in total, and its load measured in headless Chromium with 4× CPU throttling and DevTools' "Fast 3G" profile.
 */
describe('the /monitoring page: bundle budget and load under throttling', () => {
  let js: Array<{ name: string; bytes: number; text: string }>;
  let html: string;

  beforeAll(() => {
    // Always build: the budget is about what this config produces now.
    execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'dashboard/vite.config.ts'], { cwd: appDir, stdio: 'pipe' });
    js = readdirSync(assetsDir)
      .filter((f) => f.endsWith('.js'))
      .map((name) => ({ name, bytes: statSync(`${assetsDir}/${name}`).size, text: readFileSync(`${assetsDir}/${name}`, 'utf8') }));
    html = readFileSync(`${appDir}/dist/dashboard/index.html`, 'utf8');
  }, 300_000);

  it('splits React into a vendor chunk and the dashboard into a lazy chunk, within 500 KB of JavaScript', () => {
    const total = js.reduce((sum, f) => sum + f.bytes, 0);
    console.info(`/monitoring JavaScript: ${js.map((f) => `${f.name} ${(f.bytes / 1024).toFixed(1)} KB`).join(', ')}; total ${(total / 1024).toFixed(1)} KB`);
    expect(total).toBeLessThanOrEqual(JS_BUDGET_BYTES);
    const entryName = /<script type="module"[^>]* src="\/monitoring\/assets\/([^"]+\.js)"/.exec(html)?.[1];
    const entry = js.find((f) => f.name === entryName)!;
    const vendor = js.find((f) => f.name.startsWith('vendor-'));
    const dashboard = js.find((f) => f.text.includes('ad-tiles'));
    expect(entry).toBeDefined();
    // React's production build (the development one is twice the size), in the vendor chunk.
    expect(vendor?.text.includes('react.transitional.element'), 'React is in the vendor chunk').toBe(true);
    expect(vendor!.text.includes('Minified React error'), 'the production build of React').toBe(true);
    expect(js.some((f) => f.text.includes('react-dom.development') || f.text.includes('jsxDEV(')), 'no development build').toBe(false);
    // The entry imports nothing statically (it starts the snapshot request at once); the
    // dashboard (panels, snapshot parsing) is its own chunk, loaded by React.lazy's import().
    expect(entry.text).not.toMatch(/^import\b|\bfrom\s*["'`]\.\//m);
    expect(entry.text).not.toContain('ad-tiles');
    expect(dashboard).toBeDefined();
    expect(dashboard!.name).not.toBe(entry.name);
    expect(js.some((f) => f.text.includes(`import(\`./${dashboard!.name}\`)`) || f.text.includes(`import("./${dashboard!.name}")`)), 'a dynamic import of the dashboard chunk').toBe(true);
    // Every split chunk is preloaded by the HTML, so splitting adds no round trip.
    for (const f of js.filter((c) => c.name !== entry.name)) expect(html).toContain(`<link rel="modulepreload" crossorigin href="/monitoring/assets/${f.name}">`);
    expect(entry.bytes).toBeLessThan(20 * 1024);
  });

  describe('in headless Chromium (4× CPU throttling, Fast 3G)', () => {
    let r: Running;
    let browser: Browser;
    beforeAll(async () => {
      r = await start('pglite', { env: { ADMIN_API_KEY: ADMIN } });
      browser = await launchChromium();
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await r?.stop();
    });

    it('renders the dashboard with data, sending compressed JavaScript; prints the load times', async () => {
      const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}` } });
      const page = await context.newPage();
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      // DevTools' "Fast 3G" preset: 562.5 ms latency, 1.44 Mbit/s down, 675 kbit/s up (bytes/s here).
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 562.5, downloadThroughput: 180_000, uploadThroughput: 84_375 });
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      const scripts: Array<{ url: string; encoding: string | undefined; encoded: number }> = [];
      const sizes = new Map<string, number>();
      cdp.on('Network.loadingFinished', (e: { requestId: string; encodedDataLength: number }) => sizes.set(e.requestId, e.encodedDataLength));
      const ids = new Map<string, { url: string; encoding: string | undefined }>();
      cdp.on('Network.responseReceived', (e: { requestId: string; type: string; response: { url: string; headers: Record<string, string> } }) => {
        if (e.type === 'Script' || e.response.url.includes('/snapshot')) ids.set(e.requestId, { url: e.response.url, encoding: e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'] });
      });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

      const started = Date.now();
      await page.goto(`${r.base}/monitoring/`, { waitUntil: 'load', timeout: 60_000 });
      const loaded = Date.now() - started;
      // In-page time (ms since navigation start) when the dashboard first shows data.
      const rendered = Math.round(
        (await (await page.waitForFunction(() => (document.querySelector('.ad-tiles') ? performance.now() : 0), undefined, { polling: 20, timeout: 60_000 })).jsonValue()) as number,
      );
      const nav = (await page.evaluate(() => JSON.stringify(performance.getEntriesByType('navigation')[0]))) as string;
      const { loadEventEnd, domContentLoadedEventEnd } = JSON.parse(nav) as { loadEventEnd: number; domContentLoadedEventEnd: number };
      await context.close();

      for (const [id, s] of ids) scripts.push({ ...s, encoded: sizes.get(id) ?? 0 });
      console.info(
        `/monitoring under 4x CPU + Fast 3G: DOMContentLoaded ${Math.round(domContentLoadedEventEnd)} ms, load ${Math.round(loadEventEnd)} ms (goto ${loaded} ms), ` +
          `dashboard rendered with data ${rendered} ms; responses ${scripts.map((s) => `${s.url.split('/').pop()} ${s.encoding ?? 'identity'} ${(s.encoded / 1024).toFixed(1)} KB`).join(', ')}`,
      );
      expect(errors).toEqual([]);
      const js = scripts.filter((s) => s.url.endsWith('.js'));
      expect(js.length).toBeGreaterThanOrEqual(3);
      for (const s of js) expect(s.encoding, s.url).toBe('br');
      // The first snapshot comes with the page (rendered into it and inlined, src/monitoring-page.ts):
      // no snapshot request while the page loads (the next one is the 5 s refresh).
      expect(scripts.filter((s) => s.url.includes('/snapshot'))).toHaveLength(0);
    }, 180_000);
  });
});

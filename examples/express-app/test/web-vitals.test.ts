import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '@armor/test-utils';
import { call, start, type Running } from './harness.js';
import type { Browser } from './page-load.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const ADMIN = 'admin-key-for-the-web-vitals-test-0123456789abcdef';
const basic = { authorization: `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}` };

interface Objective {
  kind: string;
  subject?: string;
  actual: number | null;
  samples: number;
  minSamples: number;
  status: string;
  note?: string;
}
const scorecard = async (base: string) => ((await call(base, 'GET', '/monitoring/snapshot', { headers: basic })).json as { slo?: { objectives: Objective[] } }).slo?.objectives ?? [];

/**
 * Issue 28: the example reports its own web vitals into its own scorecard. The `/monitoring`
 * page loads `@armor/metrics/web-vitals-client`; when the page is hidden its one beacon goes to
 * `POST /monitoring/vitals` (`@armor/metrics/web-vitals-express`), and the snapshot's SLO
 * scorecard (`@armor/metrics/slo`) has the page-load p75 of `/monitoring` from those vitals.
 */
describe('the /monitoring page reports its web vitals into the app scorecard (Chromium)', () => {
  let r: Running;
  let browser: Browser;
  beforeAll(async () => {
    execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'dashboard/vite.config.ts'], { cwd: appDir, stdio: 'pipe' });
    r = await start('pglite', { env: { ADMIN_API_KEY: ADMIN } });
    browser = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await r?.stop();
  });

  it('has no page-load samples before a visit, then those of the visit once the page was hidden', async () => {
    const before = (await scorecard(r.base)).filter((o) => o.kind === 'pageLoad');
    expect(before).toHaveLength(1);
    expect(before[0]).toMatchObject({ status: 'insufficient_data', samples: 0, actual: null });
    expect(before[0]!.subject).toBeUndefined();

    // As a browser does: answers the server's Basic challenge, then sends the credentials with
    // every request under /monitoring/ (the beacon sent while the page unloads included).
    const context = await browser.newContext({ httpCredentials: { username: 'admin', password: ADMIN } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const metrics = async () => (await call(r.base, 'GET', '/metrics', { headers: basic })).text;
    const recorded = async () => Number(/^web_vitals_beacons_total\{[^}]*result="recorded"[^}]*\} (\d+)$/m.exec(await metrics())?.[1] ?? 0);
    await page.goto(`${r.base}/monitoring/`);
    await page.waitForSelector('.ad-tiles');
    // The app has replaced the first view (its snapshot handed over) and the vitals chunk runs.
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(300);
    expect(await recorded(), 'nothing is sent while the page is visible').toBe(0);
    // Leaving the page hides it: the reporter sends its one beacon (the browser delivers it after the unload).
    await page.evaluate(() => void (location.href = '/health'));
    await page.waitForURL('**/health');
    const deadline = Date.now() + 15_000;
    while ((await recorded()) === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    await new Promise((res) => setTimeout(res, 500)); // a second beacon would have arrived by now
    await context.close();
    expect(errors).toEqual([]);
    expect(await recorded()).toBe(1);

    // Prometheus: one page load of the route template, for each vital a load has (INP needs an interaction).
    const text = await metrics();
    for (const name of ['lcp_seconds', 'fcp_seconds', 'ttfb_seconds', 'cls']) expect(text).toMatch(new RegExp(`^web_vitals_${name}_count\\{[^}]*route="/monitoring"[^}]*\\} 1$`, 'm'));
    expect(text.match(/^web_vitals_\w+_count\{.*$/gm)?.every((l) => l.includes('route="/monitoring"'))).toBe(true);
    const lcpSeconds = Number(/^web_vitals_lcp_seconds_sum\{[^}]*\} (\S+)$/m.exec(text)?.[1]);
    expect(lcpSeconds).toBeGreaterThan(0);

    // The scorecard: page load p75 of /monitoring, from that one page load (not enough to judge yet).
    const pageLoads = (await scorecard(r.base)).filter((o) => o.kind === 'pageLoad');
    const sum = (name: string) => Number(new RegExp(`^web_vitals_${name}_sum\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1]);
    console.info(
      `/monitoring vitals (unthrottled, cold server): LCP ${Math.round(lcpSeconds * 1000)} ms, FCP ${Math.round(sum('fcp_seconds') * 1000)} ms, TTFB ${Math.round(sum('ttfb_seconds') * 1000)} ms, CLS ${sum('cls')}; ` +
        `scorecard page load: ${JSON.stringify(pageLoads)}`,
    );
    expect(pageLoads).toHaveLength(1);
    const monitoring = pageLoads[0]!;
    expect(monitoring.subject).toBe('/monitoring');
    expect(monitoring.samples).toBe(1);
    expect(monitoring.status).toBe('insufficient_data');
    expect(monitoring.note).toMatch(/1 of the 20 samples/);
    // p75 of one sample, read from the histogram as histogram_quantile does: inside the LCP's bucket.
    const edges = [...text.matchAll(/^web_vitals_lcp_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\d+)$/gm)].map((m) => [Number(m[1]), Number(m[2])] as const);
    const at = edges.findIndex(([, n]) => n === 1);
    const [lower, upper] = [at > 0 ? edges[at - 1]![0] * 1000 : 0, edges[at]![0] * 1000];
    expect(lcpSeconds * 1000).toBeGreaterThan(lower);
    expect(lcpSeconds * 1000).toBeLessThanOrEqual(upper);
    expect(monitoring.actual).toBeGreaterThan(lower);
    expect(monitoring.actual).toBeLessThanOrEqual(upper);
  }, 120_000);

  it('has the JavaScript bundle size of the build (Vite manifest) on the scorecard', async () => {
    const assets = `${appDir}/dist/dashboard/assets`;
    const total = readdirSync(assets)
      .filter((f) => f.endsWith('.js'))
      .reduce((n, f) => n + statSync(`${assets}/${f}`).size, 0);
    const bundle = (await scorecard(r.base)).find((o) => o.kind === 'bundleSize');
    expect(bundle).toMatchObject({ actual: total, samples: 1, status: 'met' });
    const metrics = (await call(r.base, 'GET', '/metrics', { headers: basic })).text;
    expect(metrics).toMatch(new RegExp(`^bundle_size_bytes(?:\\{[^}]*\\})? ${total}$`, 'm'));
  });

  it('refuses beacons without the admin key, and bad ones with 400', async () => {
    const body = JSON.stringify({ metrics: [{ name: 'LCP', value: 1000, route: '/monitoring', id: 'v5-1', navigationType: 'navigate' }] });
    expect((await call(r.base, 'POST', '/monitoring/vitals', { raw: body, headers: { 'content-type': 'text/plain;charset=UTF-8' } })).status).toBe(401);
    const bad = await call(r.base, 'POST', '/monitoring/vitals', { raw: '{"metrics":[{"name":"LCP","value":-1,"route":"/x"}]}', headers: { ...basic, 'content-type': 'text/plain;charset=UTF-8' } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
  });
});

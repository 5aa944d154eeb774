// @vitest-environment node
/**
 * The fleet view in headless Debian Chromium (issue 21, "Must show"): a fleet of 3 instances and
 * the 24 h range, with 1,000 error groups (each seen on several releases and instances) and a
 * 8,640-point series (10 s over 24 h) of three lines (p50/p95/p99) — 3 × 8,640 points. Builds
 * test/browser-page with Vite, serves a /fleet endpoint that answers like `@armor/fleet`'s
 * handler (`?instance=<name>&range=15m|1h|6h|24h`) and records every query it receives.
 *
 * The refresh time (new snapshot handed to the dashboard → next paint) is measured in the page
 * with performance.now() and printed; it is only checked against a generous sanity bound, since
 * this runs on a shared, loaded machine. The README records the figure.
 */
import { launchChromium } from '@armor/test-utils';
import react from '@vitejs/plugin-react';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build, defaultClientConditions } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFleetSnapshot } from '../test/fixtures.js';
import type { FleetAwareSnapshot, FleetRange } from './types.js';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
// screenshots land in artifacts/ (not tracked); the README shows copies kept in docs/
const artifacts = join(pkgDir, 'artifacts');
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const INSTANCES = ['api-1:3000', 'api-2:3000', 'api-3:3000'];
const RANGES: Record<FleetRange, number> = { '15m': 90, '1h': 360, '6h': 2160, '24h': 8640 };

let outDir: string;
let server: Server;
let base: string;
let browser: Browser;
/** The query string of every /fleet request, in order. */
const queries: string[] = [];
let served = 0;
const snapshots = new Map<string, FleetAwareSnapshot>();

/** The fleet snapshot for an instance (`null` = fleet) and a range: 1,000 groups, a 10 s series over the range. */
function fleetSnapshot(instance: string | null, range: FleetRange): FleetAwareSnapshot {
  const key = `${instance}|${range}`;
  let snapshot = snapshots.get(key);
  if (!snapshot) {
    const index = instance === null ? 0 : INSTANCES.indexOf(instance) + 1;
    snapshot = makeFleetSnapshot({ now: Date.now(), seed: 1 + index, points: RANGES[range], groups: 1000, slow: 200, instances: INSTANCES, instance, range, releases: ['v1.4.1', 'v1.4.2'] });
    snapshot.service = { ...snapshot.service, name: 'api' };
    snapshots.set(key, snapshot);
  }
  return snapshot;
}

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'armor-dashboard-fleet-'));
  mkdirSync(artifacts, { recursive: true });
  // a production build (production React, no jsxDEV): vitest sets NODE_ENV=test, which Vite
  // would otherwise honour with development React, several times slower than what users run
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: false,
      mode: 'production',
      root: join(pkgDir, 'test/browser-page'),
      logLevel: 'error',
      plugins: [react()],
      resolve: { conditions: ['@armor/source', ...defaultClientConditions] },
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/fleet') {
      queries.push(url.search);
      const range = url.searchParams.get('range') ?? '15m';
      if (!(range in RANGES)) {
        res.writeHead(400, { 'content-type': 'application/problem+json' }).end('{"title":"Bad Request","status":400}');
        return;
      }
      const instance = url.searchParams.get('instance') || null;
      served++;
      const snapshot = fleetSnapshot(instance, range as FleetRange);
      // a unique version per answer: the page sees when this snapshot is on screen
      const body = { ...snapshot, generatedAt: Date.now(), service: { ...snapshot.service, version: `1.4.2+${served}` } };
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
      return;
    }
    const file = normalize(join(outDir, url.pathname === '/' ? 'index.html' : url.pathname));
    if (!file.startsWith(outDir)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

async function seriousViolations(page: Page) {
  await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Waits until the header shows answer number `n` (`service.version` = `1.4.2+<n>`). */
const waitForAnswer = (page: Page, n: number) =>
  page.waitForFunction((v) => document.querySelector('.ad-header .ad-sub')?.textContent?.startsWith(`api ${v} ·`) ?? false, `1.4.2+${n}`, { timeout: 30_000 });

/** How many refreshes the page has timed so far. */
const timed = (page: Page) => page.evaluate(() => window.armorFleet!.refreshMs.length);

describe('the fleet view in headless Chromium (3 instances, 24 h, 1,000 error groups, 3 × 8,640 points)', () => {
  it('renders the fleet, re-polls with ?instance=&range= on every pick, and times each refresh in the page (printed, not asserted)', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}/?fleet&interval=0`);
    await waitForAnswer(page, 1);
    expect(queries).toEqual(['']);

    // "Fleet" and the 3 instances, each with its up/ready marker and figures
    const fleet = page.locator('[data-panel="fleet"]');
    const rows = fleet.locator('tbody tr');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-instance')))).toEqual(['', ...INSTANCES]);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelector('td')!.textContent))).toEqual(['2 of 3 up', 'Ready', 'Not ready', 'Down']);
    expect(await fleet.getByRole('radio', { name: /^Fleet \(3 instances\)/ }).isChecked()).toBe(true);
    expect(await fleet.getByLabel('Range').inputValue()).toBe('15m');

    // the 24 h range: loads at once with the query, the big snapshot renders
    await fleet.getByLabel('Range').selectOption('24h');
    await waitForAnswer(page, 2);
    expect(queries[1]).toBe('?instance=&range=24h');
    expect(await page.locator('svg[role="img"] path').count()).toBe(6);
    expect(await page.locator('[data-fingerprint]').count()).toBe(20);
    expect(await page.locator('[data-panel="errors"]').textContent()).toContain('of 1,000 groups');
    expect(await page.locator('[data-testid="error-releases"]').first().textContent()).toMatch(/first in v1\.4\.\d \(api-\d:3000\).*last in v1\.4\.\d/);

    // one instance, then the fleet again
    await fleet.getByRole('radio', { name: 'api-2:3000' }).check();
    await waitForAnswer(page, 3);
    expect(queries[2]).toBe('?instance=api-2%3A3000&range=24h');
    expect(await page.locator('[data-panel="health"] .ad-sub').textContent()).toContain('api-2:3000');
    expect(await fleet.getByRole('radio', { name: 'api-2:3000' }).isChecked()).toBe(true);
    await fleet.getByRole('radio', { name: /^Fleet/ }).check();
    await waitForAnswer(page, 4);
    expect(queries[3]).toBe('?instance=&range=24h');
    await fleet.getByLabel('Range').selectOption('1h');
    await waitForAnswer(page, 5);
    expect(queries[4]).toBe('?instance=&range=1h');
    await fleet.getByLabel('Range').selectOption('24h');
    await waitForAnswer(page, 6);
    expect(queries).toHaveLength(6);

    // refreshes of the 24 h fleet view, timed in the page (snapshot handed over → next paint)
    for (let n = 7; n <= 18; n++) {
      const before = await timed(page);
      await page.getByRole('button', { name: 'Refresh now' }).click();
      await waitForAnswer(page, n);
      await page.waitForFunction((b) => window.armorFleet!.refreshMs.length > b, before);
    }
    expect(queries.slice(6).every((q) => q === '?instance=&range=24h')).toBe(true);
    const all = await page.evaluate(() => window.armorFleet!.refreshMs);
    // the first six were the picks above (first render, range and instance changes); the last 12 plain refreshes
    const refreshes = all.slice(-12).sort((a, b) => a - b);
    const report = {
      firstRenderMs: +all[0]!.toFixed(1),
      switchTo24hMs: +all[1]!.toFixed(1),
      switchInstanceMs: +all[2]!.toFixed(1),
      refreshMedianMs: +refreshes[Math.floor(refreshes.length / 2)]!.toFixed(1),
      refreshMinMs: +refreshes[0]!.toFixed(1),
      refreshMaxMs: +refreshes[refreshes.length - 1]!.toFixed(1),
    };
    console.log(`FLEET REFRESH (machine load ${loadavg()[0]!.toFixed(2)}) 3 instances, 24 h, 1000 groups, 3×8640 points, applied → next paint in Chromium: ${JSON.stringify(report)}`);
    // a sanity bound only (a shared 2-core machine): the figure is reported, not asserted
    expect(report.refreshMedianMs).toBeLessThan(5_000);

    // screenshots for the README, and axe on the fleet view
    await page.screenshot({ path: join(artifacts, 'fleet-dashboard.png') });
    await fleet.screenshot({ path: join(artifacts, 'panel-fleet.png') });
    const group = page.locator('[data-fingerprint]').first();
    await group.getByRole('button', { name: /^Where seen/ }).click();
    await group.locator('table').waitFor({ state: 'visible' });
    await group.screenshot({ path: join(artifacts, 'error-sightings.png') });
    expect(await seriousViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

// @vitest-environment node
/**
 * Real-browser test (issue 24): long unbroken strings — a 20,000-character route, breaker,
 * cache, check, error message and stack, slow-operation summary and instance name — must not
 * stretch the page: it wraps or ellipsizes, and the page stays as wide as the viewport. Also the
 * unavailable sections of a fleet snapshot whose Prometheus failed (screenshot for the README).
 */
import { launchChromium } from '@armor/test-utils';
import react from '@vitejs/plugin-react';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { build, defaultClientConditions } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAuditSection, makeFleetSnapshot, makeSloSection } from '../test/fixtures.js';
import type { MonitoringSnapshot } from './types.js';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const artifacts = join(pkgDir, 'artifacts');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const LONG = (tag: string) => `${tag}-${'x'.repeat(20_000)}`;

function longSnapshot(): MonitoringSnapshot {
  const s = makeFleetSnapshot({ now: Date.now(), instances: ['api-1:3000', LONG('instance'), 'api-3:3000'] });
  s.service = { name: LONG('service'), version: LONG('version'), instance: LONG('instance') };
  s.health.checks = [{ name: LONG('check'), status: 'fail', componentType: LONG('type'), output: LONG('output'), observedValue: LONG('value') }];
  s.requests.routes = [{ method: LONG('METHOD'), route: `/${LONG('route')}`, count: 10, errors: 1, p50Ms: 1, p95Ms: 2, p99Ms: 3 }, ...s.requests.routes];
  s.breakers = [{ name: LONG('breaker'), state: 'open' }, ...s.breakers];
  s.caches = [{ name: LONG('cache'), hits: 1, misses: 1, hitRate: 0.5 }, ...s.caches];
  s.rateLimits = [{ name: LONG('limiter'), allowed: 1, limited: 1 }, ...s.rateLimits];
  const g = s.errors.groups[0]!;
  s.errors.groups[0] = { ...g, fingerprint: LONG('fp'), code: LONG('CODE'), name: LONG('Name'), message: LONG('message'), sample: { message: LONG('sample'), stack: LONG('stack'), context: { [LONG('key')]: LONG('context') } } };
  s.slowOperations = [{ name: LONG('op'), durationMs: 900, at: Date.now(), thresholdMs: 100, summary: LONG('summary') }, ...s.slowOperations];
  const audit = makeAuditSection(Date.now());
  audit.streams = [{ stream: LONG('stream'), ok: false, lastSeq: 3, findings: 1, unanchored: 0 }, ...audit.streams];
  audit.recent = [{ stream: LONG('stream'), seq: 3, time: LONG('time'), action: LONG('action'), actorId: LONG('actor'), outcome: 'denied', targets: [LONG('target'), LONG('target2')] }, ...audit.recent];
  s.audit = audit;
  const slo = makeSloSection();
  slo.objectives.unshift({ ...slo.objectives[0]!, subject: LONG('operation'), name: LONG('objective'), status: 'insufficient_data', note: LONG('note') });
  s.slo = slo;
  return s;
}

function unavailableSnapshot(): MonitoringSnapshot {
  const s = makeFleetSnapshot({ now: Date.now() });
  return {
    ...s,
    health: { status: 'unknown', checks: [{ name: 'prometheus', status: 'fail', componentType: 'datastore', output: 'latency series: Prometheus refused the query: query processing would load too many samples into memory' }, ...s.health.checks] },
    unavailable: [
      { section: 'latency', reason: 'latency series: Prometheus refused the query: query processing would load too many samples into memory' },
      { section: 'caches', reason: 'cache lookups: Prometheus did not answer within 5000 ms' },
    ],
  };
}

let outDir: string;
let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'armor-dashboard-long-'));
  mkdirSync(artifacts, { recursive: true });
  await build({
    configFile: false,
    root: join(pkgDir, 'test/browser-page'),
    logLevel: 'warn',
    plugins: [react()],
    resolve: { conditions: ['@armor/source', ...defaultClientConditions] },
    build: { outDir, emptyOutDir: true },
  });
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/long' || url.pathname === '/unavailable' || url.pathname === '/audit') {
      const body = url.pathname === '/long' ? longSnapshot() : url.pathname === '/audit' ? { ...makeFleetSnapshot({ now: Date.now() }), audit: makeAuditSection(Date.now()), slo: makeSloSection() } : unavailableSnapshot();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    const file = normalize(join(outDir, url.pathname === '/' ? 'index.html' : url.pathname));
    if (!file.startsWith(outDir)) {
      res.writeHead(403).end();
      return;
    }
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('long strings and unavailable sections in headless Chromium', () => {
  it.each([1280, 390])('20,000-character names, messages and labels: the page stays as wide as a %i px viewport and reasonably tall', async (width) => {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}/?interval=0&source=/long`);
    await page.locator('[data-panel="slow"]').first().waitFor({ state: 'visible' });
    // the audit panel (issue 25) with a 20,000-character stream, action, actor and targets
    await page.locator('[data-panel="audit"] [data-audit-event]').first().waitFor({ state: 'visible' });
    // open the long error's sample too
    await page.getByRole('button', { name: /Show sample/ }).first().click();
    const size = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth, scrollHeight: document.documentElement.scrollHeight }));
    expect(size.scrollWidth).toBeLessThanOrEqual(size.clientWidth + 2);
    // the long text is wrapped into bounded boxes or cut with an ellipsis, not laid out in full
    expect(size.scrollHeight).toBeLessThan(10_000); // 4,200 px at 1280 and 5,900 px at 390 here; 39,000+ with wrapping alone
    // and every panel's own box stays inside the viewport
    const wide = await page.evaluate(() => [...document.querySelectorAll('[data-panel]')].map((p) => [p.getAttribute('data-panel'), Math.round(p.getBoundingClientRect().right)] as const).filter(([, right]) => right > document.documentElement.clientWidth + 1));
    expect(wide).toEqual([]);
    if (width === 1280) await page.screenshot({ path: join(artifacts, 'dashboard-long-strings.png') });
    // the audit panel's tables: each long cell is cut to a few lines, not laid out in full
    const audit = await page.evaluate(() => {
      const p = document.querySelector('[data-panel="audit"]')!;
      const cells = [...p.querySelectorAll('td, th')].map((c) => Math.round(c.getBoundingClientRect().height));
      return { right: Math.round(p.getBoundingClientRect().right), tallestCell: Math.max(...cells) };
    });
    expect(audit.right).toBeLessThanOrEqual(width);
    expect(audit.tallestCell).toBeLessThan(200);
    const sloRowHeight = await page.evaluate(() => Math.round(document.querySelector('[data-panel="slo"] tbody tr')!.getBoundingClientRect().height));
    expect(sloRowHeight).toBeLessThan(300); // 217 px (one letter per line in the headers) before the short columns kept their width
    if (width === 1280) await page.locator('[data-panel="audit"]').screenshot({ path: join(artifacts, 'panel-audit-long.png') });
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('a fleet snapshot with unavailable sections: those panels say so with the reason, the badge says Unknown (screenshot)', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    await page.goto(`${base}/?interval=0&source=/unavailable`);
    await page.locator('[data-panel="caches"] [data-testid="unavailable"]').waitFor({ state: 'visible' });
    expect(await page.locator('[data-panel="latency"] [data-testid="unavailable"]').textContent()).toContain('too many samples');
    expect(await page.locator('[data-panel="breakers"] [data-testid="unavailable"]').count()).toBe(0);
    expect(await page.locator('[data-panel="health"] .ad-panel-head').textContent()).toContain('Unknown');
    await page.locator('[data-panel="health"]').screenshot({ path: join(artifacts, 'panel-health-unknown.png') });
    await page.locator('[data-panel="caches"]').screenshot({ path: join(artifacts, 'panel-unavailable.png') });
    await page.close();
  });

  it('the audit panel: integrity per stream and recent events filtered by outcome (screenshot)', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    await page.goto(`${base}/?interval=0&source=/audit`);
    const panel = page.locator('[data-panel="audit"]');
    await panel.locator('[data-audit-event]').first().waitFor({ state: 'visible' });
    expect(await panel.locator('[data-stream-status="fail"]').textContent()).toContain('FINDINGS (2)');
    // the findings badge is red (the theme's fail colour), not only labelled
    expect(await panel.locator('[data-stream-status="fail"] .ad-badge').evaluate((b) => getComputedStyle(b).color)).toBe('rgb(179, 38, 30)');
    expect(await panel.locator('[data-audit-event]').count()).toBe(25);
    await panel.getByLabel('Outcome').selectOption('denied');
    await expect.poll(() => panel.locator('[data-audit-event]').count()).toBe(12);
    await panel.getByLabel('Outcome').selectOption('all');
    await panel.getByLabel('Action').fill('revoked');
    await expect.poll(() => panel.locator('[data-audit-event]').count()).toBe(6);
    await panel.getByLabel('Action').fill('');
    await panel.getByLabel('Stream').selectOption('tenant-b');
    await expect.poll(() => panel.locator('[data-audit-event]').count()).toBe(10);
    await panel.getByLabel('Stream').selectOption('');
    await panel.screenshot({ path: join(artifacts, 'panel-audit.png') });
    // the SLO scorecard (issue 28) on the same page: the missed objective in the theme's fail colour
    const slo = page.locator('[data-panel="slo"]');
    expect(await slo.locator('[data-status="missed"] .ad-badge').evaluate((b) => getComputedStyle(b).color)).toBe('rgb(179, 38, 30)');
    await slo.screenshot({ path: join(artifacts, 'panel-slo.png') });
    await page.close();
  });
});

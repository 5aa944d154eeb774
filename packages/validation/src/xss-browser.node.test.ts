/**
 * Real-browser XSS test: every payload of the corpus is sanitized and the result rendered as a
 * full document in headless Debian Chromium. The page hooks alert/confirm/prompt/print/fetch/
 * XMLHttpRequest, a global `xss()` function and a `window.__xss` flag; after load every element
 * gets mouseover/focus/click events (clicks on http/https/mailto links are cancelled, so a
 * surviving `javascript:` link would run), and we wait for late onerror/onload handlers.
 * Positive controls render raw payloads to prove the hooks detect script execution.
 */
import { launchChromium } from '@armor/test-utils';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XSS_PAYLOADS } from '../test/fixtures/xss-payloads.js';
import { sanitizeHtml } from './sanitize.js';

const HOOKS = `
  window.__fired = [];
  const hit = (name) => function () { window.__fired.push(name); };
  window.alert = hit('alert');
  window.confirm = hit('confirm');
  window.prompt = hit('prompt');
  window.print = hit('print');
  window.xss = hit('xss');
  window.fetch = function () { window.__fired.push('fetch'); return Promise.reject(new Error('blocked')); };
  XMLHttpRequest.prototype.open = hit('xhr');
  Object.defineProperty(window, '__xss', { configurable: false, get() { return undefined; }, set() { window.__fired.push('flag'); } });
`;

const POKE = `(async () => {
  const safe = new Set(['http:', 'https:', 'mailto:']);
  document.addEventListener('click', (event) => {
    const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
    let protocol = 'invalid:';
    try { protocol = link ? new URL(link.href, location.href).protocol : protocol; } catch {}
    if (link && safe.has(protocol)) event.preventDefault();
  }, true);
  for (const el of Array.from(document.querySelectorAll('body *'))) {
    for (const type of ['mouseover', 'mouseenter', 'focus', 'pointerover', 'animationstart']) el.dispatchEvent(new Event(type, { bubbles: true }));
    if (typeof el.focus === 'function') el.focus();
    if (typeof el.click === 'function') el.click();
  }
  await new Promise((resolve) => setTimeout(resolve, 60));
  const dom = {
    scripts: document.querySelectorAll('script, iframe, object, embed, style, svg, math, base, meta, link, form').length,
    handlers: Array.from(document.querySelectorAll('*')).filter((el) => Array.from(el.attributes).some((a) => /^on/i.test(a.name))).length,
    badUrls: Array.from(document.querySelectorAll('[href], [src], [cite]')).filter((el) => ['href', 'src', 'cite'].some((name) => {
      const value = el.getAttribute(name);
      if (value === null) return false;
      try { return !safe.has(new URL(value, location.href).protocol); } catch { return false; }
    })).length,
  };
  return { fired: window.__fired, dom };
})()`;

let browser: Browser;
let page: Page;
let current = '';
const ORIGIN = 'https://render.test/';

async function render(html: string): Promise<{ fired: string[]; dom: { scripts: number; handlers: number; badUrls: number } }> {
  current = `<!doctype html><html><head></head><body>${html}</body></html>`;
  await page.goto(ORIGIN, { waitUntil: 'load', timeout: 10_000 });
  await page.waitForTimeout(25);
  return page.evaluate(POKE) as Promise<{ fired: string[]; dom: { scripts: number; handlers: number; badUrls: number } }>;
}

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({ javaScriptEnabled: true });
  await page.addInitScript(HOOKS);
  // No network: every subresource fails fast (so onerror handlers fire) and nothing leaves the machine.
  // The document itself is served at a real https origin; everything else fails fast.
  await page.route('**/*', (route) =>
    route.request().url() === ORIGIN && route.request().resourceType() === 'document'
      ? route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: current })
      : route.abort(),
  );
  page.on('dialog', (dialog) => void dialog.dismiss());
});

afterAll(async () => {
  await browser?.close();
});

describe('sanitizeHtml in a real browser', () => {
  it('the corpus has at least 150 payloads', () => {
    expect(XSS_PAYLOADS.length).toBeGreaterThanOrEqual(150);
  });

  it('positive controls: the hooks detect script running from raw payloads', async () => {
    const controls = [
      '<img src=x onerror=xss()>',
      '<script>window.__xss = true</script>',
      '<svg onload=alert(1)>',
      '<img src=x onerror="fetch(\'/x\')">',
      '<a href="javascript:xss()">click</a>',
      '<b onmouseover=confirm(1)>x</b>',
    ];
    for (const raw of controls) {
      const { fired } = await render(raw);
      expect(fired.length, `control did not fire: ${raw}`).toBeGreaterThan(0);
    }
  });

  it('no sanitized payload runs script or keeps a handler, active element or unsafe URL', async () => {
    const failures: string[] = [];
    for (const payload of XSS_PAYLOADS) {
      const clean = sanitizeHtml(payload);
      const { fired, dom } = await render(clean);
      if (fired.length > 0 || dom.scripts > 0 || dom.handlers > 0 || dom.badUrls > 0) {
        failures.push(`${JSON.stringify(payload)} -> ${JSON.stringify(clean)}: fired=${fired.join(',')} dom=${JSON.stringify(dom)}`);
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  // issue 18 #5: with id/name allowed, <img name="cookie"> made document.cookie an element
  it('DOM clobbering: with id and name allowed, sanitized markup cannot replace document.cookie or document methods', async () => {
    const payload =
      '<img name="cookie"><img name="getElementById"><img name="domain"><img id="title" name="title"><a id="location" name="location">x</a>' +
      '<img name="querySelector"><span id="defaultView">y</span><img name="avatar" id="me">';
    const probe = `(() => ({
      cookie: typeof document.cookie,
      getElementById: typeof document.getElementById,
      querySelector: typeof document.querySelector,
      domain: typeof document.domain,
      title: typeof document.title,
      avatar: String(document.avatar),
    }))()`;
    // positive control: the raw markup clobbers
    await render(payload);
    const raw = (await page.evaluate(probe)) as Record<string, string>;
    expect(raw.cookie).toBe('object');
    expect(raw.getElementById).toBe('object');
    const clean = sanitizeHtml(payload, { allowedTags: ['img', 'a', 'span'], allowedAttributes: { '*': ['id', 'name'] } });
    await render(clean);
    const after = (await page.evaluate(probe)) as Record<string, string>;
    expect(after).toEqual({
      cookie: 'string',
      getElementById: 'function',
      querySelector: 'function',
      domain: 'string',
      title: 'string',
      avatar: '[object HTMLImageElement]', // a harmless name is kept
    });
  });

  it('deep nesting beyond maxDepth renders as inert text and elements', async () => {
    const deep = `${'<b>'.repeat(400)}<img src=x onerror=xss()><script>xss()</script>`;
    const { fired, dom } = await render(sanitizeHtml(deep));
    expect(fired).toEqual([]);
    expect(dom).toEqual({ scripts: 0, handlers: 0, badUrls: 0 });
  });

  it('links keep working: allowed https links survive with rel="noopener noreferrer"', async () => {
    await render(sanitizeHtml('<p>see <a href="https://ok.example/docs?a=1&b=2" target="_blank">docs</a></p>'));
    const rel = await page.evaluate(() => {
      const a = document.querySelector('a');
      return a ? [a.getAttribute('href'), a.getAttribute('rel'), a.getAttribute('target')] : null;
    });
    expect(rel).toEqual(['https://ok.example/docs?a=1&b=2', 'noopener noreferrer', null]);
  });
});

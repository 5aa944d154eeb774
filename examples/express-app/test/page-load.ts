/**
 * Measures the `/monitoring` page in headless Chromium under the DevTools throttling of issue 28
 * (4× CPU slowdown, DevTools' "Fast 3G" network profile): when the dashboard first shows data,
 * its Largest Contentful Paint, and every script and snapshot response with its transferred
 * (compressed) size. Used by `page-load.test.ts`.
 */
import type { launchChromium } from '@armor/test-utils';

export type Browser = Awaited<ReturnType<typeof launchChromium>>;

/**
 * DevTools' "Fast 3G" preset (Chromium's `front_end/core/sdk/NetworkManager.ts`): 562.5 ms of
 * latency (150 ms × 3.75), 1.44 Mbit/s down and 675 kbit/s up (× 0.9), given here in bytes/s.
 */
export const FAST_3G = { offline: false, latency: 562.5, downloadThroughput: 180_000, uploadThroughput: 84_375 } as const;
/** DevTools' 4× CPU slowdown. */
export const CPU_SLOWDOWN = 4;

/** One response the page received. */
export interface PageResponse {
  url: string;
  type: string;
  /** `Content-Encoding` of the response (`undefined` = identity). */
  encoding: string | undefined;
  /** Bytes on the wire, headers included (CDP `encodedDataLength`). */
  transferred: number;
  /** Body bytes after decoding (CDP `dataLength` summed). */
  decoded: number;
}

/** What {@link measurePage} reports; times are ms since navigation start, in the page's clock. */
export interface PageLoad {
  /** When the dashboard's first data (the health tiles, `.ad-tiles`) entered the DOM. */
  firstDataMs: number;
  /** The first animation frame after that: the data is on screen. */
  firstDataPaintMs: number;
  /** Largest Contentful Paint (last candidate before the page was hidden), `null` if none. */
  lcpMs: number | null;
  /** The element of that LCP candidate (tag and class), for the record. */
  lcpElement: string | null;
  /** When the HTML document had arrived. */
  documentEndMs: number;
  domContentLoadedMs: number;
  loadMs: number;
  /** When the snapshot request started and ended (resource timing). */
  snapshot: { startMs: number; endMs: number } | null;
  /** The document and every script and snapshot response. */
  responses: PageResponse[];
  /** Uncaught errors and console errors of the page. */
  errors: string[];
}

/** Options of {@link measurePage}. */
export interface MeasureOptions {
  /** Request headers for every request of the page (e.g. HTTP Basic for the admin gate). */
  headers?: Record<string, string>;
  /** Throttle (4× CPU, Fast 3G). @default true */
  throttle?: boolean;
  /** Runs after the measurement, before the page is closed (e.g. to hide it). */
  after?: (page: Awaited<ReturnType<Awaited<ReturnType<Browser['newContext']>>['newPage']>>) => Promise<void>;
}

/** Loads `url` in a fresh context with a cold cache and measures it; see {@link PageLoad}. */
export async function measurePage(browser: Browser, url: string, options: MeasureOptions = {}): Promise<PageLoad> {
  const context = await browser.newContext(options.headers ? { extraHTTPHeaders: options.headers } : {});
  try {
    const page = await context.newPage();
    // Recorded in the page from its first script on: the first data and the LCP candidates.
    await page.addInitScript(() => {
      const w = window as unknown as { __load: { firstData: number; firstDataPaint: number; lcp: number; lcpElement: string } };
      w.__load = { firstData: 0, firstDataPaint: 0, lcp: 0, lcpElement: '' };
      const seen = () => {
        if (w.__load.firstData || !document.querySelector('.ad-tiles')) return;
        w.__load.firstData = performance.now();
        requestAnimationFrame(() => (w.__load.firstDataPaint = performance.now()));
      };
      new MutationObserver(seen).observe(document, { childList: true, subtree: true });
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as Array<PerformanceEntry & { element?: Element | null }>) {
          w.__load.lcp = e.startTime;
          w.__load.lcpElement = e.element ? `${e.element.tagName.toLowerCase()}${e.element.className ? `.${String(e.element.className).split(/\s+/).join('.')}` : ''}` : '';
        }
      }).observe({ type: 'largest-contentful-paint', buffered: true });
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    if (options.throttle !== false) {
      await cdp.send('Network.emulateNetworkConditions', FAST_3G);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
    }
    const seen = new Map<string, { url: string; type: string; encoding: string | undefined; decoded: number }>();
    const transferred = new Map<string, number>();
    cdp.on('Network.responseReceived', (e: { requestId: string; type: string; response: { url: string; headers: Record<string, string> } }) => {
      const h = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
      seen.set(e.requestId, { url: e.response.url, type: e.type, encoding: h['content-encoding'], decoded: 0 });
    });
    cdp.on('Network.dataReceived', (e: { requestId: string; dataLength: number }) => {
      const s = seen.get(e.requestId);
      if (s) s.decoded += e.dataLength;
    });
    cdp.on('Network.loadingFinished', (e: { requestId: string; encodedDataLength: number }) => transferred.set(e.requestId, e.encodedDataLength));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));

    await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
    await page.waitForFunction(() => (window as unknown as { __load: { firstDataPaint: number } }).__load.firstDataPaint > 0, undefined, { polling: 50, timeout: 60_000 });
    // Let the page settle (nothing larger is painted later), then read LCP before any hide.
    await page.waitForTimeout(500);
    const figures = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const snap = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find((r) => r.name.includes('/snapshot'));
      return {
        ...(window as unknown as { __load: { firstData: number; firstDataPaint: number; lcp: number; lcpElement: string } }).__load,
        dcl: nav.domContentLoadedEventEnd,
        documentEnd: nav.responseEnd,
        load: nav.loadEventEnd,
        snapshot: snap ? { startMs: snap.startTime, endMs: snap.responseEnd } : null,
      };
    });
    await options.after?.(page);
    const responses = [...seen].filter(([, s]) => s.type === 'Script' || s.type === 'Document' || s.url.includes('/snapshot')).map(([id, s]) => ({ ...s, transferred: transferred.get(id) ?? 0 }));
    return {
      firstDataMs: Math.round(figures.firstData),
      firstDataPaintMs: Math.round(figures.firstDataPaint),
      lcpMs: figures.lcp ? Math.round(figures.lcp) : null,
      lcpElement: figures.lcpElement || null,
      documentEndMs: Math.round(figures.documentEnd),
      domContentLoadedMs: Math.round(figures.dcl),
      loadMs: Math.round(figures.load),
      snapshot: figures.snapshot && { startMs: Math.round(figures.snapshot.startMs), endMs: Math.round(figures.snapshot.endMs) },
      responses,
      errors,
    };
  } finally {
    await context.close();
  }
}

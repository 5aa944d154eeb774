/**
 * `GET /monitoring/`: the dashboard page with its first view rendered on the server. It takes
 * the Vite-built `index.html` (`dashboard/`, built into `dist/dashboard`), renders the dashboard
 * for the current snapshot into its `#root` (`first-view.tsx`, React's
 * `renderToString`, loaded on the first request) and adds that snapshot as
 * `<script type="application/json" id="first-snapshot">` for the browser's own first render. So
 * the first data is on screen when the HTML has arrived, one round trip after the click, instead
 * of after the scripts and then the snapshot request (under DevTools' Fast 3G profile each round
 * trip costs over half a second; `test/page-load.test.ts` measures the page).
 *
 * The page is compressed per request (brotli when accepted, else gzip; it is never the same
 * twice) and never cached. When the page is not built it falls through to the next handler (the
 * "not built" page); when the snapshot or the render fails it sends the static page, whose
 * scripts load the snapshot themselves.
 *
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { stringifySafe, type MonitoringSnapshot } from '@armor/metrics';
import type * as FirstView from './first-view.js';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** The static page's snapshot preload: not needed when the snapshot comes with the page. */
const PRELOAD = /\s*<link rel="preload" as="fetch"[^>]*>/;
const ROOT = '<div id="root"></div>';

/** JSON for a `<script type="application/json">` block: no `<` (so no `</script>` or `<!--`), and no U+2028/2029. */
const inScript = (json: string) => json.replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

/** Options of {@link monitoringPage}. */
export interface MonitoringPageOptions {
  /** The built page (`dist/dashboard`, with `index.html`). */
  dir: string;
  /** The snapshot the page is rendered from (the one `/monitoring/snapshot` serves). */
  snapshot: () => Promise<MonitoringSnapshot>;
  /** Called when the first view could not be rendered (the static page is sent instead). @default ignore */
  onRenderError?: (error: unknown) => void;
}

/** What {@link monitoringPage} returns: the handler, and a way to load its renderer ahead of the first request. */
export type MonitoringPageHandler = RequestHandler & {
  /**
   * Loads the renderer (React's server renderer and the dashboard) in the background now, rather
   * than on the first request, which would wait for it (about a second from source). Call it
   * when the server starts listening.
   */
  warm(): void;
};

/** The handler of `GET /monitoring/` (also as `/monitoring` and its `index.html`); see the module docs. */
export function monitoringPage(options: MonitoringPageOptions): MonitoringPageHandler {
  const file = join(options.dir, 'index.html');
  let template: { mtimeMs: number; html: string } | undefined;
  let renderer: Promise<typeof FirstView> | undefined;
  const load = () => (renderer ??= import('./first-view.js'));

  /** The built page, re-read when the build changes it; `undefined` when it is not built. */
  async function page(): Promise<string | undefined> {
    try {
      const { mtimeMs } = await stat(file);
      if (template?.mtimeMs !== mtimeMs) template = { mtimeMs, html: await readFile(file, 'utf8') };
      return template.html;
    } catch {
      return undefined;
    }
  }

  async function firstView(html: string): Promise<string> {
    if (!html.includes(ROOT)) return html;
    try {
      // What the browser gets is what was rendered: the snapshot as JSON (hostile values made safe).
      const json = stringifySafe(await options.snapshot());
      const { renderFirstView } = await load();
      const markup = renderFirstView(JSON.parse(json) as MonitoringSnapshot);
      return html.replace(PRELOAD, '').replace(ROOT, `<div id="root">${markup}</div><script type="application/json" id="first-snapshot">${inScript(json)}</script>`);
    } catch (error) {
      renderer = undefined; // a failed import is tried again next time
      options.onRenderError?.(error);
      return html;
    }
  }

  const handler = (req: Request, res: Response, next: NextFunction) => {
    void (async () => {
      const html = await page();
      if (html === undefined) return next();
      const body = Buffer.from(await firstView(html));
      // brotli when accepted at all (browsers list gzip first with the same weight), else gzip
      const encoding = (['br', 'gzip'] as const).find((name) => req.acceptsEncodings(name) === name);
      res.status(200).type('html').setHeader('cache-control', 'no-store');
      res.vary('Accept-Encoding');
      if (encoding === 'br' || encoding === 'gzip') {
        res.setHeader('content-encoding', encoding);
        res.end(
          encoding === 'br'
            ? await brotli(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
            : await gzipAsync(body, { level: 6 }),
        );
      } else res.end(body);
    })().catch(next);
  };
  return Object.assign(handler, {
    warm() {
      setImmediate(() => {
        load().catch(() => (renderer = undefined));
      });
    },
  });
}

/**
 * `@armor/metrics/web-vitals-express`: the web vitals ingest as an Express route handler. It
 * reads the body itself (bounded by `maxBodyBytes`), or takes `req.body` when a body parser ran
 * first (`express.json()` or `express.text()`), and keys the rate limit on `req.ip` (so set
 * Express' `trust proxy` when behind one). Express is imported as types only.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { createRegistry } from '@armor/metrics';
 * import { webVitalsHandler } from '@armor/metrics/web-vitals-express';
 *
 * const registry = createRegistry();
 * const app = express();
 * app.post('/vitals', webVitalsHandler({ registry }));
 * ```
 *
 * @module
 */
import type { Request, RequestHandler, Response as ExpressResponse } from 'express';
import { checkFunction, checkOptions } from '@armor/core';
import { readNodeBodyText } from '@armor/core/body';
import { normalizeIp } from '@armor/core/ip';
import { problemResponse } from '@armor/errors';
import { createWebVitalsIngest, type WebVitalsIngest, type WebVitalsIngestOptions } from './web-vitals.js';

/** Options of {@link webVitalsHandler}: the ingest's options, plus the Express-specific ones. */
export interface WebVitalsHandlerOptions extends WebVitalsIngestOptions {
  /**
   * The client key of a request for the rate limit.
   * @default (req) => the normalized `req.ip`
   */
  expressClientKey?: (req: Request) => string | undefined;
}

const KEYS = ['registry', 'maxRoutes', 'maxBodyBytes', 'rateLimit', 'clientKey', 'clock', 'expressClientKey'] as const;

async function send(res: ExpressResponse, response: globalThis.Response): Promise<void> {
  if (res.headersSent) return;
  res.status(response.status);
  response.headers.forEach((value, name) => res.setHeader(name, value));
  const body = response.body === null ? '' : await response.text();
  res.end(body);
}

/**
 * An Express handler for web vitals beacons (`app.post('/vitals', webVitalsHandler({ registry }))`).
 * Pass options (it builds its own ingest) or an existing {@link WebVitalsIngest} (to share its
 * route cap and limiter with a Fetch handler). Answers as {@link WebVitalsIngest.handle} does:
 * 204, 400, 413 or 429; it never calls `next(err)` and never throws.
 *
 * @param options - the ingest's options plus `expressClientKey`, or an existing ingest.
 * @param extra - with an existing ingest only: `expressClientKey(req)`, the rate-limit key
 *   (default the normalized `req.ip`).
 */
export function webVitalsHandler(options: WebVitalsHandlerOptions | WebVitalsIngest, extra: { expressClientKey?: (req: Request) => string | undefined } = {}): RequestHandler {
  let ingest: WebVitalsIngest;
  let keyOf: ((req: Request) => string | undefined) | undefined;
  if (typeof (options as Partial<WebVitalsIngest>).ingest === 'function' && typeof (options as Partial<WebVitalsIngest>).handle === 'function') {
    ingest = options as WebVitalsIngest;
    checkOptions('webVitalsHandler', extra, ['expressClientKey']);
    keyOf = extra.expressClientKey;
  } else {
    checkOptions('webVitalsHandler', options, KEYS);
    const { expressClientKey, ...rest } = options as WebVitalsHandlerOptions;
    keyOf = expressClientKey;
    ingest = createWebVitalsIngest(rest);
  }
  checkFunction('expressClientKey', keyOf);
  const key = (req: Request) => {
    try {
      return keyOf !== undefined ? keyOf(req) : (normalizeIp(req.ip) ?? req.ip);
    } catch {
      return undefined;
    }
  };
  return (req, res) => {
    void (async () => {
      try {
        if (req.method !== 'POST') {
          const r = await ingest.handle(new Request('http://localhost/', { method: req.method === 'HEAD' ? 'HEAD' : 'GET' }));
          return await send(res, r);
        }
        const parsed: unknown = (req as { body?: unknown }).body;
        let body: unknown = parsed instanceof Uint8Array ? new TextDecoder().decode(parsed) : parsed;
        if (parsed === undefined) {
          const read = await readNodeBodyText(req, ingest.maxBodyBytes);
          if (read.tooLarge) {
            res.setHeader('connection', 'close');
            return await send(res, ingest.tooLarge());
          }
          body = read.text;
        }
        const result = await ingest.ingest(body, key(req));
        if (result.ok) {
          res.status(204).end();
          return;
        }
        await send(res, problemResponse(result.error));
      } catch {
        if (!res.headersSent) res.status(400).end();
      }
    })();
  };
}

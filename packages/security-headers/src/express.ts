/**
 * Express adapter: the security-headers middleware (precomputed header list, per-request
 * CSP nonce in `res.locals.cspNonce`, `X-Powered-By` removed), per-route overrides, and a
 * CSP report endpoint.
 *
 * @module
 */
import { checkInt } from '@armor/core';
import { readNodeBodyText } from '@armor/core/body';
import type { Request, RequestHandler, Response } from 'express';
import { cspNonce } from './csp.js';
import {
  compileSecurityHeaders,
  mergeSecurityHeaderOptions,
  type CompiledSecurityHeaders,
  type SecurityHeadersOptions,
} from './headers.js';
import { parseCspReports, type CspViolation } from './reports.js';

/** The middleware returned by {@link securityHeaders}, with per-route overrides. */
export interface SecurityHeadersMiddleware extends RequestHandler {
  /** The compiled header set this middleware sends. */
  readonly compiled: CompiledSecurityHeaders;
  /**
   * A route-level middleware that replaces this set with `base options + overrides` (also
   * computed once). Headers turned off by the override are removed from the response.
   *
   * @example
   * ```ts
   * app.get('/embed', headers.override({ xFrameOptions: false, contentSecurityPolicy: { directives: { 'frame-ancestors': ['https://partner.example'] } } }), handler);
   * ```
   */
  override(overrides: SecurityHeadersOptions): RequestHandler;
}

function makeHandler(compiled: CompiledSecurityHeaders, remove: readonly string[]): RequestHandler {
  const list = compiled.static;
  const count = list.length;
  const removeCount = remove.length;
  const cspName = compiled.cspHeaderName;
  return (_req, res, next) => {
    res.removeHeader('X-Powered-By');
    for (let i = 0; i < removeCount; i++) res.removeHeader(remove[i]!);
    for (let i = 0; i < count; i++) {
      const entry = list[i]!;
      res.setHeader(entry[0], entry[1]);
    }
    if (cspName !== undefined) {
      const locals = res.locals as { cspNonce?: string };
      const nonce = locals.cspNonce ?? cspNonce();
      locals.cspNonce = nonce;
      res.setHeader(cspName, compiled.csp(nonce));
    }
    next();
  };
}

/**
 * Express middleware sending the header set. Options are validated and the header list is
 * built once, here; each request only copies it (plus a fresh nonce when the CSP uses one,
 * exposed as `res.locals.cspNonce` for handlers and templates).
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { securityHeaders } from '@armor/security-headers/express';
 *
 * const app = express();
 * const headers = securityHeaders({ preset: 'html' });
 * app.use(headers);
 * app.get('/', (_req, res) => res.send(`<script nonce="${res.locals.cspNonce}">…</script>`));
 * ```
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): SecurityHeadersMiddleware {
  const compiled = compileSecurityHeaders(options);
  const middleware = makeHandler(compiled, []) as SecurityHeadersMiddleware;
  Object.defineProperty(middleware, 'compiled', { value: compiled });
  middleware.override = (overrides) => {
    const next = compileSecurityHeaders(mergeSecurityHeaderOptions(options, overrides));
    const remove = [...compiled.names].filter((name) => !next.names.has(name));
    return makeHandler(next, remove);
  };
  return middleware;
}

/** The CSP nonce of this response (set by {@link securityHeaders} when the policy uses one). */
export function getCspNonce(res: Response): string | undefined {
  const value = (res.locals as { cspNonce?: unknown }).cspNonce;
  return typeof value === 'string' ? value : undefined;
}

/** Options of {@link cspReportEndpoint}. */
export interface CspReportEndpointOptions {
  /**
   * Largest accepted body in bytes (an integer ≥ 0); bigger bodies get 413. Checked on
   * `Content-Length` and while the body arrives: reading stops as soon as it passes the limit.
   * @default 65536
   */
  maxBytes?: number | undefined;
}

/**
 * Express handler for the CSP report endpoint: accepts `application/csp-report`,
 * `application/reports+json` and `application/json` bodies (parsed already or raw), calls
 * `onReport` with the normalized violations, answers 204. Mount it at the URL you gave
 * in `contentSecurityPolicy.reportTo.url`. A raw body is read with `@armor/core/body`'s bounded
 * Node reader (413 over `maxBytes` bytes); a body another middleware parsed (an object, or text
 * from `express.text()`) is used as it is.
 * Throws `ConfigurationError` for a `maxBytes` that is not an integer ≥ 0.
 *
 * @example
 * ```ts
 * app.post('/csp-reports', cspReportEndpoint((violations) => logger.warn({ violations }, 'CSP violation')));
 * ```
 */
export function cspReportEndpoint(
  onReport: (violations: CspViolation[], req: Request) => void | Promise<void>,
  options: CspReportEndpointOptions = {},
): RequestHandler {
  const maxBytes = options.maxBytes ?? 65_536;
  checkInt('maxBytes', maxBytes, 0);
  return (req, res, next) => {
    const run = async () => {
      let body: unknown = req.body;
      // A parsed object, or the text of a text parser; otherwise the raw body.
      if (typeof body === 'string' ? body.length === 0 : typeof body !== 'object' || body === null || Object.keys(body).length === 0) {
        const read = await readNodeBodyText(req, maxBytes);
        if (read.tooLarge) {
          res.status(413).end();
          return;
        }
        body = read.text;
      }
      const violations = parseCspReports(body);
      if (violations.length) {
        try {
          await onReport(violations, req);
        } catch {
          // best effort
        }
      }
      res.status(204).end();
    };
    run().catch(next);
  };
}

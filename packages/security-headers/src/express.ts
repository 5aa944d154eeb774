/**
 * Express adapter: the security-headers middleware (precomputed header list, per-request
 * CSP nonce in `res.locals.cspNonce`, `X-Powered-By` removed), per-route overrides, and a
 * CSP report endpoint.
 *
 * @module
 */
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
  /** Largest accepted body in bytes; bigger bodies get 413. @default 65536 */
  maxBytes?: number | undefined;
}

function readBody(req: Request, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Uint8Array[] = [];
    req.on('data', (chunk: Uint8Array) => {
      size += chunk.length;
      if (size > maxBytes) {
        resolve(undefined);
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(new TextDecoder().decode(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

/**
 * Express handler for the CSP report endpoint: accepts `application/csp-report`,
 * `application/reports+json` and `application/json` bodies (parsed already or raw), calls
 * `onReport` with the normalized violations, answers 204. Mount it at the URL you gave
 * in `contentSecurityPolicy.reportTo.url`.
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
  return (req, res, next) => {
    const run = async () => {
      const parsed: unknown = req.body;
      const body = parsed !== undefined && typeof parsed === 'object' && parsed !== null && Object.keys(parsed).length > 0 ? parsed : await readBody(req, maxBytes);
      if (body === undefined) {
        res.status(413).end();
        return;
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

/**
 * `@armor/security-headers/hono`: the security-headers `MiddlewareHandler` for Hono. A fresh CSP
 * nonce per request is a typed context variable (`c.var.cspNonce`, through
 * {@link SecurityHeadersVariables}) for the page; the headers are set after `await next()`, so
 * they cover whatever the route answered. Imports Hono's types only.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from 'hono';
import { cspNonce } from './csp.js';
import { compileSecurityHeaders, mergeSecurityHeaderOptions, type CompiledSecurityHeaders, type SecurityHeadersOptions } from './headers.js';

/** The context variables this middleware sets: `c.var.cspNonce` (when the CSP uses nonces). */
export interface SecurityHeadersVariables {
  cspNonce: string;
}

/** The middleware returned by {@link securityHeaders}, with per-route overrides. */
export type SecurityHeadersHandler = MiddlewareHandler<{ Variables: SecurityHeadersVariables }> & {
  /** The compiled header set this middleware sends. */
  readonly compiled: CompiledSecurityHeaders;
  /**
   * A route-level middleware that replaces this set with `base options + overrides` for its
   * routes (computed once). Headers turned off by the override are not sent.
   */
  override(overrides: SecurityHeadersOptions): MiddlewareHandler<{ Variables: SecurityHeadersVariables }>;
};

/** The header set a route chose (per request), read by the app-level middleware. */
const chosen = new WeakMap<Request, CompiledSecurityHeaders>();

function apply(c: Context, compiled: CompiledSecurityHeaders, nonce: string | undefined): void {
  const list = compiled.static;
  const cspName = compiled.cspHeaderName;
  const set = (headers: Headers) => {
    headers.delete('x-powered-by');
    for (let i = 0; i < list.length; i++) headers.set(list[i]![0], list[i]![1]);
    if (cspName !== undefined && nonce !== undefined) headers.set(cspName, compiled.csp(nonce));
  };
  try {
    set(c.res.headers);
  } catch {
    // Immutable headers (a proxied fetch response): copy.
    c.res = new Response(c.res.body, c.res);
    set(c.res.headers);
  }
}

/**
 * Security headers for Hono. Options are validated and the header list built once, here.
 *
 * @example
 * ```ts no-run
 * const app = new Hono<{ Variables: SecurityHeadersVariables }>();
 * app.use(securityHeaders({ preset: 'html' }));
 * app.get('/', (c) => c.html(`<script nonce="${c.var.cspNonce}">…</script>`));
 * ```
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): SecurityHeadersHandler {
  const compiled = compileSecurityHeaders(options);
  const handler = (async (c, next) => {
    let nonce: string | undefined;
    if (compiled.needsNonce) {
      nonce = cspNonce();
      c.set('cspNonce', nonce);
    }
    await next();
    const own = overridden ? (chosen.get(c.req.raw) ?? compiled) : compiled;
    if (own.needsNonce && nonce === undefined) nonce = c.var.cspNonce;
    apply(c, own, nonce);
  }) as SecurityHeadersHandler;
  Object.defineProperty(handler, 'compiled', { value: compiled });
  let overridden = false;
  handler.override = (overrides) => {
    overridden = true;
    const next = compileSecurityHeaders(mergeSecurityHeaderOptions(options, overrides));
    return async (c, go) => {
      chosen.set(c.req.raw, next);
      // A nonce for the route when the base set had none.
      if (next.needsNonce && (c.var as Partial<SecurityHeadersVariables>).cspNonce === undefined) c.set('cspNonce', cspNonce());
      await go();
    };
  };
  return handler;
}

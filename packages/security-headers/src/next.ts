/**
 * `@armor/security-headers/next`: security headers for Next.js (App Router): a route-handler
 * wrapper with a per-request CSP nonce ({@link getCspNonce}), and the nonce pattern for
 * `proxy.ts` (`middleware.ts` before Next 16), where the nonce reaches Next's own scripts
 * through the request's `Content-Security-Policy` header. Web-standard only (no import of
 * `next`): Node and edge runtimes.
 *
 * @module
 */
import { cspNonce } from './csp.js';
import { applySecurityHeaders, compileSecurityHeaders, type SecurityHeadersOptions } from './headers.js';

const nonces = new WeakMap<Request, string>();

/** The CSP nonce {@link withSecurityHeaders} made for this request (`undefined` when the policy uses none). */
export function getCspNonce(request: Request): string | undefined {
  return nonces.get(request);
}

/**
 * Wraps an App Router route handler: its response gets the header set, with a fresh nonce per
 * request that the handler reads with {@link getCspNonce}.
 *
 * @example
 * ```ts no-run
 * // app/page-like/route.ts
 * export const GET = withSecurityHeaders(
 *   (request: Request) => new Response(`<script nonce="${getCspNonce(request)}">…</script>`, { headers: { 'content-type': 'text/html' } }),
 *   { preset: 'html' },
 * );
 * ```
 */
export function withSecurityHeaders<A extends unknown[]>(
  route: (request: Request, ...rest: A) => Response | Promise<Response>,
  options: SecurityHeadersOptions = {},
): (request: Request, ...rest: A) => Promise<Response> {
  const compiled = compileSecurityHeaders(options);
  return async (request, ...rest) => {
    const nonce = compiled.needsNonce ? cspNonce() : undefined;
    if (nonce !== undefined) nonces.set(request, nonce);
    return applySecurityHeaders(await route(request, ...rest), compiled, { nonce });
  };
}

/** What {@link securityHeadersProxy} gives `proxy.ts` for one request. */
export interface ProxySecurityHeaders {
  /** This request's nonce (`undefined` when the policy uses none). */
  readonly nonce: string | undefined;
  /** The request headers to pass on (`NextResponse.next({ request: { headers } })`): the original ones plus `x-nonce` and the CSP, which Next reads to put the nonce on its scripts. */
  readonly requestHeaders: Headers;
  /** The headers to set on the response. */
  readonly headers: Record<string, string>;
}

/**
 * The header set for `proxy.ts`, following Next's nonce guide.
 *
 * @example
 * ```ts no-run
 * // proxy.ts
 * const secure = securityHeadersProxy({ preset: 'html' });
 * export function proxy(request: NextRequest) {
 *   const { requestHeaders, headers } = secure(request);
 *   const response = NextResponse.next({ request: { headers: requestHeaders } });
 *   for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
 *   return response;
 * }
 * ```
 */
export function securityHeadersProxy(options: SecurityHeadersOptions = {}): (request: Request) => ProxySecurityHeaders {
  const compiled = compileSecurityHeaders(options);
  return (request) => {
    const nonce = compiled.needsNonce ? cspNonce() : undefined;
    const headers = Object.fromEntries(compiled.entries(nonce));
    const requestHeaders = new Headers(request.headers);
    if (nonce !== undefined) {
      requestHeaders.set('x-nonce', nonce);
      requestHeaders.set(compiled.cspHeaderName!, compiled.csp(nonce));
    }
    return { nonce, requestHeaders, headers };
  };
}

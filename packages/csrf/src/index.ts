/**
 * `@armor/csrf`: signed double-submit CSRF tokens (HMAC-SHA256) bound to a session, with
 * expiry, secret rotation, timing-safe comparison, `Sec-Fetch-Site`/`Origin` checks with a
 * trusted-origin allowlist, `__Host-` cookies and optional one-time tokens. Web-standard only
 * (Node, Convex, edge); the Express middleware is `@armor/csrf/express`.
 *
 * @module
 */
export { createCsrf, readCookie } from './csrf.js';
export type { Csrf, CsrfCookieOptions, CsrfOptions, CsrfRequestLike, CsrfSecret, HeaderBag, IssuedCsrfToken } from './csrf.js';
export { CsrfError } from './errors.js';
export type { CsrfErrorCode } from './errors.js';
export { memoryUsedTokenStore } from './used-tokens.js';
export type { MemoryUsedTokenStoreOptions, UsedTokenStore } from './used-tokens.js';

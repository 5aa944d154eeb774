/**
 * `@armor/security-headers`: helmet-grade security headers (defaults equal helmet 8's), a
 * typed CSP builder with per-request nonces and the `strict-dynamic` preset, CSP violation
 * report parsing (in `@armor/security-headers/reports`), `Permissions-Policy`, and `api`/`html` presets. Web-standard only (runs
 * in Node, Convex and edge runtimes); the Express middleware is `@armor/security-headers/express`.
 *
 * @module
 */
export { DEFAULT_CSP_DIRECTIVES, NONCE, STRICT_DYNAMIC_CSP, buildCsp, cspNonce, resolveCspDirectives } from './csp.js';
export type { CspDirectives, CspOptions, CspSource } from './csp.js';
export {
  DEFAULT_PERMISSIONS_POLICY,
  applySecurityHeaders,
  compileSecurityHeaders,
  mergeSecurityHeaderOptions,
  securityHeaders,
} from './headers.js';
export type {
  ApplyOptions,
  CompiledSecurityHeaders,
  HeaderEntry,
  HstsOptions,
  PermissionsPolicyDirectives,
  ReferrerPolicyToken,
  SecurityHeadersOptions,
} from './headers.js';

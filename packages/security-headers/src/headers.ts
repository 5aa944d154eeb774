/**
 * The header set: options, presets, compilation into a precomputed list, and application
 * to Web `Headers`/`Response` objects.
 *
 * @module
 */
import { checkBoolean, checkInt, checkOneOf, checkOptions } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import { buildCsp, resolveCspDirectives, NONCE, type CspDirectives, type CspOptions } from './csp.js';

/** `Referrer-Policy` tokens. */
export type ReferrerPolicyToken =
  | 'no-referrer'
  | 'no-referrer-when-downgrade'
  | 'origin'
  | 'origin-when-cross-origin'
  | 'same-origin'
  | 'strict-origin'
  | 'strict-origin-when-cross-origin'
  | 'unsafe-url'
  | '';

/** `Strict-Transport-Security` options. */
export interface HstsOptions {
  /** Seconds browsers remember to use HTTPS only. @default 31536000 (365 days) */
  maxAge?: number | undefined;
  /** Apply to every subdomain. @default true */
  includeSubDomains?: boolean | undefined;
  /** Ask to be put on browsers' preload lists (needs maxAge >= 1 year). @default false */
  preload?: boolean | undefined;
}

/** Feature → allowlist for `Permissions-Policy`; `[]` disables the feature everywhere. */
export type PermissionsPolicyDirectives = Readonly<Record<string, readonly string[]>>;

/**
 * The safe default `Permissions-Policy`: powerful features no ordinary page needs are
 * disabled for the page and every embedded frame.
 */
export const DEFAULT_PERMISSIONS_POLICY: PermissionsPolicyDirectives = Object.freeze({
  accelerometer: [],
  'browsing-topics': [],
  camera: [],
  geolocation: [],
  gyroscope: [],
  magnetometer: [],
  microphone: [],
  payment: [],
  usb: [],
});

/** Every header this package can set. `false` turns a header off. */
export interface SecurityHeadersOptions {
  /**
   * Start from a preset: `'default'` (helmet 8's defaults, header for header), `'html'`
   * (default + per-request script nonce + `Permissions-Policy`) or `'api'` (seven headers, as
   * OWASP's REST guidance says: CSP `default-src 'none'; frame-ancestors 'none'`,
   * `Cache-Control: no-store`, `X-Frame-Options: DENY`, HSTS, `X-Content-Type-Options`,
   * `Referrer-Policy` and `Cross-Origin-Resource-Policy`; the headers that only act on a
   * rendered document are off). Other options override the preset.
   * @default 'default'
   */
  preset?: 'default' | 'html' | 'api' | undefined;
  /** `Content-Security-Policy` (or `-Report-Only`). @default helmet's policy */
  contentSecurityPolicy?: CspOptions | boolean | undefined;
  /** `Cross-Origin-Embedder-Policy`. Off by default (as in helmet 8). @default false */
  crossOriginEmbedderPolicy?: 'require-corp' | 'credentialless' | 'unsafe-none' | false | undefined;
  /** `Cross-Origin-Opener-Policy`. @default 'same-origin' */
  crossOriginOpenerPolicy?: 'same-origin' | 'same-origin-allow-popups' | 'noopener-allow-popups' | 'unsafe-none' | false | undefined;
  /** `Cross-Origin-Resource-Policy`. @default 'same-origin' */
  crossOriginResourcePolicy?: 'same-origin' | 'same-site' | 'cross-origin' | false | undefined;
  /** `Origin-Agent-Cluster: ?1`. @default true */
  originAgentCluster?: boolean | undefined;
  /** `Referrer-Policy`; an array is a fallback list. @default 'no-referrer' */
  referrerPolicy?: ReferrerPolicyToken | readonly ReferrerPolicyToken[] | false | undefined;
  /** `Strict-Transport-Security`. @default `{ maxAge: 31536000, includeSubDomains: true }` */
  strictTransportSecurity?: HstsOptions | boolean | undefined;
  /** `X-Content-Type-Options: nosniff`. @default true */
  xContentTypeOptions?: boolean | undefined;
  /** `X-DNS-Prefetch-Control`. @default 'off' */
  xDnsPrefetchControl?: 'on' | 'off' | false | undefined;
  /** `X-Download-Options: noopen` (old Internet Explorer). @default true */
  xDownloadOptions?: boolean | undefined;
  /** `X-Frame-Options`. @default 'SAMEORIGIN' */
  xFrameOptions?: 'DENY' | 'SAMEORIGIN' | false | undefined;
  /** `X-Permitted-Cross-Domain-Policies`. @default 'none' */
  xPermittedCrossDomainPolicies?: 'none' | 'master-only' | 'by-content-type' | 'all' | false | undefined;
  /** `X-XSS-Protection: 0` (turns the buggy legacy XSS auditor off). @default true */
  xXssProtection?: boolean | undefined;
  /**
   * `Permissions-Policy`. `true` sends {@link DEFAULT_PERMISSIONS_POLICY}; an object sends
   * your directives. Off in the `'default'` preset so the default set equals helmet's.
   * @default false (true in the 'html' preset)
   */
  permissionsPolicy?: PermissionsPolicyDirectives | boolean | undefined;
  /** `Cache-Control` value. @default false (`'no-store'` in the 'api' preset) */
  cacheControl?: string | false | undefined;
}

/** A name/value pair; names are in their canonical capitalization. */
export type HeaderEntry = readonly [name: string, value: string];

/**
 * A precomputed header set. Building it validates every option once; applying it is a
 * loop over {@link CompiledSecurityHeaders.static} plus, when the CSP uses nonces, one
 * string concatenation per request.
 */
export interface CompiledSecurityHeaders {
  /** Headers that never change between requests, in send order. */
  readonly static: readonly HeaderEntry[];
  /** The CSP header name when the policy needs a per-request nonce, else `undefined`. */
  readonly cspHeaderName: string | undefined;
  /** Whether each response needs a nonce (the CSP contains {@link NONCE}). */
  readonly needsNonce: boolean;
  /** Every header name this set may send (lowercase), for per-route overrides. */
  readonly names: ReadonlySet<string>;
  /** The per-request CSP value (only when `needsNonce`). */
  csp(nonce: string): string;
  /** All headers for one response. */
  entries(nonce?: string): HeaderEntry[];
}

const PRESETS: Record<'default' | 'html' | 'api', SecurityHeadersOptions> = {
  default: {},
  html: { contentSecurityPolicy: { nonce: true }, permissionsPolicy: true },
  // OWASP REST Security Cheat Sheet: an API response is never a document to render or frame.
  // Its list (Cache-Control, CSP frame-ancestors, HSTS, nosniff, X-Frame-Options) plus CSP
  // default-src 'none', Referrer-Policy and CORP. Headers that only act on a rendered document
  // are off: under default-src 'none' nothing in the response can run or load, so
  // Permissions-Policy, X-XSS-Protection, X-DNS-Prefetch-Control, X-Download-Options, Origin-Agent-Cluster,
  // Cross-Origin-Opener-Policy and X-Permitted-Cross-Domain-Policies are bytes on every response
  // that change nothing.
  api: {
    contentSecurityPolicy: { useDefaults: false, directives: { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] } },
    cacheControl: 'no-store',
    xFrameOptions: 'DENY',
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  },
};

const REFERRER = new Set<string>([
  'no-referrer', 'no-referrer-when-downgrade', 'origin', 'origin-when-cross-origin', 'same-origin',
  'strict-origin', 'strict-origin-when-cross-origin', 'unsafe-url', '',
]);

/** A header value from `allowed`, `false` (off) or `undefined` (the default); checked by the kernel. */
function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[], fallback: T): T | false {
  checkOneOf(option, value, [...allowed, false]);
  return value === undefined ? fallback : (value as T | false);
}

/** A boolean option with its default; checked by the kernel. */
function bool(option: string, value: unknown, fallback: boolean): boolean {
  checkBoolean(option, value);
  return (value as boolean | undefined) ?? fallback;
}

const HEADER_OPTIONS = [
  'preset', 'contentSecurityPolicy', 'crossOriginEmbedderPolicy', 'crossOriginOpenerPolicy', 'crossOriginResourcePolicy',
  'originAgentCluster', 'referrerPolicy', 'strictTransportSecurity', 'xContentTypeOptions', 'xDnsPrefetchControl',
  'xDownloadOptions', 'xFrameOptions', 'xPermittedCrossDomainPolicies', 'xXssProtection', 'permissionsPolicy', 'cacheControl',
] as const;

function permissionsPolicyValue(policy: PermissionsPolicyDirectives): string {
  const parts: string[] = [];
  for (const [feature, allow] of Object.entries(policy)) {
    if (!/^[a-z][a-z0-9-]*$/.test(feature)) throw new ConfigurationError(`permissionsPolicy.${feature}`, 'is not a valid feature name', { received: feature });
    if (!Array.isArray(allow)) throw new ConfigurationError(`permissionsPolicy.${feature}`, 'must be an array of origins, "self" or "*"', { received: allow });
    const items = (allow as readonly unknown[]).map((origin) => {
      if (origin === 'self' || origin === '*') return origin;
      if (typeof origin === 'string' && /^https?:\/\/[^\s"]+$/.test(origin)) return `"${origin}"`;
      throw new ConfigurationError(`permissionsPolicy.${feature}`, 'entries must be "self", "*" or an http(s) origin', { received: origin });
    });
    parts.push(items.length === 1 && items[0] === '*' ? `${feature}=*` : `${feature}=(${items.join(' ')})`);
  }
  return parts.join(', ');
}

/** Merges option objects left to right (later wins), expanding presets first. */
export function mergeSecurityHeaderOptions(...layers: (SecurityHeadersOptions | undefined)[]): SecurityHeadersOptions {
  const out: SecurityHeadersOptions = {};
  for (const layer of layers) {
    if (!layer) continue;
    checkOptions('securityHeaders', layer, HEADER_OPTIONS);
    const { preset, ...rest } = layer;
    if (preset !== undefined) {
      // Own keys only: `in` would accept Object.prototype names such as 'constructor'.
      if (typeof preset !== 'string' || !Object.hasOwn(PRESETS, preset)) throw new ConfigurationError('preset', 'must be "default", "html" or "api"', { received: preset });
      // A preset is a complete starting point: it replaces everything from earlier layers
      // (so `override({ preset: 'default' })` on an `api` set brings the CSP back).
      for (const key of Object.keys(out)) delete (out as Record<string, unknown>)[key];
      Object.assign(out, PRESETS[preset]);
    }
    for (const [key, value] of Object.entries(rest)) {
      if (value !== undefined) (out as Record<string, unknown>)[key] = value;
    }
  }
  return out;
}

const cache = new WeakMap<SecurityHeadersOptions, CompiledSecurityHeaders>();

/**
 * Validates options once and precomputes the header list. Throws `ConfigurationError`
 * naming the bad option. Results are cached per options object.
 *
 * @example
 * ```ts
 * const compiled = compileSecurityHeaders({ preset: 'html' });
 * compiled.entries(cspNonce()); // [['Content-Security-Policy', "default-src 'self';…'nonce-…'"], …]
 * ```
 */
export function compileSecurityHeaders(options: SecurityHeadersOptions = {}): CompiledSecurityHeaders {
  const hit = cache.get(options);
  if (hit) return hit;
  checkOptions('securityHeaders', options, HEADER_OPTIONS);
  const o = mergeSecurityHeaderOptions(options);
  const list: HeaderEntry[] = [];
  let cspHeaderName: string | undefined;
  let cspDirectives: CspDirectives | undefined;

  const csp = o.contentSecurityPolicy ?? true;
  if (csp !== false) {
    if (csp !== true && (typeof csp !== 'object' || csp === null)) {
      throw new ConfigurationError('contentSecurityPolicy', 'must be an options object or a boolean', { received: csp });
    }
    const cspOptions = csp === true ? {} : csp;
    checkOptions('contentSecurityPolicy', cspOptions, ['directives', 'useDefaults', 'strictDynamic', 'nonce', 'reportOnly', 'reportTo']);
    const directives = resolveCspDirectives(cspOptions);
    const name = cspOptions.reportOnly ? 'Content-Security-Policy-Report-Only' : 'Content-Security-Policy';
    const usesNonce = Object.values(directives).some((v) => Array.isArray(v) && v.includes(NONCE));
    if (usesNonce) {
      cspHeaderName = name;
      cspDirectives = directives;
    } else list.push([name, buildCsp(directives)]);
    if (cspOptions.reportTo) {
      const { url, group = 'csp-endpoint' } = cspOptions.reportTo;
      if (typeof url !== 'string' || !/^(https?:\/\/|\/)[^\s"]*$/.test(url)) {
        throw new ConfigurationError('contentSecurityPolicy.reportTo.url', 'must be an absolute http(s) URL or a path', { received: url });
      }
      if (!/^[a-z][a-z0-9_-]*$/i.test(group)) throw new ConfigurationError('contentSecurityPolicy.reportTo.group', 'must be a token', { received: group });
      list.push(['Reporting-Endpoints', `${group}="${url}"`]);
    }
  }
  const coep = oneOf('crossOriginEmbedderPolicy', o.crossOriginEmbedderPolicy ?? false, ['require-corp', 'credentialless', 'unsafe-none'], 'require-corp');
  if (coep) list.push(['Cross-Origin-Embedder-Policy', coep]);
  const coop = oneOf('crossOriginOpenerPolicy', o.crossOriginOpenerPolicy, ['same-origin', 'same-origin-allow-popups', 'noopener-allow-popups', 'unsafe-none'], 'same-origin');
  if (coop) list.push(['Cross-Origin-Opener-Policy', coop]);
  const corp = oneOf('crossOriginResourcePolicy', o.crossOriginResourcePolicy, ['same-origin', 'same-site', 'cross-origin'], 'same-origin');
  if (corp) list.push(['Cross-Origin-Resource-Policy', corp]);
  if (bool('originAgentCluster', o.originAgentCluster, true)) list.push(['Origin-Agent-Cluster', '?1']);

  const referrer = o.referrerPolicy ?? 'no-referrer';
  if (referrer !== false) {
    const tokens = typeof referrer === 'string' ? [referrer] : referrer;
    if (!Array.isArray(tokens) || tokens.length === 0 || tokens.some((t) => !REFERRER.has(t as string))) {
      throw new ConfigurationError('referrerPolicy', 'must be a Referrer-Policy token, a non-empty array of them, or false', { received: referrer });
    }
    list.push(['Referrer-Policy', tokens.join(',')]);
  }

  const hsts = o.strictTransportSecurity ?? true;
  if (hsts !== false) {
    if (hsts !== true && (typeof hsts !== 'object' || hsts === null)) throw new ConfigurationError('strictTransportSecurity', 'must be an options object or a boolean', { received: hsts });
    checkOptions('strictTransportSecurity', hsts === true ? undefined : hsts, ['maxAge', 'includeSubDomains', 'preload']);
    const { maxAge = 31_536_000, includeSubDomains = true, preload = false } = hsts === true ? {} : hsts;
    checkInt('strictTransportSecurity.maxAge', maxAge, 0);
    checkBoolean('strictTransportSecurity.includeSubDomains', includeSubDomains);
    checkBoolean('strictTransportSecurity.preload', preload);
    if (preload && (maxAge < 31_536_000 || !includeSubDomains)) {
      throw new ConfigurationError('strictTransportSecurity.preload', 'needs maxAge >= 31536000 and includeSubDomains', { received: preload });
    }
    list.push(['Strict-Transport-Security', `max-age=${maxAge}${includeSubDomains ? '; includeSubDomains' : ''}${preload ? '; preload' : ''}`]);
  }
  if (bool('xContentTypeOptions', o.xContentTypeOptions, true)) list.push(['X-Content-Type-Options', 'nosniff']);
  const dns = oneOf('xDnsPrefetchControl', o.xDnsPrefetchControl, ['on', 'off'], 'off');
  if (dns) list.push(['X-DNS-Prefetch-Control', dns]);
  if (bool('xDownloadOptions', o.xDownloadOptions, true)) list.push(['X-Download-Options', 'noopen']);
  const xfo = oneOf('xFrameOptions', o.xFrameOptions, ['DENY', 'SAMEORIGIN'], 'SAMEORIGIN');
  if (xfo) list.push(['X-Frame-Options', xfo]);
  const xpcdp = oneOf('xPermittedCrossDomainPolicies', o.xPermittedCrossDomainPolicies, ['none', 'master-only', 'by-content-type', 'all'], 'none');
  if (xpcdp) list.push(['X-Permitted-Cross-Domain-Policies', xpcdp]);
  if (bool('xXssProtection', o.xXssProtection, true)) list.push(['X-XSS-Protection', '0']);

  const pp = o.permissionsPolicy ?? false;
  if (pp !== false) {
    if (pp !== true && (typeof pp !== 'object' || pp === null)) throw new ConfigurationError('permissionsPolicy', 'must be an object of feature allowlists or a boolean', { received: pp });
    list.push(['Permissions-Policy', permissionsPolicyValue(pp === true ? DEFAULT_PERMISSIONS_POLICY : pp)]);
  }
  const cacheControl = o.cacheControl ?? false;
  if (cacheControl !== false) {
    if (typeof cacheControl !== 'string' || cacheControl === '' || /[\r\n]/.test(cacheControl)) {
      throw new ConfigurationError('cacheControl', 'must be a non-empty header value or false', { received: cacheControl });
    }
    list.push(['Cache-Control', cacheControl]);
  }

  const frozen = Object.freeze(list.map((e) => Object.freeze(e) as HeaderEntry));
  const names = new Set(frozen.map(([n]) => n.toLowerCase()));
  if (cspHeaderName) names.add(cspHeaderName.toLowerCase());
  const directives = cspDirectives;
  // Split the CSP at the nonce markers once, so each request is a join, not a rebuild.
  const pieces = directives ? buildCsp(directives, '\u0000').split('\u0000') : [];
  const compiled: CompiledSecurityHeaders = {
    static: frozen,
    cspHeaderName,
    needsNonce: directives !== undefined,
    names,
    csp: (nonce) => pieces.join(nonce),
    entries(nonce) {
      if (!cspHeaderName) return [...frozen];
      return [[cspHeaderName, nonce === undefined ? buildCsp(directives!) : pieces.join(nonce)], ...frozen];
    },
  };
  cache.set(options, compiled);
  return compiled;
}

/** Per-response options of {@link securityHeaders} and {@link applySecurityHeaders}. */
export interface ApplyOptions {
  /** This response's CSP nonce (from {@link cspNonce}); needed when the policy uses nonces. */
  nonce?: string | undefined;
}

/**
 * The header set for one response as a plain object (canonical header names).
 *
 * @example
 * ```ts
 * securityHeaders(); // { 'Content-Security-Policy': "default-src 'self';…", 'Cross-Origin-Opener-Policy': 'same-origin', … }
 * securityHeaders({ preset: 'api' })['Cache-Control']; // 'no-store'
 * ```
 */
export function securityHeaders(options: SecurityHeadersOptions | CompiledSecurityHeaders = {}, perResponse: ApplyOptions = {}): Record<string, string> {
  const compiled = isCompiled(options) ? options : compileSecurityHeaders(options);
  return Object.fromEntries(compiled.entries(perResponse.nonce));
}

function isCompiled(value: unknown): value is CompiledSecurityHeaders {
  return typeof value === 'object' && value !== null && 'static' in value && 'entries' in value;
}

/**
 * Sets the header set on a Web `Headers` object (in place, returned) or a `Response`
 * (returns a new `Response` when the original's headers are immutable, e.g. from `fetch`).
 *
 * @example
 * ```ts
 * export default { fetch: async (req: Request) => applySecurityHeaders(await app(req), { preset: 'api' }) };
 * ```
 */
export function applySecurityHeaders<T extends Headers | Response>(
  target: T,
  options: SecurityHeadersOptions | CompiledSecurityHeaders = {},
  perResponse: ApplyOptions = {},
): T {
  const compiled = isCompiled(options) ? options : compileSecurityHeaders(options);
  const entries = compiled.entries(perResponse.nonce);
  if (target instanceof Headers) {
    for (const [name, value] of entries) target.set(name, value);
    return target;
  }
  const response = target as Response;
  try {
    for (const [name, value] of entries) response.headers.set(name, value);
    response.headers.delete('X-Powered-By');
    return target;
  } catch {
    const headers = new Headers(response.headers);
    for (const [name, value] of entries) headers.set(name, value);
    headers.delete('X-Powered-By');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers }) as T;
  }
}

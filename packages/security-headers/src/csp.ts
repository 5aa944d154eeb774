/**
 * Content-Security-Policy: a typed directive map, a serializer, per-request nonces and the
 * `strict-dynamic` preset.
 *
 * @module
 */
import { ConfigurationError } from '@armor/errors';

/** A CSP source expression such as `'self'`, `https:`, `data:` or `https://cdn.example.com`. */
export type CspSource = string;

/**
 * The marker that {@link buildCsp} replaces with `'nonce-<value>'` for the current request.
 * Put it in any source list; `nonce: true` adds it to `script-src` and `style-src` for you.
 */
export const NONCE = "'nonce'" as const;

/** Known fetch/document/navigation directives (any other directive name is also accepted). */
export interface CspDirectives {
  'default-src'?: readonly CspSource[] | undefined;
  'base-uri'?: readonly CspSource[] | undefined;
  'child-src'?: readonly CspSource[] | undefined;
  'connect-src'?: readonly CspSource[] | undefined;
  'font-src'?: readonly CspSource[] | undefined;
  'form-action'?: readonly CspSource[] | undefined;
  'frame-ancestors'?: readonly CspSource[] | undefined;
  'frame-src'?: readonly CspSource[] | undefined;
  'img-src'?: readonly CspSource[] | undefined;
  'manifest-src'?: readonly CspSource[] | undefined;
  'media-src'?: readonly CspSource[] | undefined;
  'object-src'?: readonly CspSource[] | undefined;
  'script-src'?: readonly CspSource[] | undefined;
  'script-src-attr'?: readonly CspSource[] | undefined;
  'script-src-elem'?: readonly CspSource[] | undefined;
  'style-src'?: readonly CspSource[] | undefined;
  'style-src-attr'?: readonly CspSource[] | undefined;
  'style-src-elem'?: readonly CspSource[] | undefined;
  'worker-src'?: readonly CspSource[] | undefined;
  sandbox?: readonly string[] | boolean | undefined;
  'require-trusted-types-for'?: readonly string[] | undefined;
  'trusted-types'?: readonly string[] | undefined;
  'report-uri'?: readonly string[] | undefined;
  'report-to'?: readonly string[] | undefined;
  /** A flag directive: present when `true`. */
  'upgrade-insecure-requests'?: boolean | undefined;
  /** Any other directive: a source list, a flag (`true` = present), or `false`/`undefined` = absent. */
  [directive: string]: readonly string[] | boolean | undefined;
}

/**
 * helmet 8's default policy, directive for directive (so our default header equals helmet's).
 */
export const DEFAULT_CSP_DIRECTIVES: Readonly<CspDirectives> = Object.freeze({
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'font-src': ["'self'", 'https:', 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", 'https:', "'unsafe-inline'"],
  'upgrade-insecure-requests': true,
});

/**
 * The strict, nonce-based policy recommended by Google's CSP guide and web.dev: scripts run
 * only with the request's nonce (and whatever they load, via `'strict-dynamic'`); the
 * `https:` and `'unsafe-inline'` entries are ignored by CSP3 browsers and only keep old
 * browsers working.
 *
 * @example
 * ```ts
 * securityHeaders({ contentSecurityPolicy: { directives: STRICT_DYNAMIC_CSP, useDefaults: false } }, { nonce });
 * ```
 */
export const STRICT_DYNAMIC_CSP: Readonly<CspDirectives> = Object.freeze({
  'script-src': [NONCE, "'strict-dynamic'", 'https:', "'unsafe-inline'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
});

/** Options of the CSP part of {@link SecurityHeadersOptions}. */
export interface CspOptions {
  /**
   * Directives; merged over {@link DEFAULT_CSP_DIRECTIVES} unless `useDefaults` is `false`.
   * A directive set to `false` or `undefined` removes a default.
   * @default {}
   */
  directives?: CspDirectives | undefined;
  /** Start from helmet's default policy. @default true */
  useDefaults?: boolean | undefined;
  /**
   * Use the strict nonce-based preset ({@link STRICT_DYNAMIC_CSP}) for `script-src`,
   * `object-src` and `base-uri`. Implies `nonce`.
   * @default false
   */
  strictDynamic?: boolean | undefined;
  /**
   * Add the per-request nonce to `script-src` (add {@link NONCE} to other lists yourself,
   * e.g. `style-src`; note that a nonce makes browsers ignore `'unsafe-inline'` in that
   * list). Each response then needs a fresh nonce ({@link cspNonce}); the Express
   * middleware makes one automatically.
   * @default false
   */
  nonce?: boolean | undefined;
  /** Send `Content-Security-Policy-Report-Only` instead of enforcing. @default false */
  reportOnly?: boolean | undefined;
  /**
   * Where browsers send violation reports: adds `report-uri <url>` and `report-to <group>`
   * to the policy and a `Reporting-Endpoints: <group>="<url>"` header. Parse the reports
   * with `parseCspReports` from `@armor/security-headers/reports`.
   * @default undefined
   */
  reportTo?: { url: string; group?: string | undefined } | undefined;
}

const DIRECTIVE_NAME = /^[a-z][a-z0-9-]*$/;
const BAD_VALUE = /[;,\r\n]/;

/** Merges and validates directives; throws `ConfigurationError` for bad names or values. */
export function resolveCspDirectives(options: CspOptions = {}): CspDirectives {
  const merged: CspDirectives = options.useDefaults === false ? {} : { ...DEFAULT_CSP_DIRECTIVES };
  if (options.strictDynamic) Object.assign(merged, STRICT_DYNAMIC_CSP);
  for (const [name, value] of Object.entries(options.directives ?? {})) {
    merged[name] = value;
  }
  if (options.nonce || options.strictDynamic) {
    const list = merged['script-src'];
    if (Array.isArray(list) && !list.includes(NONCE)) merged['script-src'] = [...(list as string[]), NONCE];
  }
  if (options.reportTo) {
    const group = options.reportTo.group ?? 'csp-endpoint';
    merged['report-uri'] = [options.reportTo.url];
    merged['report-to'] = [group];
  }
  for (const [name, value] of Object.entries(merged)) {
    if (!DIRECTIVE_NAME.test(name)) {
      throw new ConfigurationError(`contentSecurityPolicy.directives.${name}`, 'is not a valid directive name', { received: name });
    }
    if (Array.isArray(value)) {
      for (const source of value as unknown[]) {
        if (typeof source !== 'string' || source === '' || BAD_VALUE.test(source) || /\s/.test(source)) {
          throw new ConfigurationError(`contentSecurityPolicy.directives.${name}`, 'sources must be non-empty strings without whitespace, ";" or ","', { received: source });
        }
      }
    } else if (value !== undefined && typeof value !== 'boolean') {
      throw new ConfigurationError(`contentSecurityPolicy.directives.${name}`, 'must be an array of sources or a boolean', { received: value });
    }
  }
  return merged;
}

/**
 * Serializes directives into a header value (helmet's format: `name value;name value`).
 * {@link NONCE} markers become `'nonce-<nonce>'`; without a nonce they are dropped.
 *
 * @example
 * ```ts
 * buildCsp({ 'default-src': ["'self'"], 'script-src': ["'self'", NONCE] }, 'abc');
 * // "default-src 'self';script-src 'self' 'nonce-abc'"
 * ```
 */
export function buildCsp(directives: CspDirectives, nonce?: string): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(directives)) {
    if (value === undefined || value === false) continue;
    if (value === true) {
      parts.push(name);
      continue;
    }
    const sources: string[] = [];
    for (const source of value) {
      if (source === NONCE) {
        if (nonce !== undefined) sources.push(`'nonce-${nonce}'`);
      } else sources.push(source);
    }
    parts.push(sources.length ? `${name} ${sources.join(' ')}` : name);
  }
  return parts.join(';');
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * A fresh CSP nonce: 16 random bytes (128 bits) from `crypto.getRandomValues`, base64.
 * Use one per response, in the header and in every `<script nonce="…">`.
 *
 * @example
 * ```ts
 * const nonce = cspNonce(); // e.g. "0vK1tA8pQ2c1c3b0ZlD5rw=="
 * ```
 */
export function cspNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let out = '';
  for (let i = 0; i < 15; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const last = bytes[15]!;
  return `${out}${B64[last >> 2]!}${B64[(last & 3) << 4]!}==`;
}

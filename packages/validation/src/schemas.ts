import { checkBoolean, checkInt, checkObject, checkOptions } from '@armor/core';
import { ipRange, parseIp } from '@armor/core/ip';
import { ConfigurationError } from '@armor/errors';
import { z } from 'zod';
import { createSanitizer, type SanitizeOptions } from './sanitize.js';

/** Kinds of identifiers accepted by {@link schemas}.id. */
export type IdKind = 'uuid' | 'cuid' | 'cuid2' | 'ulid' | 'numeric';

/** Options of `schemas.id`. */
export interface IdOptions {
  /** Accepted identifier kinds. @default 'uuid' */
  kind?: IdKind | readonly IdKind[] | undefined;
}

/** Options of `schemas.email`. */
export interface EmailOptions {
  /** Maximum length in characters (RFC 5321 allows 254). @default 254 */
  max?: number | undefined;
}

/** Options of `schemas.httpUrl`. */
export interface HttpUrlOptions {
  /**
   * Allowed hosts (lowercase). `'example.com'` matches exactly; `'*.example.com'` matches any
   * subdomain (not the apex). @default undefined (any host)
   */
  allowedHosts?: readonly string[] | undefined;
  /** Maximum length in characters. @default 2048 */
  max?: number | undefined;
  /**
   * Accept URLs whose host is a loopback, private, link-local (cloud metadata:
   * `169.254.169.254`), unique-local, unspecified, CGNAT, reserved or multicast address, or an
   * internal-only name: a single label (`metadata`, `localhost`, `kubernetes`) or a name under
   * `localhost`, `local`, `internal` (`metadata.google.internal`), `home.arpa`, `metadata.goog`,
   * `localdomain`, `lan`, `intranet`, `corp`, `home` or `private`. `false` for URLs your server will fetch (SSRF):
   * every spelling the URL parser accepts is caught (`127.1`, `0x7f000001`, `2130706433`,
   * `[::ffff:127.0.0.1]`). A public host NAME that resolves to a private address is not caught
   * here (no DNS lookup): check the resolved address when you connect.
   * @default true
   */
  allowPrivate?: boolean | undefined;
}

/** Options of `schemas.pagination`. */
export interface PaginationOptions {
  /** Largest accepted `limit`. @default 100 */
  maxLimit?: number | undefined;
  /** `limit` when none is given. @default min(20, maxLimit) */
  defaultLimit?: number | undefined;
  /** Maximum `cursor` length in characters. @default 512 */
  maxCursorLength?: number | undefined;
}

/** Options of `schemas.safeString`. */
export interface SafeStringOptions {
  /** Maximum length in code points, after normalization and trimming. @default 1000 */
  max?: number | undefined;
  /** Minimum length in code points, after normalization and trimming. @default 0 */
  min?: number | undefined;
  /** Accept `\n` and `\t` (multi-line text). @default false */
  multiline?: boolean | undefined;
}

/** Options of `schemas.html`: the sanitizer's options plus `max`. */
export interface HtmlOptions extends SanitizeOptions {
  /** Maximum length of the INPUT in UTF-16 code units (checked before sanitizing). @default 100_000 */
  max?: number | undefined;
}

/** One sort key returned by `schemas.sort`. */
export interface SortKey<F extends string> {
  field: F;
  direction: 'asc' | 'desc';
}

/** Checks a count option (an integer >= 1) with the kernel's check and applies its default. */
function count(option: string, value: number | undefined, fallback: number): number {
  checkInt(option, value, 1);
  return value ?? fallback;
}

const ID_PATTERNS: Record<IdKind, RegExp> = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i,
  cuid: /^c[a-z0-9]{20,32}$/,
  cuid2: /^[a-z][a-z0-9]{1,31}$/,
  ulid: /^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$/,
  numeric: /^[1-9][0-9]{0,18}$/,
};

function id(options: IdOptions = {}) {
  checkOptions('schemas.id', options, ['kind']);
  const kinds = options.kind === undefined ? ['uuid' as const] : typeof options.kind === 'string' ? [options.kind] : [...options.kind];
  if (kinds.length === 0) throw new ConfigurationError('kind', 'must name at least one id kind', { received: options.kind });
  for (const kind of kinds) {
    if (!Object.prototype.hasOwnProperty.call(ID_PATTERNS, kind)) throw new ConfigurationError('kind', `must be one of ${Object.keys(ID_PATTERNS).join(', ')}`, { received: kind });
  }
  const patterns = kinds.map((kind) => ID_PATTERNS[kind]);
  return z
    .string()
    .max(64)
    .refine((value) => patterns.some((pattern) => pattern.test(value)), { message: `Invalid id: expected ${kinds.join(' or ')}`, abort: true });
}

function email(options: EmailOptions = {}) {
  checkOptions('schemas.email', options, ['max']);
  const max = count('max', options.max, 254);
  return z.string().trim().max(max).pipe(z.email()).transform((value) => {
    const at = value.lastIndexOf('@');
    return `${value.slice(0, at)}@${value.slice(at + 1).toLowerCase()}`;
  });
}

/**
 * Suffixes of names that are never public DNS: RFC 6761/6762/8375 special-use and reserved
 * names (`localhost`, `local` (mDNS, Kubernetes `svc.cluster.local`), `home.arpa`), ICANN's
 * private-use `internal` (`metadata.google.internal`, `*.ec2.internal`), Google's metadata
 * `metadata.goog`, and names in common private use that are not delegated in the public root
 * (`localdomain`, `lan`, `intranet`, `corp`, `home`, `private`).
 */
const INTERNAL_SUFFIXES = ['localhost', 'local', 'internal', 'home.arpa', 'metadata.goog', 'localdomain', 'lan', 'intranet', 'corp', 'home', 'private'];

/**
 * Whether a host NAME (not an IP literal) can only mean something inside the server's own
 * network: a single label (`metadata`, `localhost`, `kubernetes`, `instance-data`: resolved
 * through the search domains or `/etc/hosts`, never public DNS) or one of
 * {@link INTERNAL_SUFFIXES}. One trailing dot (`metadata.`) is ignored. Plain string checks:
 * linear in the name's length.
 */
function isInternalName(hostname: string): boolean {
  const name = (hostname.endsWith('.') ? hostname.slice(0, -1) : hostname).toLowerCase();
  if (!name.includes('.')) return true;
  for (const suffix of INTERNAL_SUFFIXES) {
    if (name === suffix || name.endsWith(`.${suffix}`)) return true;
  }
  return false;
}

function isPrivateHost(hostname: string): boolean {
  const ip = parseIp(hostname);
  if (ip === undefined) return isInternalName(hostname);
  return ipRange(ip) !== 'unicast';
}

function hostAllowed(host: string, allowed: readonly string[]): boolean {
  for (const pattern of allowed) {
    if (pattern.startsWith('*.')) {
      if (host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1) return true;
    } else if (host === pattern) return true;
  }
  return false;
}

function httpUrl(options: HttpUrlOptions = {}) {
  checkOptions('schemas.httpUrl', options, ['allowedHosts', 'max', 'allowPrivate']);
  checkBoolean('allowPrivate', options.allowPrivate);
  const allowPrivate = options.allowPrivate ?? true;
  const max = count('max', options.max, 2048);
  const allowed = options.allowedHosts?.map((host) => {
    if (typeof host !== 'string' || !/^(\*\.)?[a-z0-9.-]+$|^\[[0-9a-f:.]+\]$/i.test(host)) {
      throw new ConfigurationError('allowedHosts', 'must contain host names such as "example.com" or "*.example.com"', { received: host });
    }
    return host.toLowerCase();
  });
  return z
    .string()
    .trim()
    .max(max)
    .transform((value, ctx) => {
      // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
      if (/[\0-\x1F\x7F]/.test(value)) {
        ctx.addIssue({ code: 'invalid_format', format: 'url', message: 'URL must not contain control characters', input: value });
        return z.NEVER;
      }
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: 'invalid_format', format: 'url', message: 'Invalid URL', input: value });
        return z.NEVER;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        ctx.addIssue({ code: 'invalid_format', format: 'url', message: 'URL must use http or https', input: value });
        return z.NEVER;
      }
      if (url.username !== '' || url.password !== '') {
        ctx.addIssue({ code: 'invalid_format', format: 'url', message: 'URL must not contain credentials', input: value });
        return z.NEVER;
      }
      if (url.hostname === '') {
        ctx.addIssue({ code: 'invalid_format', format: 'url', message: 'URL must have a host', input: value });
        return z.NEVER;
      }
      if (allowed !== undefined && !hostAllowed(url.hostname, allowed)) {
        ctx.addIssue({ code: 'invalid_format', format: 'url', message: 'URL host is not allowed', input: value });
        return z.NEVER;
      }
      if (!allowPrivate && isPrivateHost(url.hostname)) {
        ctx.addIssue({ code: 'invalid_format', format: 'url', message: 'URL host is a private, loopback or link-local address', input: value });
        return z.NEVER;
      }
      return url.href;
    });
}

function pagination(options: PaginationOptions = {}) {
  checkOptions('schemas.pagination', options, ['maxLimit', 'defaultLimit', 'maxCursorLength']);
  const maxLimit = count('maxLimit', options.maxLimit, 100);
  const defaultLimit = count('defaultLimit', options.defaultLimit, Math.min(20, maxLimit));
  if (defaultLimit > maxLimit) throw new ConfigurationError('defaultLimit', `must be <= maxLimit (${maxLimit})`, { received: defaultLimit });
  const maxCursorLength = count('maxCursorLength', options.maxCursorLength, 512);
  return z.object({
    limit: z
      .union([z.number(), z.string().regex(/^\d{1,9}$/, 'Expected a positive integer').transform(Number)])
      .pipe(z.number().int().min(1).max(maxLimit))
      .default(defaultLimit),
    cursor: z
      .string()
      .max(maxCursorLength)
      .regex(/^[A-Za-z0-9_\-.~=+/:]*$/, 'Invalid cursor')
      .optional(),
  });
}

function sort<const F extends string>(fields: readonly F[], options: { maxKeys?: number } = {}) {
  checkOptions('schemas.sort', options, ['maxKeys']);
  if (!Array.isArray(fields) || fields.length === 0) throw new ConfigurationError('fields', 'must be a non-empty array of field names', { received: fields });
  const maxKeys = count('maxKeys', options.maxKeys, fields.length);
  const known = new Set<string>(fields);
  return z
    .string()
    .max(1024)
    .transform((value, ctx): SortKey<F>[] => {
      const keys: SortKey<F>[] = [];
      const seen = new Set<string>();
      const parts = value.split(',');
      if (parts.length > maxKeys) {
        ctx.addIssue({ code: 'too_big', origin: 'array', maximum: maxKeys, inclusive: true, message: `At most ${maxKeys} sort keys`, input: value });
        return z.NEVER;
      }
      for (const raw of parts) {
        const part = raw.trim();
        let field = part;
        let direction: 'asc' | 'desc' = 'asc';
        if (part.startsWith('-')) {
          field = part.slice(1);
          direction = 'desc';
        } else if (part.startsWith('+')) field = part.slice(1);
        const colon = field.indexOf(':');
        if (colon !== -1) {
          const dir = field.slice(colon + 1).toLowerCase();
          field = field.slice(0, colon);
          if (dir !== 'asc' && dir !== 'desc') {
            ctx.addIssue({ code: 'invalid_value', values: ['asc', 'desc'], message: 'Sort direction must be asc or desc', input: value });
            return z.NEVER;
          }
          direction = dir;
        }
        if (!known.has(field)) {
          ctx.addIssue({ code: 'invalid_value', values: fields.map(String), message: `Cannot sort by "${field.slice(0, 64)}"; expected one of ${fields.join(', ')}`, input: value });
          return z.NEVER;
        }
        if (seen.has(field)) {
          ctx.addIssue({ code: 'custom', message: `Duplicate sort field "${field}"`, input: value });
          return z.NEVER;
        }
        seen.add(field);
        keys.push({ field: field as F, direction });
      }
      return keys;
    });
}

/** C0/C1 controls and DEL; Unicode bidi embeddings, overrides and isolates. */
/* eslint-disable no-control-regex -- these patterns exist to find control characters */
const FORBIDDEN_ANY = /[\0-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069\uFEFF]/;
const FORBIDDEN_SINGLE_LINE = /[\0-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069\uFEFF\u2028\u2029]/;
/* eslint-enable no-control-regex */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function codePointLength(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff || i + 1 >= value.length) n++;
    else {
      const d = value.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
      n++;
    }
  }
  return n;
}

function safeString(options: SafeStringOptions = {}) {
  checkOptions('schemas.safeString', options, ['max', 'min', 'multiline']);
  const max = count('max', options.max, 1000);
  checkInt('min', options.min, 0);
  checkBoolean('multiline', options.multiline);
  const min = options.min ?? 0;
  if (min > max) throw new ConfigurationError('min', `must be <= max (${max})`, { received: min });
  const forbidden = options.multiline === true ? FORBIDDEN_ANY : FORBIDDEN_SINGLE_LINE;
  // Normalization can grow a string a little; bound the work before normalizing.
  return z
    .string()
    .max(max * 4 + 64, `Too long: expected at most ${max} characters`)
    .transform((value, ctx) => {
      if (LONE_SURROGATE.test(value)) {
        ctx.addIssue({ code: 'invalid_format', format: 'unicode', message: 'String contains invalid Unicode (lone surrogate)', input: value });
        return z.NEVER;
      }
      const normalized = value.normalize('NFC').trim();
      if (forbidden.test(normalized)) {
        ctx.addIssue({ code: 'invalid_format', format: 'safe_string', message: 'String contains control or bidirectional override characters', input: value });
        return z.NEVER;
      }
      const length = codePointLength(normalized);
      if (length > max) {
        ctx.addIssue({ code: 'too_big', origin: 'string', maximum: max, inclusive: true, message: `Too long: expected at most ${max} characters`, input: value });
        return z.NEVER;
      }
      if (length < min) {
        ctx.addIssue({ code: 'too_small', origin: 'string', minimum: min, inclusive: true, message: `Too short: expected at least ${min} characters`, input: value });
        return z.NEVER;
      }
      return normalized;
    });
}

function html(options: HtmlOptions = {}) {
  checkObject('options', options);
  const { max: rawMax, ...sanitizeOptions } = options;
  const max = count('max', rawMax, 100_000);
  const sanitize = createSanitizer(sanitizeOptions);
  return z.string().max(max).transform((value) => sanitize(value));
}

/**
 * Ready-made zod schemas for what every API accepts. Each is a function so options are checked
 * once, at construction time (`ConfigurationError`).
 *
 * - `id({ kind })`: `'uuid'` (default), `'cuid'`, `'cuid2'`, `'ulid'`, `'numeric'` (a positive integer as a
 *   string, at most 19 digits) or an array of kinds. Output: the string.
 * - `email({ max })`: trimmed, at most `max` (254) characters, zod's email format; domain lowercased.
 * - `httpUrl({ allowedHosts, max })`: an absolute `http:`/`https:` URL without credentials or control characters, host
 *   optionally in `allowedHosts` (`'*.example.com'` for subdomains). Output: the normalized `href`.
 * - `pagination({ maxLimit, defaultLimit, maxCursorLength })`: `{ limit, cursor? }`; `limit` accepts
 *   numbers or digit strings (query strings), 1..`maxLimit` (100), default 20.
 * - `sort(fields, { maxKeys })`: `'name'`, `'-createdAt'`, `'name:desc,id'` → `[{ field, direction }]`,
 *   fields typed from `fields`, no duplicates.
 * - `safeString({ max, min, multiline })`: Unicode NFC, trimmed, rejects lone surrogates, C0/C1
 *   controls (except `\n` `\t` when `multiline`), and bidi embeddings/overrides/isolates (U+202A–202E,
 *   U+2066–2069, "Trojan Source"); length in code points.
 * - `html({ max, ...sanitizeOptions })`: a string of at most `max` (100,000) code units, sanitized on parse.
 *
 * @example
 * ```ts
 * const Query = z.object({ ...schemas.pagination({ maxLimit: 50 }).shape, sort: schemas.sort(['createdAt', 'name']).optional() });
 * const Body = z.object({ title: schemas.safeString({ max: 120 }), body: schemas.html({ max: 20_000 }), homepage: schemas.httpUrl().optional() });
 * ```
 */
export const schemas = { id, email, httpUrl, pagination, sort, safeString, html } as const;

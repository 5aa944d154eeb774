/**
 * Signed double-submit CSRF tokens bound to a session, with expiry, secret rotation,
 * `Sec-Fetch-Site`/`Origin` checks and optional one-time tokens.
 *
 * @module
 */
import { checkBoolean, checkClock, checkInt, checkObject, checkOneOf, checkOptions, checkRequired } from '@armor/core';
import { ConfigurationError } from '@armor/errors';
import { compareDoubleSubmit, timingSafeEqual, timingSafeEqualWhole } from './encoding.js';
import { CsrfError } from './errors.js';
import { base64url, hmacSha256Key, nativeHmacSha256Base64url, type HmacSha256Key } from '@armor/core/hmac';
import type { UsedTokenStore } from './used-tokens.js';

/** A secret: a string (UTF-8) or bytes; at least 32 bytes. */
export type CsrfSecret = string | Uint8Array;

/** Cookie attributes of the CSRF cookie. */
export interface CsrfCookieOptions {
  /**
   * Cookie name. The `__Host-` prefix makes browsers refuse the cookie unless it is
   * `Secure`, has `Path=/` and no `Domain`, so a sibling subdomain cannot plant one.
   * @default '__Host-armor-csrf'
   */
  name?: string | undefined;
  /** @default '/' */
  path?: string | undefined;
  /** Not allowed with a `__Host-` name. @default undefined */
  domain?: string | undefined;
  /** Required with a `__Host-` name. @default true */
  secure?: boolean | undefined;
  /** The token reaches the page through your HTML/JSON, not `document.cookie`. @default true */
  httpOnly?: boolean | undefined;
  /** @default 'strict' */
  sameSite?: 'strict' | 'lax' | 'none' | undefined;
}

/** Options of {@link createCsrf}. */
export interface CsrfOptions {
  /** The signing secret (>= 32 bytes). Give `secret` or `secrets`. */
  secret?: CsrfSecret | undefined;
  /**
   * Secrets for rotation: the first signs new tokens, all of them verify. To rotate, put
   * the new secret first and drop the old one after `ttlMs`; tokens signed by a dropped
   * secret fail with `CSRF_TOKEN_INVALID`.
   */
  secrets?: readonly CsrfSecret[] | undefined;
  /** Token lifetime in milliseconds. @default 43200000 (12 hours) */
  ttlMs?: number | undefined;
  /** Cookie attributes. */
  cookie?: CsrfCookieOptions | undefined;
  /** Request header carrying the submitted token. @default 'x-csrf-token' */
  headerName?: string | undefined;
  /** Form/JSON body field carrying the submitted token (used by the Express adapter). @default '_csrf' */
  fieldName?: string | undefined;
  /**
   * This application's origin(s), e.g. `'https://app.example.com'`. When unset, the origin
   * of the request URL is used (set it behind TLS-terminating proxies).
   */
  origin?: string | readonly string[] | undefined;
  /** Other origins allowed to send state-changing requests (exact `scheme://host[:port]`). @default [] */
  trustedOrigins?: readonly string[] | undefined;
  /** Check `Sec-Fetch-Site`, `Origin` and (as fallback) `Referer` before the token. @default true */
  checkOrigin?: boolean | undefined;
  /** Methods that are never checked. @default ['GET', 'HEAD', 'OPTIONS', 'TRACE'] */
  safeMethods?: readonly string[] | undefined;
  /**
   * One-time tokens: each token is accepted once; a second use is rejected as replayed
   * (`CSRF_TOKEN_INVALID`, `details.reason: 'replayed'`). Off by default: a signed
   * double-submit token is meant to be reused for the session until it expires.
   */
  oneTime?: { store: UsedTokenStore } | undefined;
  /**
   * HMAC implementation: `'portable'` (the runtime's native HMAC-SHA256 from `@armor/core/hmac`:
   * synchronous `node:crypto` under the `node` export condition (Node, Deno, Bun), Web Crypto
   * elsewhere — browsers, edge runtimes, Convex — with each key imported once) or `'webcrypto'`
   * (`crypto.subtle` in every runtime, keys imported once and cached). Both produce identical
   * tokens; neither bundles a JavaScript hash.
   * @default 'portable'
   */
  engine?: 'portable' | 'webcrypto' | undefined;
  /** Time source. @default Date */
  clock?: { now(): number } | undefined;
}

/** Headers as a Web `Headers` or a Node-style record (lowercase names). */
export type HeaderBag = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** The parts of a request CSRF checks need. A Web `Request` also works. */
export interface CsrfRequestLike {
  /** HTTP method. */
  method: string;
  /** Absolute request URL, used for the expected origin when `origin` is not set. */
  url?: string | undefined;
  /** Request headers (cookie, the token header, Origin, Sec-Fetch-Site, Referer). */
  headers: HeaderBag;
  /** The token submitted in the body (e.g. a form field); wins over the header. */
  token?: string | undefined;
}

/** A freshly issued token. */
export interface IssuedCsrfToken {
  /** Put this in the page (hidden field, meta tag) and send it back in the header/field. */
  token: string;
  /** When it expires (epoch milliseconds). */
  expiresAt: number;
  /** The cookie name. */
  cookieName: string;
  /** A complete `Set-Cookie` header value carrying the token. */
  setCookie: string;
}

/** What {@link createCsrf} returns. */
export interface Csrf {
  /** Issues a token bound to `sessionId` (and its `Set-Cookie` value). */
  issueToken(sessionId: string): Promise<IssuedCsrfToken>;
  /**
   * Checks a request: safe methods pass; otherwise origin checks, then the double-submit
   * token (cookie equals submitted token, valid signature, this session, not expired, not
   * replayed). Resolves when the request may proceed, rejects with {@link CsrfError}.
   */
  verify(request: Request | CsrfRequestLike, sessionId: string): Promise<void>;
  /** Only the origin checks; throws `CSRF_ORIGIN_REJECTED`. */
  checkOrigin(request: Request | CsrfRequestLike): void;
  /** Whether `method` is exempt. */
  isSafeMethod(method: string): boolean;
  /** Resolved settings (no secrets). */
  readonly cookieName: string;
  readonly headerName: string;
  readonly fieldName: string;
}

const VERSION = 'v1';
const encoder = new TextEncoder();

function header(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, string | readonly string[] | undefined>)[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(', ');
}

/**
 * Reads one cookie from a `Cookie` header without parsing the rest: walks the `;`-separated
 * pairs (a single-character search each) and compares the name only where a pair starts, so a
 * name inside another cookie's value never matches. Linear in the header. The value is trimmed
 * and one pair of surrounding double quotes removed.
 */
export function readCookie(cookieHeader: string | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  const length = cookieHeader.length;
  const n = name.length;
  let start = 0;
  while (start < length) {
    while (cookieHeader.charCodeAt(start) === 32) start++;
    const semicolon = cookieHeader.indexOf(';', start);
    const end = semicolon === -1 ? length : semicolon;
    // '=' right after the name, then the name itself (compared at the pair's start only)
    if (start + n < end && cookieHeader.charCodeAt(start + n) === 61 && cookieHeader.startsWith(name, start)) {
      const raw = cookieHeader.slice(start + n + 1, end).trim();
      return raw.length >= 2 && raw.charCodeAt(0) === 34 && raw.charCodeAt(raw.length - 1) === 34 ? raw.slice(1, -1) : raw;
    }
    if (semicolon === -1) return undefined;
    start = semicolon + 1;
  }
  return undefined;
}

function toBytes(option: string, secret: unknown): Uint8Array<ArrayBuffer> {
  const bytes = typeof secret === 'string' ? encoder.encode(secret) : secret instanceof Uint8Array ? secret : undefined;
  if (!bytes) throw new ConfigurationError(option, 'must be a string or a Uint8Array', { received: secret });
  if (bytes.length < 32) throw new ConfigurationError(option, 'must be at least 32 bytes (256 bits) of secret material', { received: `${bytes.length} bytes` });
  return new Uint8Array(bytes); // a private copy: later changes by the caller don't leak in
}

function normalizeOrigin(option: string, value: unknown): string {
  if (typeof value !== 'string') throw new ConfigurationError(option, 'must be an origin string like "https://app.example.com"', { received: value });
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError(option, 'must be an origin like "https://app.example.com"', { received: value });
  }
  if (url.origin === 'null' || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new ConfigurationError(option, 'must be an origin (scheme://host[:port]) without a path', { received: value });
  }
  return url.origin;
}

/** The base-36 number in `text.slice(from, to)` (digits and lowercase letters), else `NaN`. */
function base36(text: string, from: number, to: number): number {
  if (to <= from || to - from > 10) return NaN;
  let value = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 122 ? c - 87 : -1;
    if (digit === -1) return NaN;
    value = value * 36 + digit;
  }
  return value;
}

/** Every option name of {@link createCsrf}. */
export const CSRF_OPTIONS = ['secret', 'secrets', 'ttlMs', 'cookie', 'headerName', 'fieldName', 'origin', 'trustedOrigins', 'checkOrigin', 'safeMethods', 'oneTime', 'engine', 'clock'] as const;

interface Signer {
  /** The unpadded base64url HMAC-SHA256 of `message` under secret `index`. */
  sign(index: number, message: string): string | Promise<string>;
  readonly count: number;
}

function portableSigner(secrets: Uint8Array[]): Signer {
  const keys: HmacSha256Key[] = secrets.map((secret) => hmacSha256Key(secret));
  return { count: keys.length, sign: (index, message) => nativeHmacSha256Base64url(keys[index]!, message) };
}

function webCryptoSigner(secrets: Uint8Array<ArrayBuffer>[]): Signer {
  const keys: (Promise<CryptoKey> | undefined)[] = secrets.map(() => undefined);
  const key = (index: number) =>
    (keys[index] ??= crypto.subtle.importKey('raw', secrets[index]!, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']));
  return {
    count: secrets.length,
    sign: async (index, message) => base64url(new Uint8Array(await crypto.subtle.sign('HMAC', await key(index), encoder.encode(message)))),
  };
}

/**
 * Creates a CSRF protector (signed double-submit cookie, OWASP). Options are validated
 * here; bad ones throw `ConfigurationError`.
 *
 * Token: `v1.<expiry>.<nonce>.<session tag>.<mac>` where the session tag is a truncated
 * HMAC of the session id and the MAC (HMAC-SHA256) covers everything before it. The same
 * value goes in the cookie and in the page; a request must send both.
 *
 * **Replays.** A stateless double-submit token is reusable within its lifetime for its
 * session (that is what lets several tabs and retries work). What counts as a replay, and
 * is rejected: a token from a previous session after the session id rotated (login,
 * logout) → `CSRF_SESSION_MISMATCH`; a token signed by a secret that has been rotated out →
 * `CSRF_TOKEN_INVALID`; a token past `ttlMs` → `CSRF_TOKEN_EXPIRED`; and, with
 * `oneTime: { store }`, any second use of a token → `CSRF_TOKEN_INVALID` (`reason: 'replayed'`).
 *
 * @example
 * ```ts
 * const csrf = createCsrf({ secrets: [process.env.CSRF_SECRET!], trustedOrigins: ['https://admin.example.com'] });
 * const { token, setCookie } = await csrf.issueToken(session.id); // render token, send setCookie
 * await csrf.verify(request, session.id); // throws CsrfError (403) when the check fails
 * ```
 */
export function createCsrf(options: CsrfOptions): Csrf {
  checkRequired('options', options, 'an object with a secret');
  checkOptions('createCsrf', options, CSRF_OPTIONS);
  checkObject('cookie', options.cookie);
  checkOptions('createCsrf cookie', options.cookie, ['name', 'path', 'domain', 'secure', 'httpOnly', 'sameSite']);
  checkBoolean('checkOrigin', options.checkOrigin);
  checkClock(options.clock, 'clock');
  const rawSecrets: readonly unknown[] | undefined =
    options.secrets !== undefined ? options.secrets : options.secret !== undefined ? [options.secret] : undefined;
  if (options.secrets !== undefined && options.secret !== undefined) throw new ConfigurationError('secret', 'give either "secret" or "secrets", not both');
  if (rawSecrets === undefined) throw new ConfigurationError('secret', 'is required (or "secrets" for rotation)');
  if (!Array.isArray(rawSecrets) || rawSecrets.length === 0) throw new ConfigurationError('secrets', 'must be a non-empty array', { received: rawSecrets });
  const secrets = rawSecrets.map((s, i) => toBytes(options.secrets ? `secrets[${i}]` : 'secret', s));

  checkInt('ttlMs', options.ttlMs, 1000);
  const ttlMs = options.ttlMs ?? 43_200_000;
  const cookie = options.cookie ?? {};
  const cookieName = cookie.name ?? '__Host-armor-csrf';
  if (typeof cookieName !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(cookieName)) {
    throw new ConfigurationError('cookie.name', 'must be a valid cookie name', { received: cookieName });
  }
  const secure = cookie.secure ?? true;
  const path = cookie.path ?? '/';
  const sameSite = cookie.sameSite ?? 'strict';
  if (!['strict', 'lax', 'none'].includes(sameSite)) throw new ConfigurationError('cookie.sameSite', 'must be "strict", "lax" or "none"', { received: sameSite });
  if (cookieName.startsWith('__Host-')) {
    if (!secure) throw new ConfigurationError('cookie.secure', 'must be true with a "__Host-" cookie name', { received: secure });
    if (path !== '/') throw new ConfigurationError('cookie.path', 'must be "/" with a "__Host-" cookie name', { received: path });
    if (cookie.domain !== undefined) throw new ConfigurationError('cookie.domain', 'is not allowed with a "__Host-" cookie name', { received: cookie.domain });
  }
  if (sameSite === 'none' && !secure) throw new ConfigurationError('cookie.secure', 'must be true with sameSite "none"', { received: secure });
  if (cookieName.startsWith('__Secure-') && !secure) throw new ConfigurationError('cookie.secure', 'must be true with a "__Secure-" cookie name', { received: secure });
  const cookieSuffix = `; Path=${path}${cookie.domain ? `; Domain=${cookie.domain}` : ''}${secure ? '; Secure' : ''}${cookie.httpOnly === false ? '' : '; HttpOnly'}; SameSite=${sameSite[0]!.toUpperCase()}${sameSite.slice(1)}`;

  const headerName = (options.headerName ?? 'x-csrf-token').toLowerCase();
  if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(headerName)) throw new ConfigurationError('headerName', 'must be a valid header name', { received: options.headerName });
  const fieldName = options.fieldName ?? '_csrf';
  if (typeof fieldName !== 'string' || fieldName === '') throw new ConfigurationError('fieldName', 'must be a non-empty string', { received: fieldName });

  const origins = options.origin === undefined ? undefined : new Set((typeof options.origin === 'string' ? [options.origin] : options.origin).map((o, i) => normalizeOrigin(typeof options.origin === 'string' ? 'origin' : `origin[${i}]`, o)));
  const trusted = new Set((options.trustedOrigins ?? []).map((o, i) => normalizeOrigin(`trustedOrigins[${i}]`, o)));
  const checkOrigins = options.checkOrigin ?? true;
  const safe = new Set((options.safeMethods ?? ['GET', 'HEAD', 'OPTIONS', 'TRACE']).map((m) => m.toUpperCase()));
  const store = options.oneTime?.store;
  if (options.oneTime !== undefined && (typeof store !== 'object' || store === null || typeof store.consume !== 'function')) {
    throw new ConfigurationError('oneTime.store', 'must have a consume(id, expiresAt) method', { received: store });
  }
  checkOneOf('engine', options.engine, ['portable', 'webcrypto'] as const);
  const engine = options.engine ?? 'portable';
  const signer = engine === 'portable' ? portableSigner(secrets) : webCryptoSigner(secrets);
  const clock = options.clock ?? Date;

  // Awaiting only when the engine is asynchronous keeps the portable path free of extra ticks.
  const sign = async (index: number, message: string): Promise<string> => {
    const signed = signer.sign(index, message);
    return typeof signed === 'string' ? signed : await signed;
  };
  // The first 12 bytes of the MAC: 16 base64url characters (12 is a multiple of 3).
  const sessionTagOf = (mac: string) => mac.slice(0, 16);
  const sessionMessage = (sessionId: string) => `csrf-session|${sessionId}`;
  // Session tags are a pure function of (secret, session id); remembering the most recent
  // ones saves one HMAC per check. Bounded, oldest evicted first.
  const tagCaches = secrets.map(() => new Map<string, string>());
  const sessionTag = async (index: number, sessionId: string): Promise<string> => {
    const cache = tagCaches[index]!;
    const hit = cache.get(sessionId);
    if (hit !== undefined) return hit;
    const tag = sessionTagOf(await sign(index, sessionMessage(sessionId)));
    if (cache.size >= 10_000) cache.delete(cache.keys().next().value!);
    cache.set(sessionId, tag);
    return tag;
  };

  // Verdicts per method name as sent (no case conversion on the hot path); bounded, since a
  // Web Request can carry any method token.
  const methodVerdicts = new Map<string, boolean>();
  const isSafeMethod = (method: string) => {
    let verdict = methodVerdicts.get(method);
    if (verdict === undefined) {
      verdict = safe.has(method) || safe.has(method.toUpperCase());
      if (methodVerdicts.size < 64) methodVerdicts.set(method, verdict);
    }
    return verdict;
  };

  const reject = (why: string): never => {
    throw new CsrfError('CSRF_ORIGIN_REJECTED', `Cross-site request rejected: ${why}`, { details: { reason: why } });
  };

  const checkOrigin = (request: Request | CsrfRequestLike): void => {
    const headers = request.headers;
    const site = header(headers, 'sec-fetch-site');
    if (site === 'same-origin' || site === 'none') return;
    const allowed = (origin: string) => {
      if (origin === 'null') return false;
      if (trusted.has(origin)) return true;
      if (origins) return origins.has(origin);
      try {
        return request.url !== undefined && new URL(request.url).origin === origin;
      } catch {
        return false;
      }
    };
    const origin = header(headers, 'origin');
    if (site !== undefined) {
      if (origin !== undefined && allowed(origin)) return;
      reject(`Sec-Fetch-Site is "${site.slice(0, 20)}" and the origin is not trusted`);
    }
    if (origin !== undefined) {
      if (!allowed(origin)) reject('the Origin header is not this site or a trusted origin');
      return;
    }
    const referer = header(headers, 'referer');
    if (referer !== undefined) {
      let refererOrigin = 'null';
      try {
        refererOrigin = new URL(referer).origin;
      } catch {
        // unparseable → rejected below
      }
      if (!allowed(refererOrigin)) reject('the Referer is not this site or a trusted origin');
    }
    // No browser metadata at all (old browser or non-browser client): the token decides.
  };

  const invalid = (reason: string, message = 'Invalid CSRF token') => new CsrfError('CSRF_TOKEN_INVALID', message, { details: { reason } });
  const mismatch = () => new CsrfError('CSRF_TOKEN_MISMATCH', 'CSRF token does not match the cookie');

  return {
    cookieName,
    headerName,
    fieldName,
    isSafeMethod,
    checkOrigin,
    async issueToken(sessionId) {
      if (typeof sessionId !== 'string' || sessionId === '') throw new CsrfError('CSRF_SESSION_MISMATCH', 'A CSRF token needs a session id');
      const expiresAt = clock.now() + ttlMs;
      const nonce = base64url(crypto.getRandomValues(new Uint8Array(16)));
      const body = `${VERSION}.${Math.ceil(expiresAt / 1000).toString(36)}.${nonce}.${await sessionTag(0, sessionId)}`;
      const token = `${body}.${await sign(0, body)}`;
      return {
        token,
        expiresAt: Math.ceil(expiresAt / 1000) * 1000,
        cookieName,
        setCookie: `${cookieName}=${token}; Max-Age=${Math.floor(ttlMs / 1000)}${cookieSuffix}`,
      };
    },
    async verify(request, sessionId) {
      if (isSafeMethod(request.method)) return;
      if (checkOrigins) checkOrigin(request);
      const cookieToken = readCookie(header(request.headers, 'cookie'), cookieName);
      const submitted = ('token' in request && typeof request.token === 'string' && request.token !== '' ? request.token : undefined) ?? header(request.headers, headerName);
      if (!cookieToken || !submitted) {
        throw new CsrfError('CSRF_TOKEN_MISSING', cookieToken ? 'CSRF token missing from the request' : 'CSRF cookie missing', {
          details: { missing: cookieToken ? 'token' : 'cookie' },
        });
      }
      // v1.<expiry>.<nonce>.<session tag>.<mac>
      const d1 = submitted.indexOf('.');
      const d2 = submitted.indexOf('.', d1 + 1);
      const d3 = d2 === -1 ? -1 : submitted.indexOf('.', d2 + 1);
      const d4 = d3 === -1 ? -1 : submitted.indexOf('.', d3 + 1);
      const wellFormed = d1 === 2 && d4 !== -1 && submitted.startsWith(VERSION) && submitted.indexOf('.', d4 + 1) === -1 && submitted.length <= 200;
      const noSession = typeof sessionId !== 'string' || sessionId === '';
      if (noSession || !wellFormed) {
        // Checked in this order: the cookie, the session, the token's shape.
        if (!timingSafeEqualWhole(cookieToken, submitted)) throw mismatch();
        if (noSession) throw new CsrfError('CSRF_SESSION_MISMATCH', 'No session to check the CSRF token against');
        throw invalid('malformed');
      }
      const body = submitted.slice(0, d4);
      // The cookie, the MAC under the signing secret and (when remembered) the session tag,
      // compared in one pass; anything else takes the checks one by one, in order.
      const first = signer.sign(0, body);
      const mac = typeof first === 'string' ? first : await first;
      const knownTag = tagCaches[0]!.get(sessionId);
      const diff = compareDoubleSubmit(cookieToken, submitted, mac, d4 + 1, knownTag, d3 + 1);
      if (diff & 1) throw mismatch();
      if (diff !== 0 || knownTag === undefined) {
        let index = timingSafeEqual(mac, submitted, d4 + 1) ? 0 : -1;
        for (let i = 1; index === -1 && i < signer.count; i++) {
          const signed = signer.sign(i, body);
          if (timingSafeEqual(typeof signed === 'string' ? signed : await signed, submitted, d4 + 1)) index = i;
        }
        if (index === -1) throw invalid('signature');
        const tag = tagCaches[index]!.get(sessionId) ?? (await sessionTag(index, sessionId));
        if (!timingSafeEqual(tag, submitted, d3 + 1, d4)) {
          throw new CsrfError('CSRF_SESSION_MISMATCH', 'CSRF token was issued for another session');
        }
      }
      const expiresAt = base36(submitted, d1 + 1, d2) * 1000;
      if (!(expiresAt > clock.now())) throw new CsrfError('CSRF_TOKEN_EXPIRED', 'CSRF token expired', { details: { expiredAt: new Date(expiresAt).toISOString() } });
      if (store && !(await store.consume(submitted.slice(d2 + 1, d3), expiresAt))) throw invalid('replayed', 'CSRF token was already used');
    },
  };
}

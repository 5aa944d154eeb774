/**
 * Redaction of secrets and PII from values before they are logged.
 *
 * @module
 */
import { checkBoolean, checkInt, checkOptions, checkString } from '@armor/core';
import { ConfigurationError } from '@armor/errors';

/** Options of {@link redact} and {@link createRedactor}. */
export interface RedactOptions {
  /**
   * Dot paths whose values are replaced whatever they contain, e.g. `'user.address'`,
   * `'items.*.note'` (`*` matches one key or array index).
   * @default []
   */
  paths?: readonly string[] | undefined;
  /** Extra patterns replaced inside every string (use the `g` flag; added if missing). @default [] */
  patterns?: readonly RegExp[] | undefined;
  /** Extra key names whose values are replaced (matched case-insensitively, ignoring `-`/`_`). @default [] */
  keys?: readonly string[] | undefined;
  /**
   * Apply the built-in rules: sensitive keys (passwords, secrets, tokens, API keys,
   * authorization, cookies, card numbers, …) and string patterns (auth-scheme credentials
   * (`Bearer`, `Basic`/`basic`, `Digest`, `Token`, `ApiKey`), JWTs, Armor API keys,
   * GitHub/Stripe (also `whsec_`)/AWS/Slack/Google (also `ya29.`)/npm/OpenAI keys, PEM and PGP
   * private keys (also without their END line), `key=value` pairs whose key name has a secret
   * word, split at `_`, `-` and camelCase (`DB_PASSWORD=`, `AWS_SECRET_ACCESS_KEY=`, JSON
   * `"accessToken":"…"`), `Cookie:`, `Set-Cookie:` and `X-Forwarded-For:` header lines, phone
   * numbers, secret URL query parameters, passwords in URL userinfo, e-mail addresses (masked),
   * Luhn-valid card numbers starting with 2–6, with spaces, dashes or dots, or logged as
   * numbers). Every rule runs in linear time on any input.
   * @default true
   */
  defaults?: boolean | undefined;
  /** What replaces a redacted value. @default '[REDACTED]' */
  replacement?: string | undefined;
  /** Nesting depth after which values become `'[Truncated]'`. @default 20 */
  maxDepth?: number | undefined;
}

/** Key names (normalized: lowercase, no `-`/`_`/space) whose values are always redacted. */
const SENSITIVE_EXACT = new Set([
  'authorization', 'proxyauthorization', 'cookie', 'setcookie', 'xapikey', 'apikey', 'xcsrftoken', 'csrf', 'xauthtoken',
  'passwd', 'pwd', 'pass', 'ssn', 'cvv', 'cvc', 'pin', 'creditcard', 'cardnumber', 'ccnumber', 'pan', 'iban', 'privatekey',
  'clientsecret', 'sessionid', 'sid', 'otp', 'mfacode',
  // client addresses are personal data (GDPR): the proxy headers that carry them
  'xforwardedfor', 'forwarded', 'xrealip', 'xclientip', 'cfconnectingip', 'trueclientip', 'fastlyclientip', 'xclusterclientip',
]);
const SENSITIVE_PARTS = ['password', 'secret', 'token', 'apikey', 'passphrase', 'credential', 'privatekey'];

const normalizeKey = (key: string) => key.toLowerCase().replace(/[-_\s]/g, '');

function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** A pattern with its replacement (applied with `String.replace`), or a whole-string scanner. */
type Rule = readonly [RegExp, string | ((match: string, ...groups: string[]) => string)] | ((text: string) => string);

/** Card check shared by the string rules and numeric values: 13–19 digits, 2–6 first, Luhn. */
function maskCard(digits: string): string | undefined {
  return digits.length >= 13 && digits.length <= 19 && digits.charCodeAt(0) >= 50 && digits.charCodeAt(0) <= 54 && luhn(digits) ? `[CARD ****${digits.slice(-4)}]` : undefined;
}

/**
 * Words of a key name that make its value secret. A name is split into words at `_`, `-` and
 * camelCase boundaries (`accessToken` → access, token; `SecretAccessKey` → secret, access, key;
 * `APIKey` → api, key); a word must match whole (`tokens`, `tokenizer`, `secretary` are not secret).
 */
const SECRET_WORDS = new Set(['password', 'passwd', 'pwd', 'secret', 'token', 'credential', 'credentials', 'passphrase', 'apikey', 'accesskey', 'privatekey', 'clientsecret']);
/** Two consecutive words that together make a value secret (`api_key`, `x-api-key`, `privateKey`). */
const SECRET_PAIRS = new Set(['api key', 'access key', 'private key', 'client secret']);

/** Every secret word and pair contains one of these: a cheap first test for ordinary names. */
const SECRET_HINT = /pass|pwd|secret|token|credential|key/i;

function secretName(name: string): boolean {
  if (!SECRET_HINT.test(name)) return false;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[ _-]/);
  for (let i = 0; i < words.length; i++) {
    if (SECRET_WORDS.has(words[i]!)) return true;
    if (i + 1 < words.length && SECRET_PAIRS.has(`${words[i]} ${words[i + 1]}`)) return true;
  }
  return false;
}

/**
 * A key name (letters, digits, `_`, `-`; starting a word), an optional closing quote (JSON) and
 * `=` or `:`. From each start the name is one greedy run that ends where the next name could
 * start, so the scan is linear (a run of `token-token-…` is read once, not once per word).
 */
const KEY_AND_SEPARATOR = /(?<![0-9A-Za-z_-])([0-9A-Za-z_-]+)(["']?)(\s*[=:]\s*)/g;
/** The value after a secret key: a JSON string (escapes allowed), a single-quoted string or a bare token. */
const SECRET_VALUE = /"(?:[^"\\\r\n]|\\.)*"|'[^'\r\n]*'|[^\s&;,"'{}[\]]+/y;

/**
 * `key=value`, `key: value`, `"key":"value"` (JSON), `DB_PASSWORD=…`, `AWS_SECRET_ACCESS_KEY=…`,
 * `x-api-key: …`, `"accessToken":"…"`: the value of every key that {@link secretName} calls
 * secret is replaced. A JSON string value keeps its quotes, so the output stays JSON. One pass
 * with `lastIndex` moving forward only: linear time.
 */
function redactKeyValues(text: string, replacement: string): string {
  if (!text.includes('=') && !text.includes(':')) return text;
  const keys = KEY_AND_SEPARATOR;
  const value = SECRET_VALUE;
  keys.lastIndex = 0;
  let out = '';
  let copied = 0;
  for (let m = keys.exec(text); m !== null; m = keys.exec(text)) {
    const [, name, quote] = m;
    if (!secretName(name!)) continue;
    value.lastIndex = keys.lastIndex;
    const v = value.exec(text);
    if (v === null) continue;
    out += text.slice(copied, keys.lastIndex) + (v[0].startsWith('"') && quote === '"' ? `"${replacement}"` : replacement);
    copied = value.lastIndex;
    keys.lastIndex = value.lastIndex;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Characters of an e-mail local part. */
const isLocalChar = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 /* . */ || c === 95 /* _ */ || c === 37 /* % */ || c === 43 /* + */ || c === 45; /* - */
/** An e-mail domain right after the `@` (labels <= 63, at most 10 labels, a letter TLD). */
const EMAIL_DOMAIN = /[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,63}\b/y;

/**
 * E-mail addresses become `j***@example.com`. Scanned from each `@` (a regex starting at every
 * character of a long run such as `1.1.1.…` would read up to 64 characters from each start:
 * linear in theory, seconds per megabyte in practice): the local part is the run of local-part
 * characters before the `@`, at most its last 64, and must start a word; the domain is matched
 * at the `@`. Work per `@` is bounded, so the whole scan is linear.
 */
function maskEmails(text: string): string {
  let at = text.indexOf('@');
  if (at === -1) return text;
  let out = '';
  let copied = 0;
  while (at !== -1) {
    let start = at;
    while (start > copied && at - start < 64 && isLocalChar(text.charCodeAt(start - 1))) start--;
    // The local part starts a word, as `\b` did: skip leading punctuation.
    while (start < at && !/[A-Za-z0-9_]/.test(text[start]!)) start++;
    EMAIL_DOMAIN.lastIndex = at + 1;
    const domain = start < at ? EMAIL_DOMAIN.exec(text) : null;
    if (domain !== null) {
      out += `${text.slice(copied, start + 1)}***@${domain[0]}`;
      copied = EMAIL_DOMAIN.lastIndex;
      at = text.indexOf('@', copied);
    } else {
      at = text.indexOf('@', at + 1);
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Credentials after a lowercase or less common auth scheme must look like one, not like prose. */
const hasDigit = (s: string) => /\d/.test(s);
const looksEncoded = (s: string) => hasDigit(s) || /[+/=]/.test(s) || (/[A-Z]/.test(s) && /[a-z]/.test(s));

/*
 * Linear time on hostile input (issue 24): `String.replace` tries every start position, so each
 * pattern keeps the work from one start bounded, or lets a run end where the next start begins
 * (`[A-Za-z0-9\-._~+/]{6,}` after a scheme and `\s+`; a PEM body that stops at `-----`).
 * No two adjacent quantifiers can trade characters. `eslint-plugin-regexp`'s super-linear rules
 * check these statically and `redact-hostile.test.ts` checks their growth.
 */
function builtInRules(replacement: string): Rule[] {
  return [
    // PEM and PGP private keys, also without their END line (a truncated log line): the body is
    // base64, whitespace, `\n` escapes and header lines (`Proc-Type: 4,ENCRYPTED`, `Version: …`).
    [/-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:[\sA-Za-z0-9+/=\\:,.]|-(?!----))*(?:-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----)?/g, replacement],
    // Authorization schemes. The usual spellings are always credentials; lowercase `basic`
    // and the `Token`/`ApiKey` schemes only when the credential does not look like a word
    // ("basic authentication", "Token expired" stay).
    [
      /\b(Bearer|bearer|BEARER|Basic|basic|BASIC|Digest|Token|token|TOKEN|ApiKey|Apikey|apikey|APIKEY)(\s+)([A-Za-z0-9\-._~+/]{6,}=*)/g,
      (match: string, scheme: string, space: string, credential: string) => {
        const always = scheme === 'Bearer' || scheme === 'bearer' || scheme === 'BEARER' || scheme === 'Basic' || scheme === 'BASIC' || scheme === 'Digest';
        const secret = always || (scheme === 'basic' ? looksEncoded(credential) : hasDigit(credential));
        return secret ? `${scheme}${space}${replacement}` : match;
      },
    ],
    // JWTs: only at the start of a base64url run, so `token-eyJtoken-eyJ…` is not re-read from every `eyJ`.
    [/(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, replacement],
    // Armor API keys (<prefix>_<random 24-64 base62>_<checksum 6 base62>): keep the prefix and the
    // public id (first 12 random characters). Anchored on the random part (which follows "x_")
    // rather than on a word boundary before the prefix, so keys glued to other text still match:
    // URL-encoded (`%22armor_live_…`, `%3Darmor_live_…`), after `MY_KEY_`, or in any case.
    [/(?<=[0-9A-Za-z]_)([0-9A-Za-z]{12})[0-9A-Za-z]{12,52}_[0-9A-Za-z]{6}(?![0-9A-Za-z_])/g, `$1…${replacement}`],
    [/\b(?:gh[pousr]|github_pat)_[A-Za-z0-9_]{20,}\b/g, replacement],
    [/\b[rsp]k_(?:live|test)_[0-9A-Za-z]{10,}\b/g, replacement],
    [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, replacement],
    // Stripe webhook secrets, Google OAuth access tokens, npm tokens
    [/(?<![0-9A-Za-z])(?:whsec_[A-Za-z0-9+/=]{20,}|ya29\.[0-9A-Za-z_-]{20,}|npm_[0-9A-Za-z]{36,})/g, replacement],
    // Slack, Google and OpenAI/Anthropic-style keys
    [/\bxox[abposr]-[0-9A-Za-z-]{10,}/g, replacement],
    [/\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g, replacement],
    [/\bsk-(?:proj-|svcacct-|admin-|ant-)?[0-9A-Za-z_-]{20,}/g, replacement],
    // HTTP header lines carrying credentials or client addresses: the whole value goes.
    [/(?<![0-9A-Za-z-])((?:set-)?cookie|x-forwarded-for|x-real-ip|forwarded|proxy-authorization)(\s*:[ \t]*)(?=\S)[^\r\n]+/gi, `$1$2${replacement}`],
    (text: string) => redactKeyValues(text, replacement),
    [/([?&](?:access_token|refresh_token|id_token|token|api_key|apikey|key|password|secret|signature|sig|code|auth)=)[^&\s#"']+/gi, `$1${replacement}`],
    // Passwords in URL userinfo: scheme://user:password@host.
    [/(\b[A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/[^\s/?#@:]*:)[^\s/?#@]+@/g, `$1${replacement}@`],
    maskEmails,
    // Card numbers: digits with optional spaces or dashes, or in dotted groups (`4242.4242.4242.4242`).
    [/\b[2-6]\d(?:[ -]?\d){11,17}\b/g, (match: string) => maskCard(match.replace(/\D/g, '')) ?? match],
    [/(?<![0-9.])[2-6]\d{2,5}(?:\.\d{2,7}){2,4}(?![0-9]|\.\d)/g, (match: string) => maskCard(match.replace(/\D/g, '')) ?? match],
    // Phone numbers: international (`+` then 8–15 digits, with spaces, dots, dashes or a
    // parenthesized area code) and North American (`(415) 555-2671`, `415-555-2671`,
    // `415.555.2671`). Dates, versions, IP addresses and bare digit runs are left alone.
    [
      /(?<![0-9A-Za-z+])\+\d{1,3}(?:[ .-]?\(\d{1,4}\))?[ .-]?\d{1,14}(?:[ .-]\d{1,14}){0,5}(?![0-9A-Za-z])/g,
      (match: string) => {
        const digits = match.replace(/\D/g, '').length;
        return digits >= 8 && digits <= 15 ? '[PHONE]' : match;
      },
    ],
    [/(?<![0-9A-Za-z+.-])(?:\(\d{3}\) ?|\d{3}[.-])\d{3}[.-]\d{4}(?![0-9A-Za-z.-])/g, '[PHONE]'],
  ];
}

/** A compiled redactor: call it with any value; returns a redacted deep copy. */
export type Redactor = <T>(value: T) => T;

function arrayOption(options: RedactOptions, name: 'paths' | 'patterns' | 'keys'): readonly unknown[] {
  const value: unknown = options[name];
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ConfigurationError(name, 'must be an array', { received: value });
  return value;
}

const KNOWN_OPTIONS = ['paths', 'patterns', 'keys', 'defaults', 'replacement', 'maxDepth'] as const;

/** How many unchanged property names a redactor remembers (see `keyName`). */
const CLEAN_NAMES_MAX = 1024;

/**
 * Compiles options once and returns a redactor. Throws `ConfigurationError` naming the option
 * for bad options (wrong type, not an array, `null`); the redactor itself never throws. Use it as `@armor/errors`'s `redact`
 * option or in your logger's serializer.
 *
 * @example
 * ```ts
 * const redactLog = createRedactor({ paths: ['user.address'] });
 * const errors = createErrorHandler({ logger, redact: redactLog });
 * ```
 */
export function createRedactor(options: RedactOptions = {}): Redactor {
  checkOptions('createRedactor', options, KNOWN_OPTIONS);
  checkString('replacement', options.replacement, { allowEmpty: true });
  checkInt('maxDepth', options.maxDepth, 1);
  checkBoolean('defaults', options.defaults);
  const replacement = options.replacement ?? '[REDACTED]';
  const maxDepth = options.maxDepth ?? 20;
  const defaults = options.defaults ?? true;
  const extraKeys = new Set(arrayOption(options, 'keys').map((k, i) => {
    if (typeof k !== 'string' || k === '') throw new ConfigurationError(`keys[${i}]`, 'must be a non-empty string', { received: k });
    return normalizeKey(k);
  }));
  const paths = arrayOption(options, 'paths').map((p, i) => {
    if (typeof p !== 'string' || p === '' || p.split('.').some((s) => s === '')) throw new ConfigurationError(`paths[${i}]`, 'must be a dot path like "user.address" or "items.*.note"', { received: p });
    return p.split('.');
  });
  const rules: Rule[] = defaults ? builtInRules(replacement) : [];
  for (const [i, pattern] of arrayOption(options, 'patterns').entries()) {
    if (!(pattern instanceof RegExp)) throw new ConfigurationError(`patterns[${i}]`, 'must be a RegExp', { received: pattern });
    rules.push([pattern.global ? pattern : new RegExp(pattern.source, `${pattern.flags}g`), replacement]);
  }

  const sensitiveKey = (key: string): boolean => {
    const k = normalizeKey(key);
    if (extraKeys.has(k)) return true;
    if (!defaults) return false;
    if (SENSITIVE_EXACT.has(k)) return true;
    for (const part of SENSITIVE_PARTS) if (k.includes(part)) return true;
    return false;
  };

  const redactString = (text: string): string => {
    let out = text;
    for (const rule of rules) {
      if (typeof rule === 'function') {
        out = rule(out);
        continue;
      }
      const [pattern, replace] = rule;
      pattern.lastIndex = 0;
      out = out.replace(pattern, replace as string);
    }
    return out;
  };

  /**
   * Property names can hold secrets too (a cache or rate-limit map keyed by API key or e-mail),
   * so they go through the string rules; `paths` and sensitive-key checks use the original name.
   * Names the rules leave unchanged (nearly all of them) are remembered, so they skip the rules
   * next time; names that changed are never remembered. Bounded: cleared when full.
   */
  const cleanNames = new Set<string>();
  const keyName = (key: string): string => {
    if (key.length < 6 || cleanNames.has(key)) return key;
    const out = redactString(key);
    if (out === key) {
      if (cleanNames.size >= CLEAN_NAMES_MAX) cleanNames.clear();
      cleanNames.add(key);
    }
    return out;
  };

  /** Path matching: states are [path index, position]; returns next states and whether a path ends here. */
  const step = (states: readonly (readonly [number, number])[], key: string): [(readonly [number, number])[], boolean] => {
    const next: (readonly [number, number])[] = [];
    let hit = false;
    for (const [p, at] of states) {
      const segment = paths[p]![at];
      if (segment === key || segment === '*') {
        if (at + 1 === paths[p]!.length) hit = true;
        else next.push([p, at + 1]);
      }
    }
    return [next, hit];
  };
  const rootStates = paths.map((_, i) => [i, 0] as const);

  const ancestors = new Set<object>();

  const walk = (value: unknown, depth: number, states: readonly (readonly [number, number])[]): unknown => {
    if (typeof value === 'string') return redactString(value);
    // Card numbers logged as numbers (`{ pan: 4242424242424242 }` under any key name).
    if (defaults && ((typeof value === 'number' && Number.isSafeInteger(value) && value >= 1e12) || typeof value === 'bigint')) return maskCard(String(value)) ?? value;
    if (value === null || typeof value !== 'object') {
      if (typeof value === 'function') return `[Function ${value.name || 'anonymous'}]`;
      if (typeof value === 'symbol') return value.toString();
      return value;
    }
    if (ancestors.has(value)) return '[Circular]';
    if (depth >= maxDepth) return '[Truncated]';
    ancestors.add(value);
    try {
      if (value instanceof Date) return new Date(value.getTime());
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[Binary ${value.byteLength} bytes]`;
      if (typeof URL !== 'undefined' && value instanceof URL) return redactString(value.href);
      const child = (key: string, v: unknown): unknown => {
        const [next, hit] = states.length ? step(states, key) : [states, false];
        if (hit || sensitiveKey(key)) return v === undefined || v === null ? v : replacement;
        return walk(v, depth + 1, next);
      };
      if (Array.isArray(value)) return value.map((v, i) => child(String(i), v));
      if ((typeof Headers !== 'undefined' && value instanceof Headers) || (typeof URLSearchParams !== 'undefined' && value instanceof URLSearchParams)) {
        const out: Record<string, unknown> = {};
        value.forEach((v, k) => {
          const redacted = child(k, v);
          const name = keyName(k);
          const previous = out[name];
          // Repeated query parameters become arrays (Headers are already combined).
          out[name] = previous === undefined ? redacted : Array.isArray(previous) ? [...(previous as unknown[]), redacted] : [previous, redacted];
        });
        return out;
      }
      if (value instanceof Map) {
        const out = new Map<unknown, unknown>();
        for (const [k, v] of value) {
          if (typeof k === 'string') out.set(keyName(k), child(k, v));
          else out.set(k, walk(v, depth + 1, []));
        }
        return out;
      }
      if (value instanceof Set) return new Set([...value].map((v) => walk(v, depth + 1, [])));
      const out: Record<string, unknown> = {};
      if (value instanceof Error) {
        out.name = value.name;
        out.message = redactString(String(value.message));
        if (typeof value.stack === 'string') out.stack = redactString(value.stack);
        if (value.cause !== undefined) out.cause = child('cause', value.cause);
      }
      for (const key of Object.keys(value)) {
        let v: unknown;
        try {
          v = (value as Record<string, unknown>)[key];
        } catch {
          out[key] = '[Unreadable]';
          continue;
        }
        out[keyName(key)] = child(key, v);
      }
      return out;
    } catch {
      // Exotic objects (revoked proxies, hostile getters on Error fields, …): never throw from a logger.
      return '[Unreadable]';
    } finally {
      ancestors.delete(value);
    }
  };

  return <T>(value: T): T => {
    ancestors.clear();
    return walk(value, 0, rootStates) as T;
  };
}

/**
 * Returns a redacted deep copy of `value` for logging: sensitive keys replaced, secrets
 * and PII inside strings and property names masked, cycles shown as `'[Circular]'`, nesting
 * beyond `maxDepth` as `'[Truncated]'`, unreadable objects as `'[Unreadable]'`, `URL`s as
 * their redacted `href`. Never mutates the input and never throws on a value. For repeated use, {@link createRedactor}
 * compiles the options once.
 *
 * @example
 * ```ts
 * redact({ headers: { authorization: 'Bearer abc' }, user: { email: 'jane.doe@example.com' }, note: 'card 4242 4242 4242 4242' });
 * // { headers: { authorization: '[REDACTED]' }, user: { email: 'j***@example.com' }, note: 'card [CARD ****4242]' }
 * ```
 */
export function redact<T>(value: T, options: RedactOptions = {}): T {
  return createRedactor(options)(value);
}

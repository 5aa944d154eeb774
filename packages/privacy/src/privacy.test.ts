import { ConfigurationError, ValidationError, isArmorError } from '@armor/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anonymizeIp, anonymizeUserAgent, createRedactor, parseUserAgent, pseudonymize, redact } from './index.js';

describe('anonymizeIp', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0'],
    ['10.0.0.255', '10.0.0.0'],
    ['2001:db8:abcd:12:1:2:3:4', '2001:db8:abcd::'],
    ['2001:0DB8:ABCD:0012:0000:0000:0000:0001', '2001:db8:abcd::'],
    ['2001:db8::1', '2001:db8::'],
    ['::1', '::'],
    ['::', '::'],
    ['fe80::1%eth0', 'fe80::'],
    ['[2001:db8:1:2::5]', '2001:db8:1::'],
    ['::ffff:203.0.113.77', '203.0.113.0'],
    ['::FFFF:cb00:714d', '203.0.113.0'],
    ['0:0:0:0:0:ffff:203.0.113.77', '203.0.113.0'],
    ['010.1.1.1', '10.1.1.0'],
    ['203.0.113.77:8080', '203.0.113.0'],
  ])('%s → %s', (input, expected) => {
    expect(anonymizeIp(input)).toBe(expected);
  });

  // issue 18 #3: an IPv6 form that embeds an IPv4 address kept it inside the kept /48
  it.each([
    ['2002:cb00:714d::1', '203.0.113.0'], // 6to4
    ['2002:cb00:714d:1234:5678::9', '203.0.113.0'],
    ['2001:0:4136:e378:8000:63bf:34ff:8eb2', '203.0.113.0'], // Teredo (client 203.0.113.77 obfuscated)
    ['64:ff9b::203.0.113.77', '203.0.113.0'], // NAT64
    ['64:ff9b::cb00:714d', '203.0.113.0'],
    ['::203.0.113.77', '203.0.113.0'], // IPv4-compatible
    ['::ffff:0:203.0.113.77', '203.0.113.0'], // SIIT
  ])('embedded IPv4 %s is anonymized as that IPv4 (%s), whatever ipv6Bits says', (input, expected) => {
    expect(anonymizeIp(input)).toBe(expected);
    expect(anonymizeIp(input, { ipv6Bits: 128 })).toBe(expected);
    expect(anonymizeIp(input, { ipv4Bits: 16 })).toBe('203.0.0.0');
  });

  it.each(['', 'localhost', '1.2.3', '1.2.3.4.5', '256.1.1.1', '127.1', '0x7f000001', '1:2:3:4:5:6:7:8:9', '1::2::3', 'gggg::1', ':1', null, 42])(
    'invalid %j → undefined',
    (input) => {
      expect(anonymizeIp(input)).toBeUndefined();
    },
  );

  it('custom bit counts', () => {
    expect(anonymizeIp('203.0.113.77', { ipv4Bits: 16 })).toBe('203.0.0.0');
    expect(anonymizeIp('203.0.113.77', { ipv4Bits: 20 })).toBe('203.0.112.0');
    expect(anonymizeIp('2001:db8:abcd:1234::1', { ipv6Bits: 56 })).toBe('2001:db8:abcd:1200::');
    expect(() => anonymizeIp('1.2.3.4', { ipv4Bits: 33 })).toThrow(ConfigurationError);
  });

  it('bad options (null included) throw ConfigurationError instead of a TypeError or the default', () => {
    expect(() => anonymizeIp('1.2.3.4', null as never)).toThrow(expect.objectContaining({ name: 'ConfigurationError', option: 'options' }));
    expect(() => anonymizeIp('1.2.3.4', { ipv4Bits: null as never })).toThrow(expect.objectContaining({ option: 'ipv4Bits' }));
    expect(() => anonymizeIp('::1', { ipv6Bits: '48' as never })).toThrow(expect.objectContaining({ option: 'ipv6Bits' }));
  });

  it('property: IPv4 keeps the /24 and zeroes the host octet; idempotent', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        const out = anonymizeIp(ip)!;
        expect(out.split('.').slice(0, 3)).toEqual(ip.split('.').slice(0, 3));
        expect(out.endsWith('.0')).toBe(true);
        expect(anonymizeIp(out)).toBe(out);
      }),
    );
  });

  it('property: IPv6 output parses, is idempotent, and has no bits beyond /48', () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const out = anonymizeIp(ip);
        expect(out).toBeDefined();
        expect(anonymizeIp(out)).toBe(out);
        if (out!.includes(':')) expect(anonymizeIp(out, { ipv6Bits: 48 })).toBe(anonymizeIp(out, { ipv6Bits: 128 }));
      }),
    );
  });
});

describe('user agents', () => {
  it.each([
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.71 Safari/537.36', 'Chrome 120 (Windows)'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15', 'Safari 17 (macOS)'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1', 'Safari 17 (iOS)'],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0', 'Firefox 121 (Linux)'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.77', 'Edge 120 (Windows)'],
    ['Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36', 'Samsung Internet 23 (Android)'],
    ['Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36 OPR/79.0.4195', 'Opera 79 (Android)'],
    ['Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36', 'Chrome 120 (ChromeOS)'],
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'Bot (Other)'],
    ['curl/8.4.0', 'curl 8 (Other)'],
    ['', 'Other (Other)'],
  ])('%s', (ua, expected) => {
    expect(anonymizeUserAgent(ua)).toBe(expected);
  });

  it('parseUserAgent flags bots and survives junk', () => {
    expect(parseUserAgent('Mozilla/5.0 HeadlessChrome/120.0').bot).toBe(true);
    expect(parseUserAgent(undefined)).toEqual({ browser: 'Other', major: undefined, os: 'Other', bot: false });
    expect(parseUserAgent('x'.repeat(100_000)).browser).toBe('Other');
  });
});

describe('redact', () => {
  it('redacts sensitive keys, headers and string secrets; masks emails and cards', () => {
    const input = {
      user: { name: 'Jane', email: 'jane.doe@example.com', password: 'hunter2', apiKey: 'x', ssn: '123-45-6789' },
      headers: { authorization: 'Bearer abc.def', cookie: 'sid=1', 'set-cookie': ['a=1'], 'x-api-key': 'k', accept: 'text/html' },
      body: { refresh_token: 'r', clientSecret: 'c', card: '4242 4242 4242 4242', notCard: '4242 4242 4242 4241' },
      message: 'login failed for jane.doe@example.com with password=hunter2 from https://x.example/cb?code=abc&state=1',
      count: 3,
      ok: true,
      nothing: null,
    };
    const out = redact(input);
    expect(out).toEqual({
      user: { name: 'Jane', email: 'j***@example.com', password: '[REDACTED]', apiKey: '[REDACTED]', ssn: '[REDACTED]' },
      headers: { authorization: '[REDACTED]', cookie: '[REDACTED]', 'set-cookie': '[REDACTED]', 'x-api-key': '[REDACTED]', accept: 'text/html' },
      body: { refresh_token: '[REDACTED]', clientSecret: '[REDACTED]', card: '[CARD ****4242]', notCard: '4242 4242 4242 4241' },
      message: 'login failed for j***@example.com with password=[REDACTED] from https://x.example/cb?code=[REDACTED]&state=1',
      count: 3,
      ok: true,
      nothing: null,
    });
    expect(input.user.password).toBe('hunter2'); // not mutated
  });

  it('masks API keys in our format (keeping prefix and public id), JWTs and vendor tokens', () => {
    const key = 'armor_live_0123456789abABCDEFGHIJKLMNOPQRSTUVWXYZabcd_1a2B3c';
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    const text = `key ${key} jwt ${jwt} gh ghp_abcdefghijklmnopqrstuvwxyz0123456789 aws AKIAABCDEFGHIJKLMNOP stripe sk_live_abcdefghijklmnop basic Basic dXNlcjpwYXNz`;
    expect(redact(text)).toBe(
      'key armor_live_0123456789ab…[REDACTED] jwt [REDACTED] gh [REDACTED] aws [REDACTED] stripe [REDACTED] basic Basic [REDACTED]',
    );
  });

  it('paths, extra keys, extra patterns, custom replacement', () => {
    const r = createRedactor({ paths: ['user.address', 'items.*.note'], keys: ['tenant-id'], patterns: [/\bsecret-\w+/], replacement: '***' });
    expect(r({ user: { address: { city: 'X' }, name: 'A' }, items: [{ note: 'n', id: 1 }, { note: 'm' }], tenantId: 't', text: 'a secret-abc b' })).toEqual({
      user: { address: '***', name: 'A' },
      items: [{ note: '***', id: 1 }, { note: '***' }],
      tenantId: '***',
      text: 'a *** b',
    });
  });

  it('handles cycles, shared references, deep nesting, errors, maps, sets, Headers, dates, binary and throwing getters', () => {
    const shared = { token: 't', v: 1 };
    const cyclic: Record<string, unknown> = { name: 'root', a: shared, b: shared };
    cyclic.self = cyclic;
    const out = redact(cyclic) as Record<string, unknown>;
    expect(out).toEqual({ name: 'root', a: { token: '[REDACTED]', v: 1 }, b: { token: '[REDACTED]', v: 1 }, self: '[Circular]' });

    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 10_000; i++) deep = { next: deep };
    const redactedDeep = redact(deep, { maxDepth: 5 }) as any;
    expect(redactedDeep.next.next.next.next.next).toBe('[Truncated]');
    expect(() => redact(deep)).not.toThrow();

    const error = new Error('failed for bob@example.com', { cause: { password: 'p' } });
    const hostile = Object.defineProperty({}, 'boom', { enumerable: true, get: () => { throw new Error('no'); } });
    const result = redact({
      error,
      map: new Map<string, unknown>([['secret', 's'], ['ok', 'bob@example.com']]),
      set: new Set(['alice@example.com']),
      headers: new Headers({ Authorization: 'Bearer x', 'content-type': 'a' }),
      when: new Date(0),
      bytes: new Uint8Array(8),
      hostile,
      fn: function named() {},
    }) as any;
    expect(result.error).toMatchObject({ name: 'Error', message: 'failed for b***@example.com', cause: { password: '[REDACTED]' } });
    expect(result.map.get('secret')).toBe('[REDACTED]');
    expect(result.map.get('ok')).toBe('b***@example.com');
    expect([...result.set]).toEqual(['a***@example.com']);
    expect(result.headers).toEqual({ authorization: '[REDACTED]', 'content-type': 'a' });
    expect(result.when).toEqual(new Date(0));
    expect(result.bytes).toBe('[Binary 8 bytes]');
    expect(result.hostile).toEqual({ boom: '[Unreadable]' });
    expect(result.fn).toBe('[Function named]');
  });

  it('property: never throws and never mutates, for arbitrary JSON-like values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const before = JSON.stringify(value);
        redact(value);
        expect(JSON.stringify(value)).toBe(before);
      }),
      { numRuns: 200 },
    );
  });

  it('property: a Luhn-valid card number inside text is always masked', () => {
    const withCheckDigit = (body: string) => {
      for (let d = 0; d < 10; d++) {
        const candidate = body + d;
        let sum = 0;
        for (let i = 0; i < candidate.length; i++) {
          let n = Number(candidate[candidate.length - 1 - i]);
          if (i % 2 === 1) n = n * 2 > 9 ? n * 2 - 9 : n * 2;
          sum += n;
        }
        if (sum % 10 === 0) return candidate;
      }
      throw new Error('unreachable');
    };
    fc.assert(
      fc.property(fc.constantFrom('4', '5', '3', '6'), fc.stringMatching(/^\d{14}$/), (first, rest) => {
        const card = withCheckDigit(first + rest);
        const out = redact(`paid with ${card} today`);
        expect(out).toBe(`paid with [CARD ****${card.slice(-4)}] today`);
      }),
    );
  });

  it('bad options', () => {
    for (const [options, option] of [
      [{ maxDepth: 0 }, 'maxDepth'],
      [{ paths: ['a..b'] }, 'paths[0]'],
      [{ patterns: ['x'] }, 'patterns[0]'],
      [{ keys: [''] }, 'keys[0]'],
      [{ replacement: 1 }, 'replacement'],
      // Not arrays: previously a TypeError ("map is not a function") or a silent no-op.
      [{ keys: 'tenant' }, 'keys'],
      [{ paths: 'user.address' }, 'paths'],
      [{ patterns: /x/ }, 'patterns'],
      // null / wrong types are not "use the default".
      [null, 'options'],
      [{ replacement: null }, 'replacement'],
      [{ maxDepth: null }, 'maxDepth'],
      [{ defaults: 'false' }, 'defaults'],
      [{ defaults: null }, 'defaults'],
    ] as const) {
      let thrown: unknown;
      try {
        createRedactor(options as never);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, JSON.stringify(options)).toBeInstanceOf(ConfigurationError);
      expect((thrown as ConfigurationError).option).toBe(option);
    }
  });

  // issue 18 #2: shapes the rules missed
  it.each([
    ['{"password":"hunter2","api_key":"abc123"}', '{"password":"[REDACTED]","api_key":"[REDACTED]"}'],
    ["{'password': 'hunter2'}", "{'password': [REDACTED]}"],
    ['DB_PASSWORD=hunter2', 'DB_PASSWORD=[REDACTED]'],
    ['export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'export AWS_SECRET_ACCESS_KEY=[REDACTED]'],
    ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG', 'aws_secret_access_key = [REDACTED]'],
    ['Cookie: session=abc123', 'Cookie: [REDACTED]'],
    ['Set-Cookie: sid=abc123; Path=/; HttpOnly', 'Set-Cookie: [REDACTED]'],
    ['GET / HTTP/1.1\r\ncookie: a=1; b=2\r\nAccept: */*', 'GET / HTTP/1.1\r\ncookie: [REDACTED]\r\nAccept: */*'],
    ['X-Forwarded-For: 203.0.113.77, 10.0.0.1', 'X-Forwarded-For: [REDACTED]'],
    ['slack xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', 'slack [REDACTED]'],
    ['google AIzaSyA1234567890abcdefghijklmnopqrstuv', 'google [REDACTED]'],
    ['openai sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD', 'openai [REDACTED]'],
    ['call +1 (415) 555-2671 or +44 20 7946 0958 or +14155552671', 'call [PHONE] or [PHONE] or [PHONE]'],
    ['office (415) 555-2671, cell 415-555-2671, fax 415.555.2671', 'office [PHONE], cell [PHONE], fax [PHONE]'],
  ])('redacts %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('leaves look-alikes alone: dates, versions, IPs, counts, "tokens: 5", "secretary"', () => {
    for (const text of ['on 2024-01-15 at 10:30', 'v1.2.3', 'from 10.0.0.1', 'order 12345678', 'tokens: 5', 'secretary=Bob', 'score +12', 'id 415-555']) {
      expect(redact(text)).toBe(text);
    }
  });

  it('redacts the client address under x-forwarded-for and similar keys', () => {
    expect(redact({ 'x-forwarded-for': '203.0.113.77', 'X-Real-IP': '203.0.113.77', forwarded: 'for=203.0.113.77', host: 'a' })).toEqual({
      'x-forwarded-for': '[REDACTED]',
      'X-Real-IP': '[REDACTED]',
      forwarded: '[REDACTED]',
      host: 'a',
    });
  });

  it('refuses unknown options with the closest known name', () => {
    expect(() => createRedactor({ path: ['a'] } as never)).toThrow(/Unknown option "path".*did you mean "paths"/);
    expect(() => anonymizeIp('1.2.3.4', { ipv4bits: 16 } as never)).toThrow(/did you mean "ipv4Bits"/);
  });

  it('masks passwords in URL userinfo; URL and URLSearchParams objects are redacted, not emptied', () => {
    expect(redact('db postgres://app:s3cr3t-pw@db.internal:5432/app')).toBe('db postgres://app:[REDACTED]@db.internal:5432/app');
    expect(redact('see https://example.com/a:b@c')).toBe('see https://example.com/a:b@c'); // a path, not userinfo
    expect(redact({ url: new URL('https://u:pw@api.example.com/x?token=abc&page=2') })).toEqual({ url: 'https://u:[REDACTED]@api.example.com/x?token=[REDACTED]&page=2' });
    expect(redact(new URLSearchParams('q=jane%40example.com&password=p&tag=a&tag=b'))).toEqual({ q: 'j***@example.com', password: '[REDACTED]', tag: ['a', 'b'] });
  });

  it('property names are redacted like strings (maps keyed by e-mail or token), paths and key rules still see the original name', () => {
    const out = redact({ perUser: { 'jane.doe@example.com': 3 }, byHeader: new Map([['Bearer abcdefgh', 1]]), notes: { 'bob@example.com': 'x' }, id: 1 }, { paths: ['notes.*'] });
    expect(out).toEqual({ perUser: { 'j***@example.com': 3 }, byHeader: new Map([['Bearer [REDACTED]', 1]]), notes: { 'b***@example.com': '[REDACTED]' }, id: 1 });
    // The sensitive-key rule looks at the original name: its value is replaced even though the name is masked.
    expect(redact({ 'password_for_jane@example.com': 'hunter2' })).toEqual({ 'p***@example.com': '[REDACTED]' });
  });

  it('a redactor remembers only unchanged property names: changed ones are redacted every time, also past the cache bound', () => {
    const redactor = createRedactor();
    const input = { 'jane.doe@example.com': 1, counter: 2 };
    for (let round = 0; round < 3; round++) {
      expect(redactor(input)).toEqual({ 'j***@example.com': 1, counter: 2 });
      // More clean names than the cache holds: it is cleared and refilled, never mixing in the changed name.
      const clean = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`field_${round}_${i}`, i]));
      expect(redactor(clean)).toEqual(clean);
    }
  });

  it('never throws on exotic objects (revoked proxies, throwing Error fields)', () => {
    const { proxy, revoke } = Proxy.revocable({ a: 1 }, {});
    revoke();
    const error = new Error('x');
    Object.defineProperty(error, 'message', { get: () => { throw new Error('no'); } });
    expect(redact({ proxy, error, ok: 'fine' })).toEqual({ proxy: '[Unreadable]', error: '[Unreadable]', ok: 'fine' });
  });

  it('stays linear on long adversarial strings (no catastrophic backtracking)', () => {
    const inputs = ['a.'.repeat(100_000), 'a-'.repeat(100_000), 'a_'.repeat(100_000), 'x://a:'.repeat(30_000), `${'a'.repeat(70)}_`.repeat(3000), 'a@b.'.repeat(50_000), '4 '.repeat(100_000), '_password'.repeat(50_000), 'a_'.repeat(100_000) + 'password', '+1 '.repeat(100_000), '+1 2'.repeat(50_000), '(415) '.repeat(50_000), 'cookie:'.repeat(50_000), '"password"'.repeat(50_000)];
    const started = Date.now();
    for (const input of inputs) redact(input);
    // Quadratic behaviour takes tens of seconds here; linear takes milliseconds. Generous for a loaded machine.
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('pseudonymize', () => {
  const SECRET = 'pseudonym-secret-pseudonym-secret-123';
  it('is stable per secret, differs across secrets and ids, and is keyed HMAC-SHA256', async () => {
    const a = await pseudonymize('user_42', SECRET);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(await pseudonymize('user_42', SECRET)).toBe(a);
    expect(await pseudonymize('user_43', SECRET)).not.toBe(a);
    expect(await pseudonymize('user_42', `${SECRET}!`)).not.toBe(a);
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode('user_42')));
    expect(a).toBe(Array.from(mac.slice(0, 16), (b) => b.toString(16).padStart(2, '0')).join(''));
    expect(await pseudonymize('user_42', SECRET, { length: 12 })).toBe(a.slice(0, 12));
  });

  it('rejects a missing or short secret and bad options with ConfigurationError', async () => {
    await expect(pseudonymize('x', 'short')).rejects.toBeInstanceOf(ConfigurationError);
    await expect(pseudonymize('x', undefined as never)).rejects.toMatchObject({ name: 'ConfigurationError', option: 'secret' });
    await expect(pseudonymize('x', SECRET, { length: 100 })).rejects.toMatchObject({ option: 'length' });
    await expect(pseudonymize('x', SECRET, { length: null as never })).rejects.toMatchObject({ option: 'length' });
    await expect(pseudonymize('x', SECRET, null as never)).rejects.toMatchObject({ option: 'options' });
  });

  it.each([
    [42, 'number'],
    [undefined, 'undefined'],
    [null, 'null'],
    [{ id: 1 }, 'object'],
    [['a'], 'array'],
  ])('a non-string id (%j) is a ValidationError (VALIDATION_FAILED, 400, invalid_type), not a ConfigurationError', async (id, type) => {
    const error = await pseudonymize(id as never, SECRET).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).not.toBeInstanceOf(ConfigurationError);
    expect(isArmorError(error, 'VALIDATION_FAILED')).toBe(true);
    expect(error).toMatchObject({ status: 400, expose: true, issues: [{ path: '', code: 'invalid_type', message: `Expected a string, received ${type}` }] });
  });

  it('a bad secret is reported before a bad id (configuration first)', async () => {
    await expect(pseudonymize(42 as never, 'short')).rejects.toBeInstanceOf(ConfigurationError);
  });
});

describe('with @armor/errors', () => {
  it('createRedactor plugs into createErrorHandler({ redact }) and cleans logged entries', async () => {
    const { createErrorHandler } = await import('@armor/errors');
    const logged: unknown[] = [];
    const handler = createErrorHandler({ logger: { error: (entry) => logged.push(entry) }, redact: createRedactor() });
    handler.handle(new Error('db password=hunter2 for jane@example.com'), { log: { headers: { authorization: 'Bearer abcdefgh' } } });
    const text = JSON.stringify(logged);
    expect(logged).toHaveLength(1);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('jane@example.com');
    expect(text).not.toContain('abcdefgh');
  });
});

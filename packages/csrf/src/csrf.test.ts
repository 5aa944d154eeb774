import { ConfigurationError, isArmorError } from '@armor/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsrfError, createCsrf, memoryUsedTokenStore, readCookie, type CsrfRequestLike } from './index.js';

const SECRET = 'a-very-long-test-secret-of-at-least-32-bytes';
const OTHER = 'another-very-long-test-secret-32-bytes-plus!';

function clock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function post(token: string | undefined, cookie: string | undefined, extra: Record<string, string> = {}): CsrfRequestLike {
  const headers: Record<string, string> = { 'sec-fetch-site': 'same-origin', ...extra };
  if (token !== undefined) headers['x-csrf-token'] = token;
  if (cookie !== undefined) headers.cookie = `theme=dark; __Host-armor-csrf=${cookie}; other=1`;
  return { method: 'POST', url: 'https://app.example/transfer', headers };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    expect(error).toBeInstanceOf(CsrfError);
    expect(isArmorError(error)).toBe(true);
    expect((error as CsrfError).status).toBe(403);
    return (error as CsrfError).code;
  }
}

describe('createCsrf', () => {
  it('accepts a valid token for its session (header or body token)', async () => {
    const csrf = createCsrf({ secret: SECRET });
    const { token, setCookie, expiresAt } = await csrf.issueToken('session-1');
    expect(token).toMatch(/^v1\.[0-9a-z]+\.[\w-]{22}\.[\w-]{16}\.[\w-]{43}$/);
    expect(setCookie).toBe(`__Host-armor-csrf=${token}; Max-Age=43200; Path=/; Secure; HttpOnly; SameSite=Strict`);
    expect(expiresAt).toBeGreaterThan(Date.now());
    expect(await codeOf(csrf.verify(post(token, token), 'session-1'))).toBe('OK');
    expect(await codeOf(csrf.verify({ ...post(undefined, token), token }, 'session-1'))).toBe('OK');
    // reusable within its lifetime (stateless double-submit)
    expect(await codeOf(csrf.verify(post(token, token), 'session-1'))).toBe('OK');
  });

  it('safe methods pass without a token', async () => {
    const csrf = createCsrf({ secret: SECRET });
    for (const method of ['GET', 'head', 'OPTIONS', 'TRACE']) {
      expect(await codeOf(csrf.verify({ method, headers: {} }, 's'))).toBe('OK');
    }
  });

  it('rejects missing cookie or token', async () => {
    const csrf = createCsrf({ secret: SECRET });
    const { token } = await csrf.issueToken('s');
    expect(await codeOf(csrf.verify(post(token, undefined), 's'))).toBe('CSRF_TOKEN_MISSING');
    expect(await codeOf(csrf.verify(post(undefined, token), 's'))).toBe('CSRF_TOKEN_MISSING');
  });

  it('rejects mismatched and forged tokens', async () => {
    const csrf = createCsrf({ secret: SECRET });
    const { token } = await csrf.issueToken('s');
    const { token: other } = await csrf.issueToken('s');
    expect(await codeOf(csrf.verify(post(token, other), 's'))).toBe('CSRF_TOKEN_MISMATCH');
    // a mismatch is reported first, whatever else is wrong (forged MAC, no session, malformed)
    const forgedMac = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect(await codeOf(csrf.verify(post(forgedMac, token), 's'))).toBe('CSRF_TOKEN_MISMATCH');
    expect(await codeOf(csrf.verify(post(token, other), ''))).toBe('CSRF_TOKEN_MISMATCH');
    expect(await codeOf(csrf.verify(post('v1.junk', token), 's'))).toBe('CSRF_TOKEN_MISMATCH');
    expect(await codeOf(csrf.verify(post('v1.junk', 'v1.junk'), ''))).toBe('CSRF_SESSION_MISMATCH');
    expect(await codeOf(csrf.verify(post(forgedMac, forgedMac), 's'))).toBe('CSRF_TOKEN_INVALID');
    const parts = token.split('.');
    const laterExpiry = [parts[0], (parseInt(parts[1]!, 36) + 99_999).toString(36), ...parts.slice(2)].join('.');
    expect(await codeOf(csrf.verify(post(laterExpiry, laterExpiry), 's'))).toBe('CSRF_TOKEN_INVALID');
    const attacker = await createCsrf({ secret: OTHER }).issueToken('s');
    expect(await codeOf(csrf.verify(post(attacker.token, attacker.token), 's'))).toBe('CSRF_TOKEN_INVALID');
    for (const junk of ['x', 'v1.a.b.c', 'v2.a.b.c.d', `${token}x`, '.'.repeat(10)]) {
      expect(await codeOf(csrf.verify(post(junk, junk), 's'))).toBe('CSRF_TOKEN_INVALID');
    }
  });

  it('property: any single-character change of a valid token is rejected', async () => {
    const csrf = createCsrf({ secret: SECRET });
    const { token } = await csrf.issueToken('s');
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'abcXYZ019-_.'), async (at, ch) => {
        fc.pre(token[at] !== ch);
        const tampered = token.slice(0, at) + ch + token.slice(at + 1);
        expect(await codeOf(csrf.verify(post(tampered, tampered), 's'))).not.toBe('OK');
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a token of another session (e.g. from before a login rotated the session id)', async () => {
    const csrf = createCsrf({ secret: SECRET });
    const { token } = await csrf.issueToken('anonymous-session');
    expect(await codeOf(csrf.verify(post(token, token), 'logged-in-session'))).toBe('CSRF_SESSION_MISMATCH');
    expect(await codeOf(csrf.verify(post(token, token), ''))).toBe('CSRF_SESSION_MISMATCH');
  });

  it('expires tokens after ttlMs', async () => {
    const time = clock();
    const csrf = createCsrf({ secret: SECRET, ttlMs: 60_000, clock: time });
    const { token } = await csrf.issueToken('s');
    time.advance(59_000);
    expect(await codeOf(csrf.verify(post(token, token), 's'))).toBe('OK');
    time.advance(2_000);
    expect(await codeOf(csrf.verify(post(token, token), 's'))).toBe('CSRF_TOKEN_EXPIRED');
  });

  it('rotates secrets: old tokens verify during the overlap and fail once the secret is dropped', async () => {
    const before = createCsrf({ secrets: [OTHER] });
    const { token } = await before.issueToken('s');
    const during = createCsrf({ secrets: [SECRET, OTHER] });
    expect(await codeOf(during.verify(post(token, token), 's'))).toBe('OK');
    const fresh = await during.issueToken('s');
    const after = createCsrf({ secrets: [SECRET] });
    expect(await codeOf(after.verify(post(fresh.token, fresh.token), 's'))).toBe('OK');
    expect(await codeOf(after.verify(post(token, token), 's'))).toBe('CSRF_TOKEN_INVALID');
  });

  it('one-time tokens: the second use is a replay', async () => {
    const time = clock();
    const store = memoryUsedTokenStore({ clock: time });
    const csrf = createCsrf({ secret: SECRET, oneTime: { store }, clock: time });
    const { token } = await csrf.issueToken('s');
    expect(await codeOf(csrf.verify(post(token, token), 's'))).toBe('OK');
    let error: unknown;
    await csrf.verify(post(token, token), 's').catch((e: unknown) => (error = e));
    expect(error).toMatchObject({ code: 'CSRF_TOKEN_INVALID', details: { reason: 'replayed' } });
    time.advance(13 * 3600_000);
    expect(store.size).toBe(1);
    await store.consume('other', time.now() + 1000);
    expect(store.size).toBe(1);
  });

  it('webcrypto and portable engines produce interchangeable tokens', async () => {
    const portable = createCsrf({ secret: SECRET });
    const web = createCsrf({ secret: SECRET, engine: 'webcrypto' });
    const a = await portable.issueToken('s');
    const b = await web.issueToken('s');
    expect(await codeOf(web.verify(post(a.token, a.token), 's'))).toBe('OK');
    expect(await codeOf(portable.verify(post(b.token, b.token), 's'))).toBe('OK');
    expect(await codeOf(web.verify(post(a.token, a.token), 'x'))).toBe('CSRF_SESSION_MISMATCH');
  });

  it('errors never contain the token', async () => {
    const csrf = createCsrf({ secret: SECRET });
    const { token } = await csrf.issueToken('s');
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    try {
      await csrf.verify(post(tampered, tampered), 's');
      expect.unreachable();
    } catch (error) {
      expect(JSON.stringify(error)).not.toContain(tampered.slice(-20));
      expect((error as Error).message).not.toContain(tampered.slice(-20));
    }
  });
});

describe('origin checks (OWASP first line of defense)', () => {
  const csrf = createCsrf({ secret: SECRET, trustedOrigins: ['https://admin.example'] });
  let token = '';
  const req = (headers: Record<string, string>): CsrfRequestLike => ({
    method: 'POST',
    url: 'https://app.example/x',
    headers: { 'x-csrf-token': token, cookie: `__Host-armor-csrf=${token}`, ...headers },
  });

  it.each([
    [{ 'sec-fetch-site': 'same-origin' }, 'OK'],
    [{ 'sec-fetch-site': 'none' }, 'OK'],
    [{ 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }, 'CSRF_ORIGIN_REJECTED'],
    [{ 'sec-fetch-site': 'same-site', origin: 'https://sub.app.example' }, 'CSRF_ORIGIN_REJECTED'],
    [{ 'sec-fetch-site': 'cross-site' }, 'CSRF_ORIGIN_REJECTED'],
    [{ 'sec-fetch-site': 'cross-site', origin: 'https://admin.example' }, 'OK'],
    [{ origin: 'https://app.example' }, 'OK'],
    [{ origin: 'https://evil.example' }, 'CSRF_ORIGIN_REJECTED'],
    [{ origin: 'null' }, 'CSRF_ORIGIN_REJECTED'],
    [{ origin: 'http://app.example' }, 'CSRF_ORIGIN_REJECTED'],
    [{ referer: 'https://app.example/form' }, 'OK'],
    [{ referer: 'https://evil.example/form' }, 'CSRF_ORIGIN_REJECTED'],
    [{}, 'OK'],
  ])('%j → %s', async (headers, expected) => {
    token ||= (await csrf.issueToken('s')).token;
    expect(await codeOf(csrf.verify(req(headers), 's'))).toBe(expected);
  });

  it('works with a Web Request and explicit origin option', async () => {
    const c = createCsrf({ secret: SECRET, origin: 'https://app.example' });
    const { token: t } = await c.issueToken('s');
    const ok = new Request('http://internal:8080/x', { method: 'POST', headers: { origin: 'https://app.example', 'x-csrf-token': t, cookie: `__Host-armor-csrf=${t}` } });
    expect(await codeOf(c.verify(ok, 's'))).toBe('OK');
    const bad = new Request('http://internal:8080/x', { method: 'POST', headers: { origin: 'http://internal:8080', 'x-csrf-token': t, cookie: `__Host-armor-csrf=${t}` } });
    expect(await codeOf(c.verify(bad, 's'))).toBe('CSRF_ORIGIN_REJECTED');
  });
});

describe('readCookie', () => {
  it.each([
    ['a=1; __Host-armor-csrf=tok; b=2', 'tok'],
    ['__Host-armor-csrf=tok', 'tok'],
    ['x__Host-armor-csrf=bad; __Host-armor-csrf="q"', 'q'],
    ['a=1', undefined],
    ['', undefined],
    // the name counts only where a pair starts, never inside another cookie's value
    ['a=x __Host-armor-csrf=evil; __Host-armor-csrf=good', 'good'],
    ['a=x __Host-armor-csrf=evil', undefined],
    ['a=1;__Host-armor-csrf=tok', 'tok'],
    ['a=1;   __Host-armor-csrf= tok ;b=2', 'tok'],
    ['__Host-armor-csrf', undefined],
    ['__Host-armor-csrf;=x', undefined],
    ['__Host-armor-csrf=', ''],
    ['__Host-armor-csrfx=1; __Host-armor-csrf=2', '2'],
  ])('%s', (header, expected) => {
    expect(readCookie(header, '__Host-armor-csrf')).toBe(expected);
  });
});

describe('bad options', () => {
  it.each([
    [{}, 'secret'],
    [{ secret: 'short' }, 'secret'],
    [{ secrets: [] }, 'secrets'],
    [{ secrets: [SECRET, 'short'] }, 'secrets[1]'],
    [{ secret: SECRET, secrets: [SECRET] }, 'secret'],
    [{ secret: SECRET, ttlMs: 0 }, 'ttlMs'],
    [{ secret: SECRET, cookie: { secure: false } }, 'cookie.secure'],
    [{ secret: SECRET, cookie: { path: '/app' } }, 'cookie.path'],
    [{ secret: SECRET, cookie: { domain: 'example.com' } }, 'cookie.domain'],
    [{ secret: SECRET, cookie: { name: 'bad name' } }, 'cookie.name'],
    [{ secret: SECRET, cookie: { name: 'csrf', secure: false, sameSite: 'none' } }, 'cookie.secure'],
    [{ secret: SECRET, trustedOrigins: ['https://a.example/path'] }, 'trustedOrigins[0]'],
    [{ secret: SECRET, origin: 'not a url' }, 'origin'],
    [{ secret: SECRET, oneTime: { store: {} } }, 'oneTime.store'],
    [{ secret: SECRET, engine: 'md5' }, 'engine'],
    [{ secret: SECRET, ttl: 1000 }, 'ttl'],
    [{ secret: SECRET, cookie: { sameSit: 'lax' } }, 'sameSit'],
    [{ secret: SECRET, checkOrigin: 'yes' }, 'checkOrigin'],
    [{ secret: SECRET, clock: {} }, 'clock'],
  ])('%j → %s', (options, option) => {
    let thrown: unknown;
    try {
      createCsrf(options as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect((thrown as ConfigurationError).option).toBe(option);
  });
});

describe('kernel option checks', () => {
  it('unknown options name the closest known one', () => {
    expect(() => createCsrf({ secret: SECRET, ttl: 1000 } as never)).toThrow(/Unknown option "ttl".*did you mean "ttlMs"/);
    expect(() => memoryUsedTokenStore({ maxsize: 3 } as never)).toThrow(/did you mean "maxSize"/);
  });
});

/**
 * The package under the portable build of `@armor/core/hmac` (what browsers, edge runtimes and
 * Convex resolve: no `node` export condition). Vitest resolves the `node` build, so this file
 * substitutes the real portable source for it.
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('@armor/core/hmac', async () => await import('../../core/src/hmac.js'));

const { createCsrf } = await import('./index.js');
const hmacEntry = await import('@armor/core/hmac');

const SECRET = 'a-very-long-test-secret-of-at-least-32-bytes';

const post = (token: string) => ({
  method: 'POST',
  url: 'https://app.example/transfer',
  headers: { 'sec-fetch-site': 'same-origin', 'x-csrf-token': token, cookie: `__Host-armor-csrf=${token}` },
});

async function webMac(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(message)));
  return btoa(String.fromCharCode(...mac)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=/g, '');
}

describe('@armor/csrf on the portable HMAC build (Web Crypto)', () => {
  it('runs on the portable build', () => {
    expect(hmacEntry.hmacImplementation).toBe('portable');
  });

  it('issues tokens whose MAC is Web Crypto HMAC-SHA256, and verifies them (both engines, rotation)', async () => {
    const csrf = createCsrf({ secret: SECRET });
    const { token } = await csrf.issueToken('session-1');
    const body = token.slice(0, token.lastIndexOf('.'));
    expect(token.slice(body.length + 1)).toBe(await webMac(SECRET, body));
    await expect(csrf.verify(post(token), 'session-1')).resolves.toBeUndefined();
    await expect(createCsrf({ secret: SECRET, engine: 'webcrypto' }).verify(post(token), 'session-1')).resolves.toBeUndefined();
    const rotated = createCsrf({ secrets: ['a-new-secret-that-is-also-32-bytes-long!!', SECRET] });
    await expect(rotated.verify(post(token), 'session-1')).resolves.toBeUndefined();
  });

  it('refuses a forged MAC and another session', async () => {
    const csrf = createCsrf({ secret: SECRET });
    const { token } = await csrf.issueToken('session-1');
    const forged = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    await expect(csrf.verify(post(forged), 'session-1')).rejects.toMatchObject({ code: 'CSRF_TOKEN_INVALID' });
    await expect(csrf.verify(post(token), 'session-2')).rejects.toMatchObject({ code: 'CSRF_SESSION_MISMATCH' });
  });
});

import { describe, expect, it } from 'vitest';
import {
  base64url,
  hmacImplementation,
  hmacSha256,
  hmacSha256Base64url,
  hmacSha256Hex,
  hmacSha256Key,
  nativeHmacSha256Base64url,
  nativeHmacSha256Hex,
  nativeSha256Hex,
  sha256Hex,
} from './hmac.js';

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const fromHex = (text: string) => Uint8Array.from(text.match(/../g)!, (h) => parseInt(h, 16));

// RFC 4231 test cases 1, 2, 4 and 6 (6: a key longer than the block size).
const vectors = [
  { key: fromHex('0b'.repeat(20)), data: 'Hi There', mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7' },
  { key: new TextEncoder().encode('Jefe'), data: 'what do ya want for nothing?', mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843' },
  {
    key: fromHex('0102030405060708090a0b0c0d0e0f10111213141516171819'),
    data: fromHex('cd'.repeat(50)),
    mac: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
  },
  {
    key: fromHex('aa'.repeat(131)),
    data: 'Test Using Larger Than Block-Size Key - Hash Key First',
    mac: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
  },
];

describe('@armor/core/hmac (portable build)', () => {
  it('is the @noble/hashes build', () => {
    expect(hmacImplementation).toBe('portable');
  });

  it('matches the RFC 4231 vectors, repeatedly with one prepared key', () => {
    for (const v of vectors) {
      const key = hmacSha256Key(v.key);
      for (let i = 0; i < 3; i++) {
        expect(hex(hmacSha256(key, v.data))).toBe(v.mac);
        expect(hmacSha256Hex(key, v.data)).toBe(v.mac);
        expect(hmacSha256Base64url(key, v.data)).toBe(base64url(fromHex(v.mac)));
      }
    }
  });

  it('interleaves keys without mixing their states', () => {
    const a = hmacSha256Key(vectors[0]!.key);
    const b = hmacSha256Key(vectors[1]!.key);
    expect(hmacSha256Hex(a, vectors[0]!.data)).toBe(vectors[0]!.mac);
    expect(hmacSha256Hex(b, vectors[1]!.data)).toBe(vectors[1]!.mac);
    expect(hmacSha256Hex(a, vectors[0]!.data)).toBe(vectors[0]!.mac);
  });

  it('agrees with Web Crypto on UTF-8 strings', async () => {
    const secret = new TextEncoder().encode('a secret of at least thirty-two bytes!!');
    const key = hmacSha256Key(secret);
    const webKey = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    for (const message of ['', 'ascii', 'ünïcödé ✓ 🔐', 'x'.repeat(1000)]) {
      const web = new Uint8Array(await crypto.subtle.sign('HMAC', webKey, new TextEncoder().encode(message)));
      expect(hex(hmacSha256(key, message))).toBe(hex(web));
    }
  });

  it('keeps a private copy of the secret and shows no key material', () => {
    const secret = Uint8Array.from(vectors[0]!.key);
    const key = hmacSha256Key(secret);
    secret.fill(0);
    expect(hmacSha256Hex(key, 'Hi There')).toBe(vectors[0]!.mac);
    expect(JSON.stringify(key)).toBe('{"algorithm":"HMAC-SHA256"}');
  });

  it('refuses a key it did not prepare', () => {
    expect(() => hmacSha256({ algorithm: 'HMAC-SHA256' }, 'x')).toThrow(TypeError);
  });

  it('encodes unpadded base64url (RFC 4648 §10 vectors, URL alphabet)', () => {
    const enc = (text: string) => base64url(new TextEncoder().encode(text));
    expect(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map(enc)).toEqual(['', 'Zg', 'Zm8', 'Zm9v', 'Zm9vYg', 'Zm9vYmE', 'Zm9vYmFy']);
    expect(base64url(Uint8Array.from([0xfb, 0xff, 0xbf]))).toBe('-_-_');
  });

  it('native functions (Web Crypto in this build) give the RFC 4231 bytes, for fresh and reused keys', async () => {
    for (const v of vectors) {
      const key = hmacSha256Key(v.key);
      for (let i = 0; i < 2; i++) {
        const b64 = nativeHmacSha256Base64url(key, v.data);
        expect(b64).toBeInstanceOf(Promise);
        expect(await b64).toBe(base64url(fromHex(v.mac)));
        expect(await nativeHmacSha256Hex(key, v.data)).toBe(v.mac);
        // the synchronous functions share the key
        expect(hmacSha256Hex(key, v.data)).toBe(v.mac);
      }
    }
    expect(await nativeSha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await nativeSha256Hex(new Uint8Array())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(await nativeSha256Hex('ünïcödé ✓ 🔐')).toBe(sha256Hex('ünïcödé ✓ 🔐'));
  });

  it('native functions keep the private copy of the secret and reject a key they did not prepare', async () => {
    const secret = Uint8Array.from(vectors[0]!.key);
    const key = hmacSha256Key(secret);
    secret.fill(0);
    expect(await nativeHmacSha256Hex(key, 'Hi There')).toBe(vectors[0]!.mac);
    await expect(nativeHmacSha256Hex({ algorithm: 'HMAC-SHA256' }, 'x')).rejects.toThrow(TypeError);
  });

  it('hashes with SHA-256', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(new Uint8Array())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hmacSha256, hmacSha256Hex, prepareHmacKey, sha256, sha256Hex } from './index.js';

const encoder = new TextEncoder();
const hex = (bytes: ArrayBuffer | Uint8Array) => Array.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
const webDigest = async (text: string) => hex(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
const webHmac = async (key: Uint8Array<ArrayBuffer>, text: string) =>
  hex(await crypto.subtle.sign('HMAC', await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']), encoder.encode(text)));

describe('synchronous SHA-256 / HMAC-SHA256', () => {
  it('matches the FIPS 180-4 vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(sha256(''))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('matches the RFC 4231 vectors (hex and bytes)', () => {
    const vectors: [Uint8Array, string, string][] = [
      [new Uint8Array(20).fill(0x0b), 'Hi There', 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
      [encoder.encode('Jefe'), 'what do ya want for nothing?', '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
      // A key longer than the block size is hashed first.
      [new Uint8Array(131).fill(0xaa), 'Test Using Larger Than Block-Size Key - Hash Key First', '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
    ];
    for (const [key, message, expected] of vectors) {
      expect(hmacSha256Hex(prepareHmacKey(key), message)).toBe(expected);
      expect(hex(hmacSha256(prepareHmacKey(key), message))).toBe(expected);
    }
  });

  it('equals Web Crypto for arbitrary keys and messages, including multi-block and non-ASCII input (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 150 }), fc.string({ maxLength: 300, unit: 'grapheme' }), async (key, message) => {
        const digest = await webDigest(message);
        expect(sha256Hex(message)).toBe(digest);
        expect(hex(sha256(message))).toBe(digest);
        const mac = await webHmac(key, message);
        expect(hmacSha256Hex(prepareHmacKey(key), message)).toBe(mac);
        expect(hex(hmacSha256(prepareHmacKey(key), message))).toBe(mac);
      }),
      { numRuns: 150 },
    );
  });
});

import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as nodeBuild from './hmac/node.js';
import * as portable from './hmac.js';

describe('@armor/core/hmac (node build)', () => {
  it('the package entry resolves to node:crypto under the node condition', async () => {
    const entry = await import('@armor/core/hmac');
    expect(entry.hmacImplementation).toBe('node');
    expect(nodeBuild.hmacImplementation).toBe('node');
  });

  it('gives the same bytes as the portable build for any key and message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), fc.oneof(fc.string({ unit: 'grapheme' }), fc.uint8Array({ maxLength: 300 })), (secret, message) => {
        const a = nodeBuild.hmacSha256Key(secret);
        const b = portable.hmacSha256Key(secret);
        expect(Buffer.from(nodeBuild.hmacSha256(a, message)).toString('hex')).toBe(portable.hmacSha256Hex(b, message));
        expect(nodeBuild.hmacSha256Hex(a, message)).toBe(portable.hmacSha256Hex(b, message));
        expect(nodeBuild.hmacSha256Base64url(a, message)).toBe(portable.hmacSha256Base64url(b, message));
        expect(nodeBuild.sha256Hex(message)).toBe(portable.sha256Hex(message));
        if (typeof message !== 'string') expect(nodeBuild.base64url(message)).toBe(portable.base64url(message));
      }),
      { numRuns: 300 },
    );
  });

  it('returns a plain Uint8Array of 32 bytes and keeps a private copy of the secret', () => {
    const secret = new Uint8Array(32).fill(7);
    const key = nodeBuild.hmacSha256Key(secret);
    const before = nodeBuild.hmacSha256Hex(key, 'm');
    secret.fill(0);
    expect(nodeBuild.hmacSha256Hex(key, 'm')).toBe(before);
    const mac = nodeBuild.hmacSha256(key, 'm');
    expect(mac).toBeInstanceOf(Uint8Array);
    expect(mac.length).toBe(32);
    expect(JSON.stringify(key)).toBe('{"algorithm":"HMAC-SHA256"}');
  });

  it('native functions are the synchronous node:crypto ones, byte-equal to the portable Web Crypto path', async () => {
    const secret = new Uint8Array(40).fill(9);
    const a = nodeBuild.hmacSha256Key(secret);
    const b = portable.hmacSha256Key(secret);
    for (const message of ['', 'v1.abc.def', 'ünïcödé ✓ 🔐', new Uint8Array([1, 2, 3])]) {
      const b64 = nodeBuild.nativeHmacSha256Base64url(a, message);
      expect(typeof b64).toBe('string');
      expect(b64).toBe(await portable.nativeHmacSha256Base64url(b, message));
      expect(nodeBuild.nativeHmacSha256Hex(a, message)).toBe(await portable.nativeHmacSha256Hex(b, message));
      expect(nodeBuild.nativeSha256Hex(message)).toBe(await portable.nativeSha256Hex(message));
    }
  });

  it('the one-shot path equals createHmac at every key and message size boundary, in any call order', () => {
    const sizes = [0, 1, 55, 56, 63, 64, 65, 119, 120, 341, 342, 343, 1023, 1024, 1025, 5000];
    const secrets = [0, 1, 32, 63, 64, 65, 128, 200].map((n) => crypto.getRandomValues(new Uint8Array(n)));
    for (const secret of secrets) {
      const key = nodeBuild.hmacSha256Key(secret);
      // Lengths up and down, so the per-key view of the scratch is re-cut both ways.
      for (const n of [...sizes, ...[...sizes].reverse()]) {
        const bytes = crypto.getRandomValues(new Uint8Array(n));
        const text = 'é'.repeat(n >> 1) + (n & 1 ? '\ud800' : '') + '𝄞'.repeat(n % 3);
        for (const message of [bytes, text, 'a'.repeat(n)]) {
          const want = createHmac('sha256', secret).update(message);
          const hex = want.digest('hex');
          expect(nodeBuild.hmacSha256Hex(key, message)).toBe(hex);
          expect(Buffer.from(nodeBuild.hmacSha256(key, message)).toString('hex')).toBe(hex);
          expect(nodeBuild.hmacSha256Base64url(key, message)).toBe(Buffer.from(hex, 'hex').toString('base64url'));
        }
      }
    }
  });

  it('refuses a key of the other build', () => {
    expect(() => nodeBuild.hmacSha256(portable.hmacSha256Key(new Uint8Array(32)), 'x')).toThrow(TypeError);
  });
});

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

  it('refuses a key of the other build', () => {
    expect(() => nodeBuild.hmacSha256(portable.hmacSha256Key(new Uint8Array(32)), 'x')).toThrow(TypeError);
  });
});

/**
 * The package under the portable build of `@armor/core/hmac` (what browsers, edge runtimes and
 * Convex resolve: no `node` export condition). Vitest resolves the `node` build, so this file
 * substitutes the real portable source for it.
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('@armor/core/hmac', async () => await import('../../core/src/hmac.js'));

const { createApiKeyVerifier, generateApiKey, hashApiKey, rotateApiKey } = await import('./index.js');
const hmacEntry = await import('@armor/core/hmac');

const PEPPER = 'pepper-pepper-pepper-pepper-pepper-1234';
const hexOf = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');

describe('@armor/api-keys on the portable HMAC build (Web Crypto)', () => {
  it('runs on the portable build', () => {
    expect(hmacEntry.hmacImplementation).toBe('portable');
  });

  it('hashes like Web Crypto (SHA-256 and peppered HMAC) and verifies what it generated', async () => {
    const plain = await generateApiKey();
    expect(plain.hash).toBe(hexOf(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(plain.key))));
    expect(await hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const peppered = await generateApiKey({ pepper: PEPPER });
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(PEPPER), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    expect(peppered.hash).toBe(hexOf(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(peppered.key))));
    const records = { [plain.id]: { hash: plain.hash }, [peppered.id]: { hash: peppered.hash } };
    await expect(createApiKeyVerifier({ lookup: (id) => records[id] })(plain.key)).resolves.toMatchObject({ id: plain.id });
    await expect(createApiKeyVerifier({ lookup: (id) => records[id], pepper: PEPPER })(peppered.key)).resolves.toMatchObject({ id: peppered.id });
    await expect(createApiKeyVerifier({ lookup: (id) => records[id] })(peppered.key)).rejects.toMatchObject({ code: 'API_KEY_INVALID' });
    const rotated = await rotateApiKey({ id: plain.id, hash: plain.hash }, { clock: { now: () => 0 } });
    expect(rotated.next.hash).toBe(await hashApiKey(rotated.next.key));
  });
});

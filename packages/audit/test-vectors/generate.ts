/**
 * Regenerates test-vectors/chain.json: a small chain (3 entries, one with erasable personal
 * data) and a signed checkpoint, from a fixed Ed25519 key, times and salt. Ed25519 signatures are
 * deterministic, so another implementation must reproduce every hash and signature exactly.
 * Run: node --conditions=@armor/source --import tsx test-vectors/generate.ts > test-vectors/chain.json
 */
import { canonicalize, ed25519Signer, envelopeParts, GENESIS_HASH, makeCheckpoint, personalCommitment, sha256Hex, type AuditEntry, type StoredEvent } from '../src/index.js';

export function buildChainVectors() {
  const secretKey = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'; // RFC 8032 test 1
  const signer = ed25519Signer(secretKey);
  const personal = { salt: '000102030405060708090a0b0c0d0e0f', data: { actorName: 'Ada', ip: '203.0.113.7' } };
  const events: StoredEvent[] = [
    { action: 'api_key.created', actor: { id: 'u1', type: 'user' }, targets: [{ type: 'api_key', id: 'k1' }], outcome: 'success', context: { requestId: 'r1' }, metadata: { scopes: ['read'] }, schemaVersion: 1 },
    { action: 'login', actor: { id: 'u1', type: 'user' }, targets: [], outcome: 'success', context: {}, metadata: { 'é€😀': 1.5e-7 }, schemaVersion: 1, personalCommitment: personalCommitment(personal) },
    { action: 'api_key.revoked', actor: { id: 'u2', type: 'user' }, targets: [{ type: 'api_key', id: 'k1' }], outcome: 'success', context: {}, metadata: { reason: 'leaked' }, schemaVersion: 1, idempotencyKey: 'op-1' },
  ];
  const entries: (AuditEntry & { hashedText: string })[] = [];
  let prevHash = GENESIS_HASH;
  events.forEach((event, i) => {
    const seq = i + 1;
    const time = `2026-12-06T00:00:0${i}.000Z`;
    const [a, b, c] = envelopeParts('tenant-a', time, canonicalize(event));
    const hashedText = `${a}${prevHash}${b}${seq}${c}`;
    const hash = sha256Hex(hashedText);
    entries.push({ v: 1, stream: 'tenant-a', seq, time, event, personal: i === 1 ? personal : null, prevHash, hash, hashedText });
    prevHash = hash;
  });
  const checkpoint = makeCheckpoint({ stream: 'tenant-a', seq: 3, hash: prevHash }, undefined, signer, '2026-12-06T00:01:00.000Z');
  return { description: 'Armor audit chain vectors: hash = sha256(hashedText) (UTF-8); hashedText = RFC 8785 of {event, prevHash, seq, stream, time, v}; checkpoint signature = Ed25519 over RFC 8785 of the checkpoint body (fields but id and signature)', secretKey, publicKey: signer.publicKey, keyId: signer.keyId, entries, checkpoint };
}

if (process.argv[1]?.endsWith('generate.ts')) process.stdout.write(`${JSON.stringify(buildChainVectors(), null, 2)}\n`);

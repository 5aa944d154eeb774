import { describe, expect, it } from 'vitest';
import chain from '../test-vectors/chain.json';
import { buildChainVectors } from '../test-vectors/generate.js';
import { canonicalize, checkpointMessage, sha256Hex, verifySignature, verifyStream, type AuditEntry, type Checkpoint } from './index.js';

describe('published chain test vectors (test-vectors/chain.json)', () => {
  it('are reproduced exactly from their inputs', () => {
    expect(JSON.parse(JSON.stringify(buildChainVectors()))).toEqual(chain);
  });
  it('verify clean with the published public key, and every hashed text is what it says', async () => {
    for (const e of chain.entries) {
      const { hashedText, ...entry } = e;
      expect(sha256Hex(hashedText)).toBe(entry.hash);
      expect(hashedText).toBe(canonicalize({ event: entry.event, prevHash: entry.prevHash, seq: entry.seq, stream: entry.stream, time: entry.time, v: entry.v }));
    }
    const cp = chain.checkpoint as Checkpoint;
    expect(verifySignature(cp.signature, checkpointMessage(cp), chain.publicKey)).toBe(true);
    const report = await verifyStream({ stream: 'tenant-a', entries: chain.entries as unknown as AuditEntry[], checkpoints: [cp], publicKeys: [chain.publicKey] });
    expect(report).toMatchObject({ ok: true, entries: 3, anchoredSeq: 3 });
  });
});

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAuditLog, ed25519Signer, exportBundle, generateSigningKey, memoryAuditStore } from './index.js';
import { fileWitness } from './node.js';

const dir = mkdtempSync(join(tmpdir(), 'armor-audit-cli-'));

async function cli(...args: string[]) {
  const child = spawn(process.execPath, ['--conditions=@armor/source', '--import', 'tsx', new URL('./cli.ts', import.meta.url).pathname, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  return { code, out, err };
}

async function bundle(name: string, tamper?: (lines: string[]) => string[]) {
  const key = generateSigningKey();
  const store = memoryAuditStore();
  const witnessDir = join(dir, `${name}-witness`);
  const log = createAuditLog({ store, signer: ed25519Signer(key.secretKey), witness: fileWitness(witnessDir) });
  for (let i = 0; i < 25; i++) await log.append({ action: 'x.y', actor: { id: 'u' }, metadata: { i } }, { stream: 'cli' });
  await log.checkpoint('cli');
  let lines: string[] = [];
  for await (const line of exportBundle({ store, stream: 'cli' })) lines.push(line);
  if (tamper) lines = tamper(lines);
  const file = join(dir, `${name}.jsonl`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const keyFile = join(dir, `${name}.pub`);
  writeFileSync(keyFile, `${key.publicKey}\n`);
  return { file, key, keyFile, witnessDir };
}

describe('armor-audit verify (child process)', () => {
  it('exits 0 on an untouched bundle (key inline or from a file)', async () => {
    const { file, key, keyFile } = await bundle('clean');
    const inline = await cli('verify', file, '--public-key', key.publicKey);
    expect(inline).toMatchObject({ code: 0, err: '' });
    expect(inline.out).toMatch(/^OK stream="cli" entries=25 seq=1\.\.25 checkpoints=1 anchored=25 unanchored=0/);
    expect((await cli('verify', file, '--public-key', `@${keyFile}`)).code).toBe(0);
  });

  it('exits 1 and lists the findings when the newest entries were deleted', async () => {
    const { file, key } = await bundle('truncated', (lines) => lines.slice(0, -3));
    const r = await cli('verify', file, '--public-key', key.publicKey);
    expect(r.code).toBe(1);
    expect(r.out).toContain('truncated_after_checkpoint');
  });

  it('exits 1 when the bundle drops the checkpoint but the witness kept it', async () => {
    const { file, key, witnessDir } = await bundle('witness', (lines) => lines.filter((l) => !l.startsWith('{"checkpoint"')));
    expect((await cli('verify', file, '--public-key', key.publicKey)).code).toBe(0); // the bundle alone cannot tell
    const r = await cli('verify', file, '--public-key', key.publicKey, '--witness', witnessDir, '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).findings.map((f: { kind: string }) => f.kind)).toContain('checkpoint_fork');
  });

  it('exits 1 with unknown_key for the wrong key', async () => {
    const { file } = await bundle('wrongkey');
    const r = await cli('verify', file, '--public-key', generateSigningKey().publicKey);
    expect(r.code).toBe(1);
    expect(r.out).toContain('unknown_key');
  });

  it('exits 2 with a message on bad usage, a malformed key, a missing file and a foreign file', async () => {
    const { file } = await bundle('usage');
    expect((await cli()).code).toBe(2);
    expect((await cli('verify', file)).err).toContain('usage');
    const badKey = await cli('verify', file, '--public-key', 'zz');
    expect(badKey).toMatchObject({ code: 2 });
    expect(badKey.err).toContain('32 bytes');
    expect((await cli('verify', join(dir, 'nope.jsonl'), '--public-key', 'a'.repeat(64))).err).toContain('no such file');
    const foreign = join(dir, 'foreign.jsonl');
    writeFileSync(foreign, '{"eventVersion":"1.08","eventSource":"s3.amazonaws.com"}\n');
    const r = await cli('verify', foreign, '--public-key', 'a'.repeat(64));
    expect(r.code).toBe(2);
    expect(r.err).toContain('Not an Armor audit bundle');
  });
}, 60_000);

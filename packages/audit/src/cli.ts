#!/usr/bin/env node
/**
 * `armor-audit verify <bundle.jsonl> --public-key <hex|@file> [--public-key …] [--witness <dir>] [--json]`:
 * verifies an exported bundle offline. Exit codes: 0 verified clean, 1 findings (tampering or
 * truncation), 2 bad usage or a file that is not a bundle. {@link runAuditCli} is the same as a function.
 *
 * @module
 */
import { closeSync, openSync, readFileSync, readSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isArmorError } from '@armor/errors';
import { verifyBundle } from './bundle.js';
import { bundleLines, fileWitness } from './node.js';
import type { Checkpoint } from './checkpoint.js';

const USAGE = 'usage: armor-audit verify <bundle.jsonl> --public-key <hex|@file> [--public-key ...] [--witness <dir>] [--json]';

/** Injectable output of {@link runAuditCli}. */
export interface AuditCliEnv {
  /** @default console.log */
  out?: (line: string) => void;
  /** @default console.error */
  err?: (line: string) => void;
}

/**
 * Runs the CLI with `args` (without `node` and the script) and resolves to the exit code.
 * @example
 * ```ts
 * const code = await runAuditCli(['verify', 'audit.jsonl', '--public-key', publicKeyHex]);
 * ```
 */
export async function runAuditCli(args: readonly string[], env: AuditCliEnv = {}): Promise<number> {
  const out = env.out ?? ((line: string) => console.log(line));
  const err = env.err ?? ((line: string) => console.error(line));
  const [command, ...rest] = args;
  if (command !== 'verify') {
    err(USAGE);
    return 2;
  }
  let file: string | undefined;
  const keys: string[] = [];
  let witnessDir: string | undefined;
  let json = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--public-key' || arg === '--witness') {
      const value = rest[++i];
      if (value === undefined) {
        err(`${arg} needs a value\n${USAGE}`);
        return 2;
      }
      if (arg === '--witness') witnessDir = value;
      else {
        try {
          keys.push(value.startsWith('@') ? readFileSync(value.slice(1), 'utf8').trim() : value);
        } catch {
          err(`cannot read the public key file ${value.slice(1)}`);
          return 2;
        }
      }
    } else if (arg === '--json') json = true;
    else if (!arg.startsWith('--') && file === undefined) file = arg;
    else {
      err(`unknown argument ${arg}\n${USAGE}`);
      return 2;
    }
  }
  if (!file || keys.length === 0) {
    err(USAGE);
    return 2;
  }
  try {
    realpathSync(file);
  } catch {
    err(`no such file: ${file}`);
    return 2;
  }
  try {
    let witnessed: Checkpoint[] | undefined;
    if (witnessDir) {
      const stream = (JSON.parse(readFirstLine(file)) as { stream?: unknown }).stream;
      witnessed = typeof stream === 'string' ? await fileWitness(witnessDir).list(stream) : [];
    }
    const report = await verifyBundle(bundleLines(file), { publicKeys: keys, ...(witnessed ? { witnessed } : {}) });
    if (json) out(JSON.stringify(report));
    else {
      out(
        `${report.ok ? 'OK' : 'FAILED'} stream=${JSON.stringify(report.stream)} entries=${report.entries} seq=${report.firstSeq}..${report.lastSeq} ` +
          `checkpoints=${report.checkpoints} anchored=${report.anchoredSeq} unanchored=${report.unanchored} erased=${report.erased} findings=${report.findings.length + report.omittedFindings}`,
      );
      for (const f of report.findings) out(`  ${f.kind} seq=${f.seq}: ${f.message}`);
    }
    return report.ok ? 0 : 1;
  } catch (error) {
    if (isArmorError(error)) {
      err(`${error.message}`);
      return 2;
    }
    err(`cannot verify ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
}

/** The first line (at most 64 KiB) without reading the whole, possibly huge, file. */
function readFirstLine(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buf = new Uint8Array(65536);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = new TextDecoder().decode(buf.subarray(0, n));
    const end = text.indexOf('\n');
    return end === -1 ? text : text.slice(0, end);
  } finally {
    closeSync(fd);
  }
}

function isMain(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  void runAuditCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

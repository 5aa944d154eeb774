/**
 * Node-only parts of `@armor/audit`: a write-once directory witness and a bundle file reader.
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { checkString } from '@armor/core';
import type { Checkpoint } from './checkpoint.js';
import type { AuditWitness } from './witness.js';

const SAFE = /^[A-Za-z0-9_.-]{1,200}$/;

function fileName(stream: string): string {
  // Stream names are free text: hex-encode so any name maps to one safe directory.
  return Buffer.from(stream, 'utf8').toString('hex');
}

/**
 * A witness that writes each checkpoint once to `<dir>/<hex(stream)>/<seq>-<id>.json` with the
 * exclusive-create flag: a checkpoint already written is never overwritten. Put `dir` on
 * storage the log's database credentials cannot reach (another volume, a WORM bucket mount, an
 * append-only NFS export).
 *
 * @example
 * ```ts
 * const witness = fileWitness('/var/lib/audit-witness');
 * ```
 */
export function fileWitness(dir: string): AuditWitness {
  checkString('dir', dir);
  return {
    async put(cp) {
      const folder = join(dir, fileName(cp.stream));
      await mkdir(folder, { recursive: true });
      const name = `${String(cp.seq).padStart(16, '0')}-${cp.id}.json`;
      if (!SAFE.test(name)) throw new Error('invalid checkpoint id');
      try {
        await writeFile(join(folder, name), `${JSON.stringify(cp)}\n`, { flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    },
    async list(stream) {
      const folder = join(dir, fileName(stream));
      let names: string[];
      try {
        names = (await readdir(folder)).filter((n) => n.endsWith('.json')).sort();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      return Promise.all(names.map(async (n) => JSON.parse(await readFile(join(folder, n), 'utf8')) as Checkpoint));
    },
  };
}

/** The lines of a (possibly huge) bundle file, streamed. */
export function bundleLines(path: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
}

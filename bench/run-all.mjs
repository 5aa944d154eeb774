#!/usr/bin/env node
// `pnpm bench`: runs every bench/*.bench.ts (or those named on the command line) one after
// another, each in its own Node process resolving workspace packages from source.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort();
let failed = 0;
for (const file of files) {
  console.log(`\n# ${file}`);
  const run = spawnSync(process.execPath, ['--conditions=@armor/source', '--import', 'tsx', `${here}/${file}`], {
    stdio: 'inherit',
    cwd: here,
  });
  if (run.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);

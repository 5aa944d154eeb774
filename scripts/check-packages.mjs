#!/usr/bin/env node
// Runs publint --strict and attw --pack on every public package (after `pnpm build`).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const only = process.argv.slice(2);
let failed = 0;
for (const dir of readdirSync('packages')) {
  const file = `packages/${dir}/package.json`;
  if (!existsSync(file)) continue;
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  if (pkg.private || (only.length && !only.includes(dir) && !only.includes(pkg.name))) continue;
  for (const [cmd, args] of [
    ['publint', ['--strict']],
    ['attw', ['--pack', '.', '--profile', 'node16', '--format', 'table-flipped']],
  ]) {
    try {
      execFileSync('pnpm', ['exec', cmd, ...args], { cwd: `packages/${dir}`, stdio: 'pipe' });
      console.log(`ok    ${pkg.name}: ${cmd}`);
    } catch (error) {
      failed++;
      console.log(`FAIL  ${pkg.name}: ${cmd}\n${error.stdout}${error.stderr}`);
    }
  }
}
if (failed) {
  console.error(`${failed} package check(s) failed`);
  process.exit(1);
}

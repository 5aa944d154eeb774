#!/usr/bin/env node
// Release rehearsal (after `pnpm build`): what `pnpm release` would do, on a scratch copy, with
// nothing published. Catches a broken `files`/`exports`/version bump before a real release.
//
// 1. Copies the committed tree (`git archive HEAD`) to a temp folder, with each package's dist/.
// 2. `changeset version` there: applies the pending changesets (versions, changelogs,
//    internal dependency ranges).
// 3. `pnpm publish -r --dry-run --no-git-checks` there: packs every public package as the real
//    publish would (publishConfig, workspace: ranges rewritten) without uploading.
// 4. Checks each bumped package: the dry run packed it, its packed package.json carries the
//    bumped version, no `workspace:` range and no `@armor/source` condition, and every internal
//    dependency range accepts the version being released alongside it.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { extract, publicPackages, repoRoot } from './pack-packages.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'armor-release-'));
const keep = process.env.ARMOR_REHEARSAL_KEEP === '1';
const problems = [];
const sh = (cmd, args, cwd = scratch) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });

try {
  const before = publicPackages();
  const unbuilt = before.filter((p) => !existsSync(join(p.dir, 'dist')));
  if (unbuilt.length) throw new Error(`not built: ${unbuilt.map((p) => p.name).join(', ')} — run \`pnpm build\` first`);

  // 1. scratch copy of the committed tree plus the build output
  execFileSync('bash', ['-c', `git archive --format=tar HEAD | tar -x -C "${scratch}"`], { cwd: repoRoot });
  for (const p of before) {
    const target = join(scratch, 'packages', p.folder);
    if (!existsSync(target)) {
      problems.push(`${p.name}: packages/${p.folder} is not committed`);
      continue;
    }
    cpSync(join(p.dir, 'dist'), join(target, 'dist'), { recursive: true });
  }

  // 2. changeset version
  const changesetBin = join(repoRoot, 'node_modules', '@changesets', 'cli', 'bin.js');
  const pending = readdirSync(join(scratch, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');
  console.log(`changeset version: ${pending.length} pending changeset(s)`);
  sh(process.execPath, [changesetBin, 'version']);
  const versions = new Map();
  for (const p of before) {
    const file = join(scratch, 'packages', p.folder, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    versions.set(p.name, pkg.version);
    if (pkg.version !== p.version) console.log(`  ${p.name} ${p.version} -> ${pkg.version}`);
  }
  // A major bump nobody asked for (changesets bumps a package to major when a workspace peer
  // dependency's new version leaves the peer range) is a release bug, not a release.
  const declaredMajor = new Set();
  for (const file of pending) {
    const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(repoRoot, '.changeset', file), 'utf8'))?.[1] ?? '';
    for (const m of front.matchAll(/^["']?([^"':]+)["']?\s*:\s*major\s*$/gm)) declaredMajor.add(m[1].trim());
  }
  for (const p of before) {
    const next = versions.get(p.name);
    if (!next) continue;
    if (Number(next.split('.')[0]) > Number(p.version.split('.')[0]) && !declaredMajor.has(p.name)) {
      problems.push(`${p.name}: ${p.version} -> ${next} is a major bump no changeset declares (a workspace peer dependency left its range?)`);
    }
  }

  // pnpm resolves `workspace:` ranges from the installed (linked) package: link the workspace
  // packages into each package's node_modules, as `pnpm install` would, without installing.
  const byName = new Map();
  for (const folder of readdirSync(join(scratch, 'packages'))) {
    const file = join(scratch, 'packages', folder, 'package.json');
    if (existsSync(file)) byName.set(JSON.parse(readFileSync(file, 'utf8')).name, join(scratch, 'packages', folder));
  }
  for (const dir of byName.values()) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const [dep, range] of Object.entries({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.devDependencies, ...pkg.optionalDependencies })) {
      if (!String(range).startsWith('workspace:') || !byName.has(dep)) continue;
      const link = join(dir, 'node_modules', dep);
      if (existsSync(link)) continue;
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(relative(dirname(link), byName.get(dep)), link);
    }
  }

  // 3. pnpm publish --dry-run (packs into the scratch folder; nothing is uploaded)
  const out = sh('pnpm', ['publish', '-r', '--dry-run', '--no-git-checks', '--report-summary'], scratch);
  console.log(out.split('\n').filter((l) => /^\+ |Tarball|name:|version:|filename:|total files/.test(l.trim()) || l.includes('@armor/')).slice(0, 200).join('\n'));

  // 4. pack each package from the scratch copy and read what would be published
  for (const p of before) {
    const dir = join(scratch, 'packages', p.folder);
    if (!existsSync(dir)) continue;
    const tgz = sh('pnpm', ['pack', '--pack-destination', join(scratch, '.tarballs')], dir).trim().split('\n').pop().trim();
    const root = await extract(tgz, join(scratch, '.unpacked', p.folder));
    const packed = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    if (packed.version !== versions.get(p.name)) problems.push(`${p.name}: packed version ${packed.version}, expected ${versions.get(p.name)}`);
    if (JSON.stringify(packed.exports).includes('@armor/source')) problems.push(`${p.name}: packed exports keep "@armor/source"`);
    for (const field of ['dependencies', 'peerDependencies']) {
      for (const [dep, range] of Object.entries(packed[field] ?? {})) {
        if (String(range).startsWith('workspace:')) problems.push(`${p.name}: ${field}.${dep} is "${range}" in the tarball`);
        const released = versions.get(dep);
        if (released && !satisfiesCaret(range, released)) problems.push(`${p.name}: ${field}.${dep} "${range}" does not accept the released ${released}`);
      }
    }
  }
} catch (error) {
  problems.push(`${error.message}${error.stderr ? `\n${error.stderr}` : ''}${error.stdout ? `\n${error.stdout}` : ''}`);
} finally {
  if (!keep) rmSync(scratch, { recursive: true, force: true });
  else console.log(`scratch copy kept in ${scratch}`);
}

/** `^x.y.z` / `x.y.z` / `>=x` ranges as pnpm writes them for workspace dependencies. */
function satisfiesCaret(range, version) {
  const [maj, min, pat] = version.split(/[.-]/).map(Number);
  const m = /^(\^|~|>=)?(\d+)\.(\d+)\.(\d+)/.exec(String(range).trim());
  if (!m) return true; // an unusual range: not ours to judge here
  const [, op = '', a, b, c] = m;
  const [A, B, C] = [Number(a), Number(b), Number(c)];
  const gte = maj > A || (maj === A && (min > B || (min === B && pat >= C)));
  if (op === '>=') return gte;
  if (op === '') return maj === A && min === B && pat === C;
  if (op === '~') return gte && maj === A && min === B;
  return gte && (A > 0 ? maj === A : B > 0 ? maj === 0 && min === B : maj === 0 && min === 0 && pat === C);
}

if (problems.length) {
  console.error(`release rehearsal failed:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  process.exit(1);
}
console.log('release rehearsal: ok (nothing was published)');

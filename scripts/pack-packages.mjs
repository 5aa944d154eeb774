// Packs the public Armor packages the way they are published (`pnpm pack`: `workspace:` ranges
// replaced, `publishConfig` overrides applied) and reads the tarballs. Shared by
// scripts/check-packages.mjs, scripts/release-rehearsal.mjs and the consumer suite (tests/consumer).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Every public (non-private) package under packages/, in dependency order (a package after the
 * workspace packages it depends on).
 * @returns {{ dir: string, name: string, version: string, pkg: any }[]}
 */
export function publicPackages(only = []) {
  const all = [];
  for (const entry of readdirSync(join(repoRoot, 'packages'), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(repoRoot, 'packages', entry.name);
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    if (pkg.private) continue;
    if (only.length && !only.includes(entry.name) && !only.includes(pkg.name)) continue;
    all.push({ dir, folder: entry.name, name: pkg.name, version: pkg.version, pkg });
  }
  const byName = new Map(all.map((p) => [p.name, p]));
  const sorted = [];
  const seen = new Set();
  const visit = (p) => {
    if (seen.has(p.name)) return;
    seen.add(p.name);
    for (const dep of Object.keys({ ...p.pkg.dependencies, ...p.pkg.peerDependencies })) {
      const d = byName.get(dep);
      if (d) visit(d);
    }
    sorted.push(p);
  };
  for (const p of all.sort((a, b) => a.name.localeCompare(b.name))) visit(p);
  return sorted;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return results;
}

/**
 * `pnpm pack` of one package into `dest`; returns the tarball path. Fails when the package has
 * not been built (no dist/).
 */
export async function packPackage(p, dest) {
  if (!existsSync(join(p.dir, 'dist'))) throw new Error(`${p.name}: no dist/ — run \`pnpm build\` first`);
  mkdirSync(dest, { recursive: true });
  const { stdout } = await run('pnpm', ['pack', '--pack-destination', dest], { cwd: p.dir, maxBuffer: 64 * 1024 * 1024 });
  const tgz = stdout.trim().split('\n').map((l) => l.trim()).reverse().find((l) => l.endsWith('.tgz'));
  if (!tgz || !existsSync(tgz)) throw new Error(`${p.name}: pnpm pack printed no tarball path:\n${stdout}`);
  return tgz;
}

/** Packs every package (2 at a time); returns `[{ ...package, tarball }]`. */
export async function packAll(dest, only = []) {
  const packages = publicPackages(only);
  return pool(packages, 2, async (p) => ({ ...p, tarball: await packPackage(p, dest) }));
}

/** Extracts `tarball` into `dir` (`dir/package/...`). */
export async function extract(tarball, dir) {
  mkdirSync(dir, { recursive: true });
  await run('tar', ['xzf', tarball, '-C', dir]);
  return join(dir, 'package');
}

/** The built entry points of an exports map: `[{ subpath: '.', spec: '@armor/x', key: '.' }, ...]`. */
export function entryPoints(name, exportsMap) {
  return Object.keys(exportsMap)
    .filter((key) => key !== './package.json')
    .map((key) => ({ key, subpath: key.slice(2), spec: key === '.' ? name : `${name}/${key.slice(2)}` }));
}

/**
 * `npm install` of packed tarballs (plus `extras`, name → range: the peers and tools a user
 * installs beside Armor) into `project`, a throwaway folder outside the workspace: no
 * `@armor/source` condition, no workspace links. An Armor package's dependency on another Armor
 * package resolves to its tarball (an `overrides` entry), never to the registry.
 */
export async function installTarballs(project, packed, extras = {}) {
  const { writeFileSync } = await import('node:fs');
  const deps = { ...extras };
  const overrides = {};
  for (const p of packed) {
    deps[p.name] = `file:${p.tarball}`;
    overrides[p.name] = `$${p.name}`;
  }
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'armor-consumer', private: true, version: '0.0.0', dependencies: deps, overrides }, null, 2));
  try {
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', '--ignore-scripts'], {
      cwd: project,
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
  } catch (error) {
    throw new Error(`npm install failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  }
}

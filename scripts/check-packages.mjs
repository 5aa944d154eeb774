#!/usr/bin/env node
// The publish gate (after `pnpm build`): packs every public package exactly as it is published
// (`pnpm pack`, so `publishConfig.exports` and the `workspace:` rewrite apply) and checks the tarball:
// - publint --strict on the tarball;
// - attw on the tarball with its default `strict` profile: node10, node16 (CJS and ESM) and bundler
//   resolution of every entry point and subpath;
// - Armor's own rules: LICENSE and README in the tarball, no src/, no `@armor/source` condition
//   and no `workspace:` range in the packed package.json, every exports/typesVersions target
//   present, a typesVersions entry for every subpath (node10), one `//# sourceMappingURL` per
//   built file and source maps that embed their sources, every import of the built JS and types
//   declared as a dependency or peer, the root entry's types free of optional peers, and README
//   links that resolve on the registry page (relative links only to files in the tarball), and no
//   image in the tarball (READMEs link them by absolute URL), and no
//   inlined copy of another Armor package in any built file (internal packages are dependencies:
//   a second copy of `@armor/errors` breaks `instanceof ConfigurationError`);
// - the workspace package.json in sync with `node scripts/make-package.mjs --sync`.
// Usage: node scripts/check-packages.mjs [package...]
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { packagingFields } from './make-package.mjs';
import { extract, packPackage, pool, publicPackages, repoRoot } from './pack-packages.mjs';

const run = promisify(execFile);
const only = process.argv.slice(2);
const work = mkdtempSync(join(tmpdir(), 'armor-check-packages-'));
const builtins = new Set(builtinModules);
/** Folder names of every workspace package (an inlined `../<folder>/src/...` module is another package's code). */
const armorFolders = new Set(readdirSync(join(repoRoot, 'packages'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name));

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** Bare module specifiers imported by a JS or .d.ts file. */
function bareImports(source) {
  // comments (TSDoc @example blocks show imports that are not imports)
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specs = new Set();
  const patterns = [
    /(?:^|[\s;}])(?:import|export)\s[^'"]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /(?:^|[\s;}])import\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) specs.add(m[1]);
  return [...specs];
}
const packageOf = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
const isBuiltin = (spec) => spec.startsWith('node:') || builtins.has(spec.split('/')[0]);

/** The .d.ts files the types of `entry` reach through relative imports. */
function typeClosure(root, entry) {
  const seen = new Set();
  const stack = [join(root, entry)];
  while (stack.length) {
    const file = stack.pop();
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    for (const spec of bareImports(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const base = join(dirname(file), spec);
      const candidates = [base.replace(/\.js$/, '.d.ts'), base.replace(/\.cjs$/, '.d.cts'), base.replace(/\.mjs$/, '.d.mts'), `${base}.d.ts`, base];
      const hit = candidates.find((c) => /\.d\.[cm]?ts$/.test(c) && existsSync(c));
      if (hit) stack.push(hit);
    }
  }
  return [...seen];
}

/** Armor's own rules on an extracted tarball; returns a list of problems. */
function armorRules(p, root) {
  const problems = [];
  const packed = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const files = walk(root).map((f) => relative(root, f));
  for (const required of ['LICENSE', 'README.md', 'package.json']) {
    if (!files.includes(required)) problems.push(`${required} is not in the tarball (add it to "files")`);
  }
  const images = files.filter((f) => /\.(png|jpe?g|gif|webp|avif)$/i.test(f));
  if (images.length) problems.push(`${images.join(', ')} are published: link images from the README by absolute GitHub URL and keep them out of "files"`);
  if (files.some((f) => f.startsWith('src/'))) problems.push('src/ is published (the source maps embed the sources; publish dist only)');
  const exportsText = JSON.stringify(packed.exports ?? {});
  if (exportsText.includes('@armor/source')) problems.push('the packed exports keep the workspace-only "@armor/source" condition (set publishConfig.exports)');
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [dep, range] of Object.entries(packed[field] ?? {})) {
      if (String(range).startsWith('workspace:')) problems.push(`${field}.${dep} is still "${range}" in the tarball`);
    }
  }
  const targets = new Set();
  const collect = (v) => (typeof v === 'string' ? targets.add(v) : v && typeof v === 'object' && Object.values(v).forEach(collect));
  collect(packed.exports);
  collect(packed.typesVersions);
  for (const field of ['main', 'module', 'types']) if (packed[field]) targets.add(packed[field]);
  if (typeof packed.bin === 'string') targets.add(packed.bin);
  else collect(packed.bin);
  for (const t of targets) if (!t.includes('*') && !existsSync(join(root, t))) problems.push(`${t} (named in package.json) is not in the tarball`);
  const mapped = packed.typesVersions?.['*'] ?? {};
  for (const key of Object.keys(packed.exports ?? {})) {
    if (key === '.' || key === './package.json') continue;
    if (!mapped[key.slice(2)]) problems.push(`subpath ${key} has no typesVersions entry (node10 resolution cannot find it)`);
  }
  // built JS: one source map comment, maps that embed their sources
  for (const f of files.filter((f) => /\.(c|m)?js$/.test(f))) {
    const code = readFileSync(join(root, f), 'utf8');
    const comments = code.match(/^\/\/# sourceMappingURL=.*$/gm) ?? [];
    if (comments.length > 1) problems.push(`${f} has ${comments.length} sourceMappingURL comments`);
    for (const c of comments.slice(0, 1)) {
      const url = c.replace('//# sourceMappingURL=', '').trim();
      if (url.startsWith('data:')) continue;
      const mapFile = join(root, dirname(f), url);
      if (!existsSync(mapFile)) {
        problems.push(`${f}: its source map ${url} is not in the tarball`);
        continue;
      }
      const map = JSON.parse(readFileSync(mapFile, 'utf8'));
      const missing = (map.sources ?? []).filter((_, i) => typeof map.sourcesContent?.[i] !== 'string');
      if (missing.length) problems.push(`${relative(root, mapFile)} does not embed ${missing.length} source(s) (sourcesContent) though src/ is not published`);
    }
  }
  // no built file carries another Armor package's code: esbuild names every module it inlines in a
  // `// path` comment, and the source maps list every source; both must stay inside this package.
  const foreign = (path) => {
    const p = path.replace(/\\/g, '/');
    const pkgDir = /(?:^|\/)node_modules\/(@armor\/[^/]+)\//.exec(p)?.[1];
    if (pkgDir) return pkgDir;
    // ../<folder>/src/x.ts or ../<folder>/dist/x.js seen from the package (comments) or from dist/ (maps)
    const sibling = /^(?:\.\.\/)+([^./][^/]*)\/(?:src|dist)\//.exec(p)?.[1];
    return sibling && armorFolders.has(sibling) ? `@armor/${sibling}` : null;
  };
  /** owner package → built files that carry a copy of it */
  const inlined = new Map();
  const note = (owner, f) => owner && owner !== packed.name && inlined.set(owner, new Set([...(inlined.get(owner) ?? []), f]));
  for (const f of files.filter((f) => /\.(c|m)?js$/.test(f))) {
    for (const m of readFileSync(join(root, f), 'utf8').matchAll(/^\/\/ (\S+\.[cm]?[jt]sx?)$/gm)) note(foreign(m[1]), f);
  }
  for (const f of files.filter((f) => f.endsWith('.map'))) {
    let map;
    try {
      map = JSON.parse(readFileSync(join(root, f), 'utf8'));
    } catch {
      continue;
    }
    for (const source of map.sources ?? []) note(foreign(source), f);
  }
  for (const [owner, where] of inlined) {
    problems.push(`${[...where].sort().join(', ')} carry a copy of ${owner} (declare it in "dependencies", not devDependencies, so the build keeps it external)`);
  }
  // every import of built code is declared
  const declared = new Set([packed.name, ...Object.keys({ ...packed.dependencies, ...packed.peerDependencies, ...packed.optionalDependencies })]);
  const undeclared = new Map();
  for (const f of files.filter((f) => /\.(c|m)?js$|\.d\.(c|m)?ts$/.test(f))) {
    for (const spec of bareImports(readFileSync(join(root, f), 'utf8'))) {
      if (spec.startsWith('.') || isBuiltin(spec) || declared.has(packageOf(spec))) continue;
      undeclared.set(packageOf(spec), f);
    }
  }
  for (const [dep, f] of undeclared) problems.push(`${f} imports "${dep}", which is not a dependency or peer dependency`);
  // the root entry's types must not need an optional peer
  const optional = Object.entries(packed.peerDependenciesMeta ?? {}).filter(([, m]) => m?.optional).map(([d]) => d);
  const rootTypes = [packed.exports?.['.']?.import?.types, packed.exports?.['.']?.require?.types].filter(Boolean);
  for (const entry of rootTypes) {
    for (const file of typeClosure(root, entry)) {
      for (const spec of bareImports(readFileSync(file, 'utf8'))) {
        const dep = packageOf(spec);
        if (optional.includes(dep) || optional.includes(`@types/${dep}`)) {
          problems.push(`the root types (${entry}) import the optional peer "${dep}" (in ${relative(root, file)}): move it to a subpath or use a structural type`);
        }
      }
    }
  }
  // README links must work on the registry page
  const readme = existsSync(join(root, 'README.md')) ? readFileSync(join(root, 'README.md'), 'utf8') : '';
  const links = [...readme.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g), ...readme.matchAll(/<img[^>]+src="([^"]+)"/g)].map((m) => m[1]);
  for (const link of links) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link) || link.startsWith('#')) continue;
    const target = link.split('#')[0];
    if (target.startsWith('..') || !existsSync(join(root, target))) {
      problems.push(`README link "${link}" does not resolve in the published package (use https://github.com/armor-dev/armor/tree/main/packages/<name>)`);
    }
  }
  // the workspace package.json matches what make-package.mjs derives
  const fields = packagingFields(p.folder, p.pkg.exports);
  for (const [key, want] of Object.entries(fields)) {
    if (JSON.stringify(p.pkg[key]) !== JSON.stringify(want)) {
      problems.push(`packages/${p.folder}/package.json "${key}" is out of date: run \`node scripts/make-package.mjs --sync packages/${p.folder}\``);
    }
  }
  return problems;
}

async function tool(cmd, args) {
  try {
    await run('pnpm', ['exec', cmd, ...args], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
    return null;
  } catch (error) {
    return `${error.stdout ?? ''}${error.stderr ?? ''}`.trim() || String(error);
  }
}

const packages = publicPackages(only);
let failed = 0;
const results = await pool(packages, 2, async (p) => {
  const lines = [];
  let tarball;
  try {
    tarball = await packPackage(p, join(work, 'tgz'));
  } catch (error) {
    return [`FAIL  ${p.name}: pack\n${error.message}`];
  }
  const root = await extract(tarball, join(work, p.folder));
  const checks = [
    ['publint --strict', () => tool('publint', ['run', tarball, '--strict'])],
    ['attw (node10, node16-cjs, node16-esm, bundler)', () => tool('attw', [tarball, '--profile', 'strict', '--no-definitely-typed', '--format', 'table-flipped'])],
    ['armor packaging rules', async () => {
      const problems = armorRules(p, root);
      return problems.length ? problems.map((x) => `  - ${x}`).join('\n') : null;
    }],
  ];
  for (const [label, check] of checks) {
    const problem = await check();
    if (problem) {
      failed++;
      lines.push(`FAIL  ${p.name}: ${label}\n${problem}`);
    } else {
      lines.push(`ok    ${p.name}: ${label}`);
    }
  }
  return lines;
});
for (const lines of results) console.log(lines.join('\n'));
rmSync(work, { recursive: true, force: true });
if (failed) {
  console.error(`${failed} package check(s) failed`);
  process.exit(1);
}

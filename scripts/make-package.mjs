#!/usr/bin/env node
// Writes (or rewrites) the package.json of a public Armor package with the conventions every
// package shares: ESM + CJS + types per entry, the `@armor/source` condition, sideEffects false.
//
//   node scripts/make-package.mjs <dir> <description> <entry,entry...>
//     new package (or full rewrite): package.json, tsup.config.ts and tsconfig.json.
//     Existing dependencies, scripts and extra fields are kept.
//   node scripts/make-package.mjs --sync [dir...]
//     only the packaging fields (exports, typesVersions, files, publishConfig) of existing
//     public packages, derived from their `exports` keys; everything else is left as it is.
//     Run it after adding a subpath to `exports` (check:packages says when it is needed).
//
// The packaging fields:
// - `exports`: per entry `@armor/source` (workspace only: tests and examples run on src/),
//   then import/require, each with its own types (.d.ts / .d.cts).
// - `publishConfig.exports`: the same map WITHOUT `@armor/source`. pnpm replaces `exports` with
//   it in the packed package.json, so the published package has no condition pointing at src/
//   (which is not published: the source maps embed it via sourcesContent).
// - `typesVersions`: maps every subpath to its .d.ts, so TypeScript's legacy
//   `"moduleResolution": "node"` (node10), which ignores `exports`, finds `@armor/x/express`.
// - `files`: dist, README.md, LICENSE (plus `extraFiles`, when a package must ship more). Images
//   stay out of tarballs: READMEs link them by absolute GitHub URL (the dashboard's screenshots).
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const SOURCE = '@armor/source';
/** Files some packages publish besides dist/README/LICENSE (paths relative to the package). */
const extraFiles = {};

/** The exports entry of one built entry point. */
function entryExports(entry) {
  return {
    [SOURCE]: `./src/${entry}.ts`,
    import: { types: `./dist/${entry}.d.ts`, default: `./dist/${entry}.js` },
    require: { types: `./dist/${entry}.d.cts`, default: `./dist/${entry}.cjs` },
  };
}

/** `exports` without the workspace-only source condition (what is published). */
export function publishedExports(exportsMap) {
  const strip = (value) => {
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== SOURCE).map(([k, v]) => [k, strip(v)]));
  };
  return strip(exportsMap);
}

/** `typesVersions` for node10 resolution: every subpath (not `.`, not package.json) to its ESM .d.ts. */
export function typesVersionsFor(exportsMap) {
  const map = {};
  for (const [key, value] of Object.entries(exportsMap)) {
    if (key === '.' || key === './package.json' || typeof value !== 'object') continue;
    const types = value.import?.types ?? value.types;
    if (types) map[key.slice(2)] = [types];
  }
  return Object.keys(map).length ? { '*': map } : undefined;
}

/** The packaging fields of a package, derived from its exports map. */
export function packagingFields(dirName, exportsMap) {
  const files = ['dist', 'README.md', 'LICENSE', ...(extraFiles[dirName] ?? [])];
  return {
    exports: exportsMap,
    typesVersions: typesVersionsFor(exportsMap),
    files,
    publishConfig: { access: 'public', provenance: true, exports: publishedExports(exportsMap) },
  };
}

/** Rewrites only the packaging fields of `file`, keeping key order and every other field. */
function sync(dir) {
  const file = `${dir}/package.json`;
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  if (pkg.private) return false;
  const fields = packagingFields(dir.split('/').pop(), pkg.exports);
  const out = {};
  for (const [key, value] of Object.entries(pkg)) {
    if (key === 'typesVersions') continue;
    out[key] = key in fields ? fields[key] : value;
    // typesVersions sits right after `types`
    if (key === 'types' && fields.typesVersions) out.typesVersions = fields.typesVersions;
  }
  if (fields.typesVersions && !out.typesVersions) out.typesVersions = fields.typesVersions;
  const text = `${JSON.stringify(out, null, 2)}\n`;
  if (text === readFileSync(file, 'utf8')) return false;
  writeFileSync(file, text);
  return true;
}

function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--sync') {
    const dirs = args.length > 1 ? args.slice(1) : readdirSync('packages').map((d) => `packages/${d}`).filter((d) => existsSync(`${d}/package.json`));
    for (const dir of dirs) if (sync(dir.replace(/\/$/, ''))) console.log(`synced ${dir}/package.json`);
    return;
  }

  const [dir, description, entryList = 'index'] = args;
  if (!dir || !description) {
    console.error('usage: make-package.mjs <dir> <description> [entries]\n       make-package.mjs --sync [dir...]');
    process.exitCode = 1;
    return;
  }
  const dirName = dir.split('/').pop();
  const name = `@armor/${dirName}`;
  const file = `${dir}/package.json`;
  const old = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const entries = entryList.split(',');
  const exportsMap = {};
  for (const entry of entries) exportsMap[entry === 'index' ? '.' : `./${entry}`] = entryExports(entry);
  exportsMap['./package.json'] = './package.json';
  const packaging = packagingFields(dirName, exportsMap);
  const pkg = {
    name,
    version: old.version ?? '0.1.0',
    description,
    license: 'MIT',
    type: 'module',
    sideEffects: false,
    engines: { node: '>=20' },
    repository: { type: 'git', url: 'git+https://github.com/armor-dev/armor.git', directory: dir },
    keywords: old.keywords ?? ['armor', 'production', dirName],
    exports: packaging.exports,
    main: './dist/index.cjs',
    module: './dist/index.js',
    types: './dist/index.d.ts',
    ...(packaging.typesVersions ? { typesVersions: packaging.typesVersions } : {}),
    files: packaging.files,
    publishConfig: packaging.publishConfig,
    scripts: {
      build: 'tsup',
      typecheck: 'tsc --noEmit -p .',
      ...old.scripts,
    },
    ...Object.fromEntries(
      Object.entries(old).filter(([k]) => !['name', 'version', 'description', 'license', 'type', 'sideEffects', 'engines', 'repository', 'keywords', 'exports', 'main', 'module', 'types', 'typesVersions', 'files', 'publishConfig', 'scripts'].includes(k)),
    ),
  };
  writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
  const license = `${dir}/LICENSE`;
  if (!existsSync(license) && existsSync('packages/core/LICENSE')) writeFileSync(license, readFileSync('packages/core/LICENSE'));
  const tsup = `${dir}/tsup.config.ts`;
  writeFileSync(
    tsup,
    `import { armorTsup } from '../../tsup.config.base';\n\nexport default armorTsup({\n${entries.map((e) => `  '${e}': 'src/${e}.ts',`).join('\n')}\n});\n`,
  );
  const tsconfig = `${dir}/tsconfig.json`;
  if (!existsSync(tsconfig)) {
    writeFileSync(tsconfig, `{\n  "extends": "../../tsconfig.base.json",\n  "include": ["src", "test", "*.ts"]\n}\n`);
  }
  console.log(`wrote ${file}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();

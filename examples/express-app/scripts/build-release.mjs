#!/usr/bin/env node
// Builds one self-contained release of express-app for scripts/deploy.sh:
//
//   node scripts/build-release.mjs <source dir> <release dir>
//
// The service is written in TypeScript and, in development, runs from source through tsx with
// the `@armor/source` condition (workspace packages straight from packages/*/src). A release
// must not change when that source tree does (a `git pull`, an edit, a branch switch), so this
// build snapshots everything the running service loads:
//
//   dist/server.mjs, dist/migrate.mjs (+ chunks, source maps)
//       src/server.ts and src/migrate.ts bundled by esbuild together with the @armor/*
//       workspace packages (from source) and every pure-JavaScript npm dependency
//       (express, pg, ioredis, zod, lru-cache, ...). Plain `node`, no tsx, at run time.
//   node_modules/@electric-sql/pglite
//       PGlite loads its WebAssembly and data files next to its own module, so it is not
//       bundled but copied (hard links when the file system allows, else a copy).
//   dist/dashboard/
//       the /monitoring page as already built in the source (`pnpm --filter express-app
//       build:dashboard`); when it is missing the release serves the "not built" page.
//   package.json, BUILD (what was built from where, and when)
//
// Nothing in the release points back into the source tree or the workspace's node_modules.
// esbuild itself comes with tsx (a dependency of this app), so the build needs nothing extra.
import { cpSync, existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const [sourceArg, outArg] = process.argv.slice(2);
if (!sourceArg || !outArg) {
  process.stderr.write('usage: build-release.mjs <source dir> <release dir>\n');
  process.exit(2);
}
const source = resolve(sourceArg);
const out = resolve(outArg);
const fail = (message) => {
  process.stderr.write(`build-release: ${message}\n`);
  process.exit(1);
};
for (const entry of ['src/server.ts', 'src/migrate.ts', 'node_modules']) {
  if (!existsSync(join(source, entry))) fail(`${join(source, entry)} is missing${entry === 'node_modules' ? ' (run pnpm install)' : ''}`);
}

const fromSource = createRequire(join(source, 'package.json'));
let esbuild;
try {
  esbuild = createRequire(fromSource.resolve('tsx/package.json'))('esbuild');
} catch (error) {
  fail(`cannot load esbuild through tsx from ${source}: ${error.message}`);
}

// Packages that cannot be bundled: PGlite (reads its .wasm/.data files relative to itself) and
// pg's optional native binding (only loaded when `pg.native` is used, which this app does not).
const external = ['@electric-sql/pglite', 'pg-native'];

mkdirSync(join(out, 'dist'), { recursive: true });
try {
  await esbuild.build({
    absWorkingDir: source,
    entryPoints: { server: 'src/server.ts', migrate: 'src/migrate.ts' },
    outdir: join(out, 'dist'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    conditions: ['@armor/source'],
    external,
    sourcemap: 'linked',
    // CommonJS dependencies (express, pg, ioredis) call require() for Node built-ins.
    banner: { js: "import { createRequire as __armorCreateRequire } from 'node:module'; const require = __armorCreateRequire(import.meta.url);" },
    logLevel: 'error',
  });
} catch (error) {
  fail(`bundling failed: ${String(error.message).split('\n')[0]}`);
}

// PGlite: hard-link its files into the release (cheap, and pnpm never edits store files in
// place); fall back to a plain copy across file systems.
const pglite = realpathSync(join(source, 'node_modules/@electric-sql/pglite'));
const pgliteOut = join(out, 'node_modules/@electric-sql/pglite');
mkdirSync(join(out, 'node_modules/@electric-sql'), { recursive: true });
try {
  execFileSync('cp', ['-RLl', pglite, pgliteOut], { stdio: 'ignore' });
} catch {
  cpSync(pglite, pgliteOut, { recursive: true, dereference: true, force: true });
}

const dashboard = join(source, 'dist/dashboard');
const hasDashboard = existsSync(join(dashboard, 'index.html'));
if (hasDashboard) cpSync(dashboard, join(out, 'dist/dashboard'), { recursive: true });

const pkg = fromSource('./package.json');
writeFileSync(join(out, 'package.json'), `${JSON.stringify({ name: `${pkg.name}-release`, version: pkg.version, private: true, type: 'module' }, null, 2)}\n`);
let commit = 'unknown';
try {
  commit = execFileSync('git', ['-C', source, 'rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const dirty = execFileSync('git', ['-C', source, '--no-optional-locks', 'status', '--porcelain', '--', '.'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  if (dirty) commit += ' (with uncommitted changes)';
} catch {
  // not a git checkout
}
writeFileSync(
  join(out, 'BUILD'),
  [`source: ${source}`, `commit: ${commit}`, `built: ${new Date().toISOString()}`, `node: ${process.version}`, `esbuild: ${esbuild.version}`, `dashboard: ${hasDashboard ? 'copied from dist/dashboard' : 'not built'}`, ''].join('\n'),
);

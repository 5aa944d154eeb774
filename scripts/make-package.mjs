#!/usr/bin/env node
// Writes (or rewrites) the package.json of a public Armor package with the conventions every
// package shares: ESM + CJS + types per entry, the `@armor/source` condition, sideEffects false.
// Usage: node scripts/make-package.mjs <dir> <description> <entry,entry...>
// Existing dependencies, scripts and extra fields are kept.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const [dir, description, entryList = 'index'] = process.argv.slice(2);
if (!dir || !description) {
  console.error('usage: make-package.mjs <dir> <description> [entries]');
  process.exit(1);
}
const name = `@armor/${dir.split('/').pop()}`;
const file = `${dir}/package.json`;
const old = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
const entries = entryList.split(',');
const exportsMap = {};
for (const entry of entries) {
  const key = entry === 'index' ? '.' : `./${entry}`;
  exportsMap[key] = {
    '@armor/source': `./src/${entry}.ts`,
    import: { types: `./dist/${entry}.d.ts`, default: `./dist/${entry}.js` },
    require: { types: `./dist/${entry}.d.cts`, default: `./dist/${entry}.cjs` },
  };
}
exportsMap['./package.json'] = './package.json';
const pkg = {
  name,
  version: old.version ?? '0.1.0',
  description,
  license: 'MIT',
  type: 'module',
  sideEffects: false,
  engines: { node: '>=20' },
  repository: { type: 'git', url: 'git+https://github.com/armor-dev/armor.git', directory: dir },
  keywords: old.keywords ?? ['armor', 'production', dir.split('/').pop()],
  exports: exportsMap,
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.ts',
  files: ['dist', 'src', '!src/**/*.test.ts', '!src/**/*.test.tsx', '!src/**/*.test-d.ts', 'README.md'],
  publishConfig: { access: 'public', provenance: true },
  scripts: {
    build: 'tsup',
    typecheck: 'tsc --noEmit -p .',
    ...old.scripts,
  },
  ...Object.fromEntries(
    Object.entries(old).filter(([k]) => !['name', 'version', 'description', 'license', 'type', 'sideEffects', 'engines', 'repository', 'keywords', 'exports', 'main', 'module', 'types', 'files', 'publishConfig', 'scripts'].includes(k)),
  ),
};
writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
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

/**
 * The consumer matrix: every public package as a user gets it from the registry.
 *
 * `pnpm pack` each package (after `pnpm build`), `npm install` all tarballs into ONE throwaway
 * project under os.tmpdir() (outside the workspace: no `@armor/source`, no workspace links), with
 * the optional peers a user of the subpaths installs (express + @types/express, convex, react,
 * ioredis, zod), then for every entry point and subpath:
 *
 * - ESM: `import()` in Node; CJS: `require()` in Node; both must expose named exports;
 * - TypeScript `nodenext` (from an .mts and from a .cts), `bundler` and `node10`
 *   (`"moduleResolution": "node"`), strict, `skipLibCheck: false`;
 * - edge (root entries): esbuild `--platform=neutral` bundle, evaluated in `@edge-runtime/vm`;
 * - root types need no optional peer (TypeScript's resolution trace of a root-only import never
 *   resolves ioredis/express/convex/react...).
 *
 * The matrix is printed as a table. Fast on re-runs: npm's cache is warm, `--prefer-offline`.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EdgeVM } from '@edge-runtime/vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryPoints, installTarballs, packAll, publicPackages, type PackedPackage } from '../../scripts/pack-packages.mjs';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');

/** What a user of the subpaths installs beside Armor (optional peers and their types). */
const EXTRAS: Record<string, string> = {
  express: '^5.1.0',
  '@types/express': '^5.0.6',
  convex: '^1.17.0',
  react: '^19.0.0',
  'react-dom': '^19.0.0',
  '@types/react': '^19.0.0',
  ioredis: '^5.4.0',
  zod: '^4.0.0',
  '@types/node': '^20.19.0',
  esbuild: '^0.27.0',
  // the /hono and /fastify subpaths (types-only imports of their framework)
  hono: '^4.13.0',
  fastify: '^5.12.0',
};

type Column = 'ESM' | 'CJS' | 'TS nodenext' | 'TS bundler' | 'TS node10' | 'edge';
const COLUMNS: Column[] = ['ESM', 'CJS', 'TS nodenext', 'TS bundler', 'TS node10', 'edge'];

interface Entry {
  pkg: string;
  spec: string;
  root: boolean;
}

const keep = process.env.ARMOR_CONSUMER_KEEP === '1';
const project = mkdtempSync(join(tmpdir(), 'armor-consumer-'));
let entries: Entry[] = [];
let packed: PackedPackage[] = [];
/** results[spec][column] = 'ok' | '-' | failure text */
const results = new Map<string, Map<Column, string>>();
const set = (spec: string, column: Column, value: string) => {
  const row = results.get(spec) ?? new Map<Column, string>();
  if (!row.has(column) || row.get(column) === 'ok' || row.get(column) === '-') row.set(column, value);
  else if (value !== 'ok') row.set(column, `${row.get(column)}; ${value}`);
  results.set(spec, row);
};
let rootTypesTrace = '';
const timings: string[] = [];
async function timed<T>(label: string, step: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await step();
  } finally {
    timings.push(`${label} ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }
}
let setupError: unknown;

async function sh(cmd: string, args: string[], cwd = project): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NODE_OPTIONS: '' } });
    return { code: 0, out: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string; message: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message };
  }
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim())?.trim().slice(0, 160) ?? 'failed';
}

async function runtimeColumn(column: 'ESM' | 'CJS'): Promise<void> {
  const specs = entries.map((e) => e.spec);
  const file = column === 'ESM' ? 'load.mjs' : 'load.cjs';
  const load = column === 'ESM' ? 'await import(spec)' : 'require(spec)';
  const body = `const specs = ${JSON.stringify(specs)};
const out = {};
${column === 'ESM' ? '' : '(async () => {'}
for (const spec of specs) {
  try {
    const m = ${load};
    out[spec] = Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule').length > 0 ? 'ok' : 'no named exports';
  } catch (error) {
    out[spec] = String(error && error.message).split('\\n')[0];
  }
}
console.log('@@' + JSON.stringify(out));
${column === 'ESM' ? '' : '})();'}
`;
  writeFileSync(join(project, file), body);
  const { out } = await sh(process.execPath, [file]);
  const line = out.split('\n').find((l) => l.startsWith('@@'));
  const parsed = line ? (JSON.parse(line.slice(2)) as Record<string, string>) : {};
  for (const spec of specs) set(spec, column, parsed[spec] ?? firstLine(out));
}

/** One tsc run per resolution mode; a diagnostic is charged to the entry whose file or package it is in. */
async function typeColumn(column: 'TS nodenext' | 'TS bundler' | 'TS node10'): Promise<void> {
  const mode = column.split(' ')[1]!;
  const dir = join(project, 'ts', mode);
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  entries.forEach((e, i) => {
    const use = `export const n${i}: number = Object.keys(m).length;\n`;
    if (mode === 'nodenext') {
      writeFileSync(join(dir, `e${i}.mts`), `import * as m from '${e.spec}';\n${use}`);
      writeFileSync(join(dir, `c${i}.cts`), `import m = require('${e.spec}');\n${use}`);
      files.push(`e${i}.mts`, `c${i}.cts`);
    } else {
      writeFileSync(join(dir, `e${i}.ts`), `import * as m from '${e.spec}';\n${use}`);
      files.push(`e${i}.ts`);
    }
  });
  const moduleOptions =
    mode === 'nodenext'
      ? { module: 'nodenext', moduleResolution: 'nodenext' }
      : mode === 'bundler'
        ? { module: 'esnext', moduleResolution: 'bundler' }
        : { module: 'commonjs', moduleResolution: 'node', esModuleInterop: true };
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        ...moduleOptions,
        target: 'es2022',
        lib: ['es2023', 'dom', 'dom.iterable'],
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        jsx: 'react-jsx',
        types: ['node'],
      },
      files,
    }),
  );
  const { code, out } = await sh(process.execPath, [tsc, '-p', dir, '--pretty', 'false']);
  for (const e of entries) set(e.spec, column, 'ok');
  if (code === 0) return;
  const packageOfPath = (path: string) => /node_modules\/(@armor\/[^/]+)\//.exec(path)?.[1];
  for (const line of out.split('\n').filter((l) => /error TS\d+/.test(l))) {
    const local = /(?:^|\/)[ec](\d+)\.[cm]?ts\(/.exec(line);
    const message = line.replace(/^.*?error /, '').slice(0, 160);
    if (local && !line.includes('node_modules')) {
      set(entries[Number(local[1])]!.spec, column, message);
      continue;
    }
    const pkg = packageOfPath(line);
    const owners = entries.filter((e) => e.pkg === pkg);
    if (owners.length) for (const e of owners) set(e.spec, column, `${line.split('(')[0]!.replace(/^.*node_modules\//, '')}: ${message}`);
    else for (const e of entries) set(e.spec, column, `(outside Armor) ${line.slice(0, 160)}`);
  }
}

async function edgeColumn(): Promise<void> {
  // esbuild of the throwaway project (the workspace root does not depend on it directly)
  const esbuild = createRequire(join(project, 'package.json'))('esbuild') as {
    build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
  };
  for (const e of entries) {
    if (!e.root) {
      set(e.spec, 'edge', '-');
      continue;
    }
    try {
      const result = await esbuild.build({
        stdin: { contents: `export * from '${e.spec}';`, resolveDir: project, loader: 'js' },
        bundle: true,
        write: false,
        platform: 'neutral',
        mainFields: ['module', 'main'],
        format: 'iife',
        globalName: '__armor',
        target: 'es2022',
        define: { 'process.env.NODE_ENV': '"production"' },
        logLevel: 'silent',
      });
      const code = result.outputFiles[0]!.text;
      const vm = new EdgeVM();
      const count = vm.evaluate<number>(`${code};\nObject.keys(__armor).length`);
      set(e.spec, 'edge', count > 0 ? 'ok' : 'no exports');
    } catch (error) {
      set(e.spec, 'edge', firstLine(String((error as Error).message)));
    }
  }
}

/**
 * Resolution trace of a file importing only the root entries: no optional peer may be resolved
 * from an Armor package's types. (skipLibCheck: imports of .d.ts files are still resolved, and the
 * type errors are the TS columns' business.)
 */
async function rootTypesCheck(): Promise<void> {
  const dir = join(project, 'ts', 'roots');
  mkdirSync(dir, { recursive: true });
  const roots = entries.filter((e) => e.root && e.pkg !== '@armor/react-monitoring-dashboard');
  writeFileSync(join(dir, 'roots.mts'), roots.map((e, i) => `import * as r${i} from '${e.spec}';\nexport const n${i} = Object.keys(r${i}).length;`).join('\n'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true, skipLibCheck: true, noEmit: true, types: ['node'], lib: ['es2023', 'dom'] }, files: ['roots.mts'] }),
  );
  const { out } = await sh(process.execPath, [tsc, '-p', dir, '--traceResolution', '--pretty', 'false']);
  rootTypesTrace = out;
}

beforeAll(async () => {
  try {
    const missing = publicPackages().filter((p) => !existsSync(join(p.dir, 'dist')));
    if (missing.length) throw new Error(`not built: ${missing.map((p) => p.name).join(', ')} — run \`pnpm build\` first`);
    packed = await timed('pack', () => packAll(join(project, 'tarballs')));
    entries = packed.flatMap((p) =>
      entryPoints(p.name, (JSON.parse(readFileSync(join(p.dir, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }).exports).map((ep) => ({
        pkg: p.name,
        spec: ep.spec,
        root: ep.key === '.',
      })),
    );
    await timed('npm install', () => installTarballs(project, packed, EXTRAS));
    await timed('ESM+CJS', () => Promise.all([runtimeColumn('ESM'), runtimeColumn('CJS')]));
    // three tsc processes side by side (CPU-bound; a 2-core CI machine runs two at once)
    await Promise.all((['TS nodenext', 'TS bundler', 'TS node10'] as const).map((column) => timed(column, () => typeColumn(column))));
    await timed('edge', edgeColumn);
    await timed('root types', rootTypesCheck);
  } catch (error) {
    setupError = error;
  }
});

afterAll(() => {
  if (results.size) {
    const width = Math.max(...entries.map((e) => e.spec.length), 10);
    const cell = (v: string | undefined) => (v === 'ok' ? 'ok' : v === '-' || v === undefined ? '-' : 'FAIL');
    const lines = [
      `| ${'entry point'.padEnd(width)} | ${COLUMNS.join(' | ')} |`,
      `|${'-'.repeat(width + 2)}|${COLUMNS.map((c) => '-'.repeat(c.length + 2)).join('|')}|`,
      ...entries.map((e) => `| ${e.spec.padEnd(width)} | ${COLUMNS.map((c) => cell(results.get(e.spec)?.get(c)).padEnd(c.length)).join(' | ')} |`),
    ];
    const failures = entries.flatMap((e) =>
      COLUMNS.flatMap((c) => {
        const v = results.get(e.spec)?.get(c);
        return v && v !== 'ok' && v !== '-' ? [`  ${e.spec} [${c}]: ${v}`] : [];
      }),
    );
    console.log(`\nConsumer matrix (npm install of the packed packages in ${project}; ${timings.join(', ')}):\n${lines.join('\n')}${failures.length ? `\n\nFailures:\n${failures.join('\n')}` : ''}\n`);
  }
  if (!keep) rmSync(project, { recursive: true, force: true });
});

describe('consumer matrix (packed packages installed with npm outside the workspace)', () => {
  it('packs every public package and installs the tarballs with npm', () => {
    if (setupError) throw setupError;
    expect(packed.length).toBeGreaterThan(0);
    expect(entries.length).toBeGreaterThan(packed.length);
  });

  for (const column of COLUMNS) {
    it(`${column}: every entry point`, () => {
      if (setupError) throw setupError;
      const failures = entries
        .map((e) => [e.spec, results.get(e.spec)?.get(column)] as const)
        .filter(([, v]) => v !== 'ok' && v !== '-')
        .map(([spec, v]) => `${spec}: ${v ?? 'not run'}`);
      expect(failures).toEqual([]);
    });
  }

  it('one copy of each Armor package: an error from @armor/opentelemetry is instanceof @armor/errors\' class (ESM and CJS)', async () => {
    if (setupError) throw setupError;
    const probe = (load: string) => `${load}
let verdict = 'no error';
try { otel.traceComponent({}); } catch (error) { verdict = String(error instanceof errors.ConfigurationError) + ' ' + errors.isArmorError(error); }
console.log(verdict);`;
    writeFileSync(join(project, 'one-copy.mjs'), probe("import * as otel from '@armor/opentelemetry';\nimport * as errors from '@armor/errors';"));
    writeFileSync(join(project, 'one-copy.cjs'), probe("const otel = require('@armor/opentelemetry');\nconst errors = require('@armor/errors');"));
    for (const file of ['one-copy.mjs', 'one-copy.cjs']) {
      const { code, out } = await sh(process.execPath, [file]);
      expect({ file, code, out: out.trim() }).toEqual({ file, code: 0, out: 'true true' });
    }
  });

  it('root entry types never need an optional peer dependency (ioredis, express, convex, react)', () => {
    if (setupError) throw setupError;
    // optional peers per package: zod is optional for @armor/metrics but required by @armor/validation
    const optional = new Map<string, Set<string>>();
    for (const p of packed) {
      const meta = (p.pkg as { peerDependenciesMeta?: Record<string, { optional?: boolean }> }).peerDependenciesMeta ?? {};
      optional.set(p.name, new Set(Object.entries(meta).filter(([, m]) => m.optional).map(([dep]) => dep)));
    }
    const packageOf = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    const resolved: string[] = [];
    for (const m of rootTypesTrace.matchAll(/======== Resolving module '([^']+)' from '([^']+)'/g)) {
      const [, spec, from] = m as unknown as [string, string, string];
      const owner = /node_modules\/(@armor\/[^/]+)\//.exec(from)?.[1];
      if (owner && optional.get(owner)?.has(packageOf(spec))) resolved.push(`${owner} types import optional peer ${spec} (${from.replace(/^.*node_modules\//, '')})`);
    }
    expect(rootTypesTrace).toContain('======== Resolving module');
    expect([...new Set(resolved)]).toEqual([]);
  });
});

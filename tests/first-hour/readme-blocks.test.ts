/**
 * Every TypeScript block of every README and guide, as a user copies it: type-checked under
 * strict `nodenext` and run, against the packed tarballs installed with npm outside the
 * workspace (no `@armor/source` condition, no workspace links).
 *
 * - The blocks come from `readmeBlocks` (`@armor/test-utils`), the parser the per-package README
 *   tests use against source. A block is run unless its info string says ```ts fragment (a piece
 *   of a larger app, type-checked against the `<!-- stubs ... -->` declarations above it).
 * - One pack and one `npm install` of the tarballs the blocks need (and the Armor packages those
 *   depend on) into one throwaway project, shared by every block (the helper tests/consumer uses);
 *   one tsc run over all blocks; then each block runs with tsx in its own process, two at a time,
 *   with a timeout, in the environment the READMEs name (`REDIS_URL` of a real redis-server from
 *   test-utils, `DATABASE_URL` of a real PostgreSQL when a running block reads it, `PORT=0`,
 *   secrets, a payments service for health's example).
 * - Convex blocks import `./_generated/server`: a fixture with what `convex codegen` generates for
 *   an app without a schema (the generic builders of `convex/server`).
 *
 * Needs `pnpm build` first (like tests/consumer). The count of blocks checked is printed.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, readmeBlocks, startPostgres, startRedis, type PostgresServer, type ReadmeBlock, type RedisServer } from '@armor/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installTarballs, packAll, pool, publicPackages, type PackedPackage } from '../../scripts/pack-packages.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const tsx = join(root, 'node_modules/.bin/tsx');

/** What the READMEs tell a user to install beside Armor (peers, frameworks, their types). */
const EXTRAS: Record<string, string> = {
  express: '^5.1.0',
  '@types/express': '^5.0.6',
  hono: '^4.13.0',
  '@hono/node-server': '^2.1.0',
  fastify: '^5.12.0',
  'express-session': '^1.18.0',
  '@types/express-session': '^1.18.0',
  convex: '^1.17.0',
  react: '^19.0.0',
  'react-dom': '^19.0.0',
  '@types/react': '^19.0.0',
  '@types/react-dom': '^19.0.0',
  ioredis: '^5.4.0',
  pg: '^8.13.0',
  '@types/pg': '^8.11.0',
  zod: '^4.0.0',
  '@types/node': '^20.19.0',
  '@opentelemetry/api': '~1.9.0',
  '@opentelemetry/sdk-trace-base': '^2.0.0',
  '@opentelemetry/context-async-hooks': '^2.0.0',
  '@opentelemetry/sdk-metrics': '^2.0.0',
};

/** What `npx convex codegen` writes to `convex/_generated/server.ts` for an app without a schema. */
const CONVEX_SERVER = `import { actionGeneric, httpActionGeneric, internalMutationGeneric, internalQueryGeneric, mutationGeneric, queryGeneric } from 'convex/server';
import type { ActionBuilder, GenericActionCtx, GenericMutationCtx, GenericQueryCtx, HttpActionBuilder, MutationBuilder, QueryBuilder, AnyDataModel } from 'convex/server';
export const query: QueryBuilder<AnyDataModel, 'public'> = queryGeneric;
export const internalQuery: QueryBuilder<AnyDataModel, 'internal'> = internalQueryGeneric;
export const mutation: MutationBuilder<AnyDataModel, 'public'> = mutationGeneric;
export const internalMutation: MutationBuilder<AnyDataModel, 'internal'> = internalMutationGeneric;
export const action: ActionBuilder<AnyDataModel, 'public'> = actionGeneric;
export const httpAction: HttpActionBuilder = httpActionGeneric;
export type QueryCtx = GenericQueryCtx<AnyDataModel>;
export type MutationCtx = GenericMutationCtx<AnyDataModel>;
export type ActionCtx = GenericActionCtx<AnyDataModel>;
`;
const CONVEX_DATA_MODEL = `import type { GenericId } from 'convex/values';
export type Id<TableName extends string> = GenericId<TableName>;
`;

interface Block extends ReadmeBlock {
  /** The Markdown file, relative to the repository. */
  doc: string;
  /** The block's file in the throwaway project. */
  file: string;
}

/** Every tracked Markdown file (changelogs and changesets are history, not docs). */
function docs(): string[] {
  // synchronous: one test per block is declared at collection time
  return execFileSync('git', ['ls-files', '*.md'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && !/(^|\/)(CHANGELOG\.md|\.changeset\/|node_modules\/)/.test(f))
    .sort();
}

const blocks: Block[] = docs().flatMap((doc) =>
  readmeBlocks(join(root, doc)).map((b) => ({
    ...b,
    doc,
    file: `${doc.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}-${String(b.index).padStart(2, '0')}.${b.info.startsWith('tsx') ? 'tsx' : 'ts'}`,
  })),
);

const keep = process.env.ARMOR_READMES_KEEP === '1';
const project = mkdtempSync(join(tmpdir(), 'armor-readmes-'));
const dir = join(project, 'blocks');
let setupError: unknown;
let redis: RedisServer | undefined;
let payments: Server | undefined;
let postgres: PostgresServer | undefined;
let blockEnv: NodeJS.ProcessEnv = {};
let packed: PackedPackage[] = [];
/** tsc diagnostics per block file */
const typeErrors = new Map<string, string[]>();
const runs = new Map<string, { code: number | null; stdout: string; stderr: string; ms: number }>();
const timings: string[] = [];

function sh(cmd: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(cmd, args, { cwd: options.cwd, env: { ...process.env, NODE_OPTIONS: '', ...options.env }, timeout: options.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: unknown }).code ?? null) : 0;
      const timedOut = error && (error as { killed?: boolean }).killed ? `\n(killed after ${options.timeoutMs} ms)` : '';
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr: `${stderr}${timedOut}` });
    });
  });
}

async function timed<T>(label: string, step: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await step();
  } finally {
    timings.push(`${label} ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }
}

/** The Armor packages the blocks import, and the Armor packages those depend on. */
function neededPackages(): string[] {
  const all = new Map(publicPackages().map((p) => [p.name, p]));
  const want = new Set<string>();
  const visit = (name: string) => {
    const p = all.get(name);
    if (!p || want.has(name)) return;
    want.add(name);
    for (const dep of Object.keys({ ...(p.pkg.dependencies as object), ...(p.pkg.peerDependencies as object) })) visit(dep);
  };
  for (const b of blocks) for (const m of `${b.stubs}${b.code}`.matchAll(/from\s+'(@armor\/[^/']+)/g)) visit(m[1]!);
  return [...want];
}

beforeAll(async () => {
  try {
    const names = neededPackages();
    const missing = publicPackages(names).filter((p) => !existsSync(join(p.dir, 'dist')));
    if (missing.length) throw new Error(`not built: ${missing.map((p) => p.name).join(', ')} — run \`pnpm build\` first`);
    redis = await startRedis();
    payments = createServer((req, res) => (req.url === '/health' ? res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"UP"}') : res.writeHead(404).end()));
    await new Promise<void>((resolve) => payments!.listen(0, '127.0.0.1', resolve));
    blockEnv = {
      // the environment the READMEs name: real Redis, a payments service that is up, a Prometheus
      // that is down (fleet's snapshot answers anyway), secrets, and port 0 for every app
      PORT: '0',
      REDIS_URL: redis.url,
      PAYMENTS_URL: `http://127.0.0.1:${(payments.address() as AddressInfo).port}`,
      PROMETHEUS_URL: `http://127.0.0.1:${await freePort()}`,
      // a real PostgreSQL (test-utils) only when a block that runs reads DATABASE_URL
      ...(blocks.some((b) => b.mode === 'run' && b.code.includes('DATABASE_URL')) ? { DATABASE_URL: (postgres = await startPostgres()).url } : {}),
      ...Object.fromEntries(['API_KEY_PEPPER', 'CSRF_SECRET', 'SESSION_SECRET', 'PSEUDONYM_SECRET', 'ADMIN_TOKEN'].map((name) => [name, randomBytes(32).toString('hex')])),
    };
    packed = await timed('pack', () => packAll(join(project, 'tarballs'), names));
    await timed('npm install', () => installTarballs(project, packed, EXTRAS));
    mkdirSync(join(dir, '_generated'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    writeFileSync(join(dir, '_generated/server.ts'), CONVEX_SERVER);
    writeFileSync(join(dir, '_generated/dataModel.ts'), CONVEX_DATA_MODEL);
    const checked = blocks.filter((b) => b.mode !== 'skip');
    // every block is a module, so top-level await and per-block names work
    for (const b of checked) writeFileSync(join(dir, b.file), `${b.stubs}${b.code}\nexport {};\n`);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          lib: ['es2023', 'dom', 'dom.iterable'],
          jsx: 'react-jsx',
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        files: checked.map((b) => b.file),
      }),
    );
    const checkedTypes = await timed('tsc', () => sh(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], { cwd: dir, timeoutMs: 300_000 }));
    for (const line of `${checkedTypes.stdout}${checkedTypes.stderr}`.split('\n')) {
      const m = /^([^(]+)\((\d+),(\d+)\): (error TS\d+: .*)$/.exec(line.trim());
      if (!m) {
        if (/error TS/.test(line)) typeErrors.set('(global)', [...(typeErrors.get('(global)') ?? []), line]);
        continue;
      }
      const b = checked.find((x) => x.file === m[1]);
      if (!b) {
        typeErrors.set('(global)', [...(typeErrors.get('(global)') ?? []), line]);
        continue;
      }
      const stubLines = b.stubs ? b.stubs.split('\n').length - 1 : 0;
      const inStubs = Number(m[2]) <= stubLines;
      const where = inStubs ? `stubs line ${m[2]}` : `${b.doc}:${b.line + Number(m[2]) - stubLines}`;
      typeErrors.set(b.file, [...(typeErrors.get(b.file) ?? []), `${where}: ${m[4]}`]);
    }
    await timed('run', () =>
      pool(
        blocks.filter((b) => b.mode === 'run'),
        2,
        async (b) => {
          const started = Date.now();
          const result = await sh(tsx, [b.file], { cwd: dir, env: blockEnv, timeoutMs: 60_000 });
          runs.set(b.file, { ...result, ms: Date.now() - started });
        },
      ),
    );
  } catch (error) {
    setupError = error;
  }
});

afterAll(async () => {
  await redis?.stop();
  await postgres?.stop();
  payments?.closeAllConnections();
  payments?.close();
  const count = (mode: ReadmeBlock['mode'], fragment = false) => blocks.filter((b) => b.mode === mode && b.fragment === fragment).length;
  const failed = blocks.filter((b) => typeErrors.has(b.file) || (runs.has(b.file) && runs.get(b.file)!.code !== 0));
  console.log(
    `\nREADME blocks: ${blocks.length} TypeScript blocks in ${new Set(blocks.map((b) => b.doc)).size} Markdown files, from ${packed.length} packed tarballs installed with npm in ${relative(root, project).startsWith('..') ? project : 'the workspace (!)'}:` +
      ` ${count('run')} type-checked and run, ${count('check', true)} fragments type-checked against stubs, ${count('check')} type-checked only (no-run), ${count('skip')} skipped (no-check);` +
      ` ${failed.length} failed${failed.length ? ` (${failed.map((b) => `${b.doc}:${b.line}`).join(', ')})` : ''}. ${timings.join(', ')}\n`,
  );
  if (!keep) rmSync(project, { recursive: true, force: true });
});

describe('README and guide TypeScript blocks (packed tarballs, installed with npm outside the workspace)', () => {
  it('found the blocks, packed and installed the tarballs, and type-checked them in one tsc run', () => {
    if (setupError) throw setupError;
    expect(blocks.length).toBeGreaterThan(40);
    expect(typeErrors.get('(global)') ?? []).toEqual([]);
  });

  it('every block is type-checked, and run unless it is a fragment with declared stubs', () => {
    const unchecked = blocks.filter((b) => b.mode === 'skip' || (b.mode === 'check' && !b.fragment)).map((b) => `${b.doc}:${b.line} (${b.info})`);
    expect(unchecked).toEqual([]);
  });

  for (const b of blocks) {
    it(`${b.doc}:${b.line} (${b.info})`, () => {
      if (setupError) throw setupError;
      expect(typeErrors.get(b.file) ?? [], 'type errors').toEqual([]);
      if (b.mode !== 'run') return;
      const run = runs.get(b.file);
      expect(run, 'the block ran').toBeDefined();
      expect({ code: run!.code, stderr: run!.code === 0 ? '' : run!.stderr.slice(-3000) }).toEqual({ code: 0, stderr: '' });
    });
  }
});

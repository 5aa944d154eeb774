/**
 * README code blocks as tests: every ```ts / ```tsx block of a package README is type-checked
 * under strict `nodenext` and run with tsx, against the package's source (the `@armor/source`
 * condition). A block that is not meant to run says so in its info string: ```ts no-run
 * (type-checked only) or ```ts no-check (neither; say why in the README next to it).
 *
 * A fragment (a piece of a larger app: it uses names the README does not declare) says
 * ```ts fragment and is type-checked, not run, against stubs declared in an HTML comment right
 * above its fence (invisible on GitHub and npm), prepended to the block:
 *
 *     <!-- stubs
 *     declare const pool: { query(sql: string, params: unknown[]): Promise<unknown> };
 *     -->
 *     ```ts fragment
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One fenced TypeScript block of a README. */
export interface ReadmeBlock {
  /** 1-based position among the README's TypeScript blocks. */
  index: number;
  /** The fence's info string, e.g. `ts no-run`. */
  info: string;
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
  /** `run` (check and run), `check` (type-check only) or `skip`. */
  mode: 'run' | 'check' | 'skip';
  /** A ```ts fragment block: type-checked (with {@link ReadmeBlock.stubs}), never run. */
  fragment: boolean;
  /** Declarations from a `<!-- stubs ... -->` comment right above the fence (empty if none). */
  stubs: string;
}

/** The body of a `<!-- stubs ... -->` comment ending on line `end` (0-based) or the line above it. */
function stubsAbove(lines: string[], end: number): string {
  let close = end;
  while (close >= 0 && lines[close]!.trim() === '') close--;
  if (close < 0 || !lines[close]!.trim().endsWith('-->')) return '';
  let open = close;
  while (open >= 0 && !lines[open]!.includes('<!--')) open--;
  if (open < 0 || !/^<!--\s*stubs\b/.test(lines[open]!.trim())) return '';
  const body = lines.slice(open, close + 1).join('\n').replace(/^\s*<!--\s*stubs\b[^\n]*\n?/, '').replace(/-->\s*$/, '');
  return body.trim() ? `${body.trim()}\n` : '';
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const TSC = join(ROOT, 'node_modules/.bin/tsc');

/** The TypeScript blocks of a README file. */
export function readmeBlocks(file: string): ReadmeBlock[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(tsx?)(\s.*)?$/.exec(lines[i]!);
    if (!open) continue;
    const info = `${open[1]}${open[2] ?? ''}`.trim();
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
    const fragment = /\bfragment\b/.test(info);
    const mode = /\bno-check\b/.test(info) ? 'skip' : fragment || /\bno-run\b/.test(info) ? 'check' : 'run';
    blocks.push({ index: blocks.length + 1, info, line: start + 1, code: `${body.join('\n')}\n`, mode, fragment, stubs: fragment ? stubsAbove(lines, start - 1) : '' });
  }
  return blocks;
}

function exec(cmd: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv | undefined; timeoutMs: number }) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolvePromise) => {
    execFile(cmd, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, timeout: options.timeoutMs, maxBuffer: 10 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: unknown }).code as number | null) ?? 1 : 0;
      resolvePromise({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

/** Options of {@link checkReadme}. */
export interface CheckReadmeOptions {
  /** Environment for the run (e.g. `REDIS_URL` of a test server). */
  env?: NodeJS.ProcessEnv;
  /** Per-block run timeout in ms. @default 30_000 */
  timeoutMs?: number;
  /** Extra files (name → content) written beside the blocks, for blocks that import fixtures. */
  fixtures?: Record<string, string>;
  /** The Markdown file, relative to the package folder. @default 'README.md' */
  file?: string;
}

/** Result of {@link checkReadme}. */
export interface ReadmeResult {
  /** tsc output (empty when every block type-checks). */
  typeErrors: string;
  /** One entry per block that was run. */
  runs: { block: ReadmeBlock; code: number | null; stdout: string; stderr: string }[];
}

/**
 * Type-checks every block of `packageDir/README.md` (strict, `nodenext`, one module per block)
 * and runs the `run` blocks with tsx, each in its own process, from a scratch folder inside the
 * package (so workspace imports resolve like a user's would, through the source condition).
 */
export async function checkReadme(packageDir: string, options: CheckReadmeOptions = {}): Promise<ReadmeResult> {
  const blocks = readmeBlocks(join(packageDir, options.file ?? 'README.md'));
  const dir = join(packageDir, '.readme-check');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // no package.json here: the package's own (with its name and exports) makes self-imports resolve
  for (const [name, content] of Object.entries(options.fixtures ?? {})) writeFileSync(join(dir, name), content);
  const files: string[] = [];
  for (const block of blocks) {
    if (block.mode === 'skip') continue;
    const name = `block-${String(block.index).padStart(2, '0')}.${block.info.startsWith('tsx') ? 'tsx' : 'ts'}`;
    // every block is a module, so top-level await and per-block names work
    writeFileSync(join(dir, name), `${block.stubs}${block.code}\nexport {};\n`);
    files.push(name);
  }
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        lib: ['es2023', 'dom'],
        jsx: 'react-jsx',
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        customConditions: ['@armor/source'],
        typeRoots: [join(ROOT, 'node_modules/@types')],
      },
      files,
    }),
  );
  const tsc = files.length === 0 ? { stdout: '', stderr: '' } : await exec(TSC, ['-p', 'tsconfig.json'], { cwd: dir, timeoutMs: 120_000 });
  const runs: ReadmeResult['runs'] = [];
  for (const block of blocks) {
    if (block.mode !== 'run') continue;
    const name = `block-${String(block.index).padStart(2, '0')}.${block.info.startsWith('tsx') ? 'tsx' : 'ts'}`;
    const result = await exec(TSX, ['--conditions=@armor/source', name], { cwd: dir, env: options.env, timeoutMs: options.timeoutMs ?? 30_000 });
    runs.push({ block, ...result });
  }
  rmSync(dir, { recursive: true, force: true });
  return { typeErrors: `${tsc.stdout}${tsc.stderr}`.trim(), runs };
}

/**
 * The assertion every package's README test makes: every block type-checks, `blocks` blocks
 * ran, each exited 0. Returns their standard outputs, in order, for the test's own checks.
 *
 * @example
 * ```ts
 * const [usage] = await expectReadmeRuns(packageDir, { blocks: 1 });
 * expect(usage).toContain('ok');
 * ```
 */
export async function expectReadmeRuns(packageDir: string, options: CheckReadmeOptions & { blocks: number }): Promise<string[]> {
  const { expect } = await import('vitest');
  const { blocks, ...check } = options;
  const { typeErrors, runs } = await checkReadme(packageDir, check);
  expect(typeErrors, 'README blocks must type-check under strict nodenext').toBe('');
  expect(runs.length, 'README blocks that ran').toBe(blocks);
  for (const run of runs) expect(run, `block ${run.block.index} (line ${run.block.line})\n${run.stderr}`).toMatchObject({ code: 0 });
  return runs.map((r) => r.stdout);
}

// Flat config: typescript-eslint with type-aware rules over every package, example and bench.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import regexp from 'eslint-plugin-regexp';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'docs/**',
      '**/_generated/**',
      '**/coverage/**',
      '**/artifacts/**',
      '**/.data/**',
      // scratch files of the README checks (test-utils), present only while a test runs
      '**/.readme-check/**',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
      '**/*.d.mts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/only-throw-error': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      // Abort reasons are arbitrary values by design (AbortSignal.reason).
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
    },
  },
  {
    // Runtime-agnostic cores (DESIGN.md): no Node built-ins and no Node globals outside the
    // `/node`, `/express` and CLI entry points. The edge-runtime test projects load modules
    // through Node, so they cannot catch this; the linter does.
    files: ['packages/*/src/**/*.ts', 'packages/*/src/**/*.tsx'],
    ignores: ['**/*.test.ts', '**/*.test.tsx', '**/*.test-d.ts', 'packages/*/src/**/node.ts', 'packages/*/src/**/cli.ts', 'packages/*/src/**/express.ts', 'packages/test-utils/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ regex: '^node:', message: 'Core entry points use Web-standard APIs only; put Node code under a /node or /express subpath.' }],
          paths: ['assert', 'buffer', 'child_process', 'crypto', 'dns', 'events', 'fs', 'http', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'stream', 'timers', 'url', 'util', 'worker_threads', 'zlib'].map((name) => ({
            name,
            message: 'Core entry points use Web-standard APIs only; put Node code under a /node or /express subpath.',
          })),
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Not available in edge runtimes or Convex queries; take it as an option or move it under /node.' },
        { name: 'Buffer', message: 'Use Uint8Array / TextEncoder; Buffer is Node-only.' },
        { name: 'setImmediate', message: 'Node-only; use queueMicrotask or setTimeout.' },
        { name: '__dirname', message: 'Node-only.' },
        { name: 'require', message: 'ESM only, and Node-only.' },
      ],
    },
  },
  {
    // ReDoS (issue 24): no regular expression in packages/ may backtrack super-linearly, in
    // sources and tests alike (tests run on hostile input too). `no-super-linear-backtracking`
    // finds quantifiers that can trade characters (polynomial or exponential within one
    // attempt), `no-super-linear-move` finds patterns re-read from every start position
    // (quadratic over a search), `no-dupe-disjunctions` overlapping alternatives (exponential
    // inside a quantifier), `no-misleading-capturing-group` captures that backtracking changes.
    files: ['packages/**/*.ts', 'packages/**/*.tsx'],
    plugins: { regexp },
    rules: {
      'regexp/no-super-linear-backtracking': ['error', { report: 'potential' }],
      'regexp/no-super-linear-move': 'error',
      'regexp/no-dupe-disjunctions': 'error',
      'regexp/no-misleading-capturing-group': 'error',
    },
  },
  {
    // Tests poke at hostile values on purpose.
    files: ['**/*.test.ts', '**/*.test.tsx', '**/test/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-empty-function': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
);

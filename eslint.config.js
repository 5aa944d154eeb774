// Flat config: typescript-eslint with type-aware rules over every package, example and bench.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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

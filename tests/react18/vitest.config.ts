import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { armorResolve } from '../../vitest.shared.ts';

/**
 * The React tests of `@armor/errors/react` and `@armor/react-monitoring-dashboard`, run again
 * against React 18 (both support `react@^18 || ^19`; their own projects use React 19).
 *
 * The test files live in those packages, so their bare `react`, `react-dom` and
 * `@testing-library/react` imports would resolve to the packages' React 19. The aliases point
 * them at this folder's copies; Testing Library, loaded from here, gets React 18 as its peer.
 */
const require = createRequire(import.meta.url);
const dirOf = (name: string) => dirname(require.resolve(`${name}/package.json`));
const repo = resolve(import.meta.dirname, '../..');
const dashboard = `${repo}/packages/react-monitoring-dashboard`;

export default defineConfig({
  ...armorResolve,
  resolve: {
    ...armorResolve.resolve,
    alias: [
      { find: /^react-dom(\/.*)?$/, replacement: `${dirOf('react-dom')}$1` },
      { find: /^react(\/.*)?$/, replacement: `${dirOf('react')}$1` },
      { find: /^@testing-library\/react$/, replacement: dirOf('@testing-library/react') },
    ],
  },
  test: {
    name: 'react18',
    root: repo,
    include: ['packages/errors/src/react.node.test.tsx', 'packages/react-monitoring-dashboard/src/**/*.test.tsx'],
    environment: 'jsdom',
    setupFiles: [`${import.meta.dirname}/setup.ts`, `${dashboard}/test/setup.ts`],
    testTimeout: 60_000,
  },
});

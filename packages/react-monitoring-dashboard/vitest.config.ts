import { defineConfig } from 'vitest/config';
import { armorResolve } from '../../vitest.shared.ts';

/**
 * The dashboard's own test project. Component tests (`*.test.tsx`) run in jsdom; files that
 * need Node (`*.node.test.ts`: the real-browser test, the HTTP source test) and the SSR test
 * start with `// @vitest-environment node`.
 */
export default defineConfig({
  ...armorResolve,
  test: {
    name: 'react-monitoring-dashboard',
    root: import.meta.dirname,
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'jsdom',
    setupFiles: ['./test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

import { defineConfig } from 'vitest/config';
import { armorResolve } from '../../vitest.shared.ts';

export default defineConfig({
  ...armorResolve,
  test: {
    name: 'express-app',
    environment: 'node',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Files start their own databases and servers; run them one at a time on these 2-core machines.
    fileParallelism: false,
  },
});

import { defineConfig } from 'vitest/config';
import { armorResolve } from '../../vitest.shared.ts';

export default defineConfig({
  ...armorResolve,
  test: {
    name: 'convex-app',
    // convex-test runs Convex functions in the edge runtime, like Convex itself.
    environment: 'edge-runtime',
    server: { deps: { inline: ['convex-test'] } },
    include: ['convex/**/*.test.ts', 'test/**/*.test.ts'],
    // The root config's timeouts (a project config of its own does not inherit them): the
    // thousand-call rate-limit suites take over vitest's 5 s default on a loaded machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

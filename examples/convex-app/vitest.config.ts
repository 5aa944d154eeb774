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
  },
});

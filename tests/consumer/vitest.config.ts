import { defineConfig } from 'vitest/config';

/**
 * The consumer suite: what `npm install` of the packed packages gives a user, outside the
 * workspace (no `@armor/source` condition, no workspace links). Needs `pnpm build` first (the
 * README's test command builds before testing). Packing and installing take a while on the first
 * run (npm's cache is warm afterwards), hence the long hook timeout.
 */
export default defineConfig({
  test: {
    name: 'consumer',
    root: import.meta.dirname,
    include: ['*.test.ts'],
    environment: 'node',
    hookTimeout: 900_000,
    testTimeout: 300_000,
  },
});

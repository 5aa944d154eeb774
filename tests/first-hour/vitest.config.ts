import { defineConfig } from 'vitest/config';

/**
 * What a user meets first (issue 31). The README-blocks suite packs every public package and
 * installs the tarballs with npm outside the workspace, so it needs `pnpm build` first (the
 * README's test command builds before testing), like tests/consumer.
 */
export default defineConfig({
  test: {
    name: 'first-hour',
    root: import.meta.dirname,
    include: ['*.test.ts'],
    environment: 'node',
    hookTimeout: 900_000,
    testTimeout: 300_000,
  },
});

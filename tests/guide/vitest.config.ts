import { defineConfig } from 'vitest/config';
import { armorResolve } from '../../vitest.shared.ts';

/** docs/guide.md: every block type-checked under strict nodenext and run against the packages' source. */
export default defineConfig({
  ...armorResolve,
  test: { name: 'guide', root: import.meta.dirname, include: ['*.test.ts'], environment: 'node', testTimeout: 180_000 },
});

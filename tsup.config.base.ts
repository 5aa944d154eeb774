import { defineConfig, type Options } from 'tsup';

/**
 * The one tsup configuration every Armor package builds with: ESM + CJS + `.d.ts`/`.d.cts`,
 * tree-shakable, source maps, no bundling of dependencies.
 *
 * @param entry - map of output name to source file, e.g. `{ index: 'src/index.ts', express: 'src/express.ts' }`
 * @param overrides - per-package tweaks (kept rare on purpose)
 */
export function armorTsup(entry: Record<string, string>, overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    treeshake: false,
    splitting: true,
    target: 'es2022',
    outDir: 'dist',
    ...overrides,
  });
}

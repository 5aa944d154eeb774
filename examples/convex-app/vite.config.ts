import { defineConfig } from 'vite';

// Vite resolves workspace packages from source through the `@armor/source` condition, so the
// UI builds without building the packages first.
export default defineConfig({
  resolve: { conditions: ['@armor/source', 'module', 'browser', 'development|production'] },
  build: { outDir: 'dist', sourcemap: true },
});

import { defineConfig, loadEnv } from 'vite';

/**
 * Vite resolves workspace packages from source through the `@armor/source` condition, so the
 * UI builds without building the packages first.
 *
 * A production build needs `VITE_CONVEX_URL` (the deployment the UI talks to; `convex deploy
 * --cmd` passes it): without it the bundle could only show "set VITE_CONVEX_URL", so the build
 * fails instead. CI builds with a placeholder (`pnpm build:check`).
 */
export default defineConfig(({ command, mode }) => {
  if (command === 'build' && !loadEnv(mode, process.cwd(), 'VITE_').VITE_CONVEX_URL) {
    throw new Error('VITE_CONVEX_URL is not set: build with the deployment URL (`npx convex deploy --cmd "pnpm run build"` sets it), or use `pnpm build:check` for a placeholder build');
  }
  return {
    resolve: { conditions: ['@armor/source', 'module', 'browser', 'development|production'] },
    build: { outDir: 'dist', sourcemap: true },
  };
});

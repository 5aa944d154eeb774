import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

/** Builds the /monitoring page into dist/dashboard (served by the app). Workspace packages come from source. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/monitoring/',
  plugins: [react()],
  resolve: { conditions: ['@armor/source', ...defaultClientConditions] },
  build: { outDir: fileURLToPath(new URL('../dist/dashboard', import.meta.url)), emptyOutDir: true, sourcemap: false },
  logLevel: 'warn',
});

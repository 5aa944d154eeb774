import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

// This config only builds the page for production. Vite (and the React plugin's JSX transform)
// follow NODE_ENV, so a build started with NODE_ENV=test (inside vitest) or development would
// ship React's development build: about twice the size and much slower.
process.env.NODE_ENV = 'production';

const outDir = fileURLToPath(new URL('../dist/dashboard', import.meta.url));

/**
 * Writes `<file>.br` and `<file>.gz` next to every text asset (js, css, html, svg, json), at
 * maximum compression: the app serves them with `Content-Encoding` when the browser accepts
 * them (src/http/precompressed.ts), so nothing is compressed per request.
 */
function precompress(): Plugin {
  return {
    name: 'armor-precompress',
    apply: 'build',
    closeBundle() {
      for (const entry of readdirSync(outDir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !/\.(?:js|mjs|css|html|svg|json)$/.test(entry.name)) continue;
        const path = join(entry.parentPath, entry.name);
        const data = readFileSync(path);
        writeFileSync(`${path}.gz`, gzipSync(data, { level: 9 }));
        writeFileSync(`${path}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }));
      }
    },
  };
}

/**
 * Adds `<link rel="modulepreload">` for every chunk the entry loads with `import()` (React,
 * the app shell, the lazy dashboard), so the browser fetches them alongside the entry rather
 * than after it has run: code splitting without extra round trips.
 */
function preloadChunks(): Plugin {
  return {
    name: 'armor-preload-chunks',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunks = Object.values(ctx.bundle ?? {}).filter((c) => c.type === 'chunk' && !c.isEntry && c.fileName.endsWith('.js'));
        return chunks.map((c) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/monitoring/${c.fileName}` }, injectTo: 'head' as const }));
      },
    },
  };
}

/** Builds the /monitoring page into dist/dashboard (served by the app). Workspace packages come from source. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/monitoring/',
  plugins: [react(), preloadChunks(), precompress()],
  resolve: { conditions: ['@armor/source', ...defaultClientConditions] },
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: false,
    // .vite/manifest.json: the chunks, for the SLO scorecard's bundle size (src/web-vitals.ts)
    manifest: true,
    rolldownOptions: {
      output: {
        // React in its own long-cached chunk; the dashboard is split off by React.lazy (app.tsx).
        codeSplitting: { groups: [{ name: 'vendor', test: /[\\/]node_modules[\\/](?:react|react-dom|scheduler)[\\/]/ }] },
      },
    },
  },
  logLevel: 'warn',
});

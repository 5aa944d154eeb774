import { fileURLToPath } from 'node:url';
import { createServer, defaultServerConditions, defineConfig, loadEnv, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Prerenders the page every visitor opens first (the signed-out comments page) into
 * `index.html`, with the app's own components (`src/shell.tsx`, loaded through Vite's SSR module
 * loader from source). The browser paints it as soon as the HTML arrives, and `main.tsx`
 * hydrates it once the JavaScript has loaded; until then it is `inert`.
 */
function prerender(): Plugin {
  return {
    name: 'convex-app-prerender',
    apply: 'build',
    transformIndexHtml: {
      order: 'pre',
      async handler(html) {
        const server = await createServer({
          configFile: false,
          root,
          logLevel: 'error',
          appType: 'custom',
          server: { middlewareMode: true, hmr: false, ws: false },
          ssr: { resolve: { conditions: ['@armor/source', ...defaultServerConditions] } },
        });
        try {
          const { renderShell } = (await server.ssrLoadModule('/src/shell.tsx')) as { renderShell: () => Promise<string> };
          const shell = await renderShell();
          if (!html.includes('<div id="root"></div>')) throw new Error('index.html has no empty <div id="root"></div> to prerender into');
          return html.replace('<div id="root"></div>', `<div id="root" inert>${shell}</div>`);
        } finally {
          await server.close();
        }
      },
    },
  };
}

/**
 * Vite resolves workspace packages from source through the `@armor/source` condition, so the
 * UI builds without building the packages first.
 *
 * A production build needs `VITE_CONVEX_URL` (the deployment the UI talks to; `convex deploy
 * --cmd` passes it): without it the bundle could only show "set VITE_CONVEX_URL", so the build
 * fails instead. CI builds with a placeholder (`pnpm build:check`).
 *
 * The JavaScript budget (500 KB in all, issue 28) and the load under 4× CPU throttling and Fast
 * 3G are checked by `test/load.browser.test.ts`.
 */
export default defineConfig(({ command, mode }) => {
  if (command === 'build' && !loadEnv(mode, process.cwd(), 'VITE_').VITE_CONVEX_URL) {
    throw new Error('VITE_CONVEX_URL is not set: build with the deployment URL (`npx convex deploy --cmd "pnpm run build"` sets it), or use `pnpm build:check` for a placeholder build');
  }
  // A build is always a production build: Vite follows NODE_ENV, so a build started with
  // NODE_ENV=test (inside vitest) or development would ship React's development build (about
  // twice the size, and much slower).
  if (command === 'build') process.env.NODE_ENV = 'production';
  return {
    resolve: { conditions: ['@armor/source', 'module', 'browser', 'development|production'] },
    plugins: [prerender()],
    build: {
      outDir: 'dist',
      sourcemap: true,
      rolldownOptions: {
        output: {
          // Code splitting: React and the Convex client each in a long-cached chunk of their own.
          // React is the first page's (preloaded by the HTML with the entry); the Convex client
          // is not: the signed-out first page makes no Convex call, so it comes with the lazy
          // `connected` chunk (sign-in, a signed-in tab, the admin page; see src/lazy.ts), as
          // the admin page (the dashboard) and the web vitals reporter do.
          codeSplitting: {
            groups: [
              { name: 'vendor', test: /[\\/]node_modules[\\/](?:react|react-dom|scheduler)[\\/]/ },
              { name: 'convex', test: /[\\/]node_modules[\\/]convex[\\/]/ },
            ],
          },
        },
      },
    },
  };
});

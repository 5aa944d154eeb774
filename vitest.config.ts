import { existsSync, readdirSync } from 'node:fs';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/**
 * Root test configuration.
 *
 * - Every package and example resolves workspace imports through the `@armor/source`
 *   export condition, so tests run against `src/` without a build.
 * - A package with its own `vitest.config.ts` is used as-is (dashboard, examples).
 * - Any other package gets two projects: `<name>` (Node; `src/**\/*.test.ts` and `test/**\/*.test.ts`)
 *   and `<name>:edge` (the edge runtime via `@edge-runtime/vm`; every `src/**\/*.test.ts` except
 *   `*.node.test.ts`). Tests that need Node (real sockets, Redis, child processes, adapters)
 *   are named `*.node.test.ts`; everything else must pass in both runtimes.
 */
const source = ['@armor/source'];

function projectsIn(parent: string): (string | TestProjectInlineConfiguration)[] {
  if (!existsSync(parent)) return [];
  return readdirSync(parent, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`${parent}/${d.name}/package.json`))
    .flatMap((d) => {
      const dir = `${parent}/${d.name}`;
      if (existsSync(`${dir}/vitest.config.ts`)) return [dir];
      if (parent !== 'packages') return [];
      return [
        {
          extends: true,
          root: dir,
          test: { name: d.name, include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts'], environment: 'node' },
        },
        {
          extends: true,
          root: dir,
          test: {
            name: `${d.name}:edge`,
            include: ['src/**/*.test.ts'],
            exclude: ['src/**/*.node.test.ts'],
            environment: 'edge-runtime',
          },
        },
      ];
    });
}

export default defineConfig({
  resolve: { conditions: [...source, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [...source, ...defaultServerConditions] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // tests/*: every folder with its own vitest.config.ts — react18 (the React tests again on
    // React 18) and consumer (the packed packages installed with npm; needs `pnpm build` first).
    projects: [...projectsIn('packages'), ...projectsIn('examples'), ...projectsIn('tests')],
  },
});

// @vitest-environment node
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;

describe('pnpm build', () => {
  it('fails without VITE_CONVEX_URL instead of producing a bundle that cannot reach a deployment', () => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
    const result = spawnSync('npx', ['vite', 'build', '--outDir', 'dist-should-not-exist'], { cwd: root, env, encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain('VITE_CONVEX_URL is not set');
  }, 60_000);
});

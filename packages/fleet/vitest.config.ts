import { defineConfig } from 'vitest/config';
import { armorResolve } from '../../vitest.shared.ts';

// Node only: the fleet tests start Prometheus, Redis and instance processes.
export default defineConfig({
  ...armorResolve,
  test: { name: 'fleet', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], environment: 'node', testTimeout: 60_000, hookTimeout: 60_000 },
});

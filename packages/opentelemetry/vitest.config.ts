import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import { armorResolve } from '../../vitest.shared.ts';

// Node only: the tests use the OpenTelemetry SDK's AsyncLocalStorage context manager.
// Without the `module` condition: @opentelemetry/api 1.9's ESM build imports without file
// extensions, which Node's loader refuses; Node users get its CommonJS build, and so do the tests.
export default defineConfig({
  ...armorResolve,
  ssr: { resolve: { conditions: ['@armor/source', ...defaultServerConditions.filter((c) => c !== 'module')] } },
  test: { name: 'opentelemetry', include: ['src/**/*.test.ts'], environment: 'node' },
});

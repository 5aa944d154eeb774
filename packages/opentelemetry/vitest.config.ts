import { defineConfig } from 'vitest/config';
import { armorResolve } from '../../vitest.shared.ts';

// Node only: the tests use the OpenTelemetry SDK's AsyncLocalStorage context manager.
export default defineConfig({
  ...armorResolve,
  test: { name: 'opentelemetry', include: ['src/**/*.test.ts'], environment: 'node' },
});

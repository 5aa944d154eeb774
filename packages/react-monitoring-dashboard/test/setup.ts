import { afterEach } from 'vitest';

// Testing Library only auto-cleans with vitest globals; do it explicitly for DOM tests.
if (typeof document !== 'undefined') {
  const { cleanup } = await import('@testing-library/react');
  afterEach(() => {
    cleanup();
  });
}

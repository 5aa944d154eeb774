import { defaultClientConditions, defaultServerConditions } from 'vite';

/**
 * Resolve options shared by packages and examples that keep their own `vitest.config.ts`:
 * workspace packages are imported from source through the `@armor/source` condition.
 */
export const armorResolve = {
  resolve: { conditions: ['@armor/source', ...defaultClientConditions] },
  ssr: { resolve: { conditions: ['@armor/source', ...defaultServerConditions] } },
};

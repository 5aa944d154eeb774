// Test-only re-exports plus a problem-details helper (keeps the test files' imports short).
import { toProblemDetails, fromUnknown } from '@armor/errors';
export * from './index.js';
export const toProblem = (error: unknown) => toProblemDetails(fromUnknown(error), {});
